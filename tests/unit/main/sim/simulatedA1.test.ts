import { describe, expect, it } from 'vitest';
import { SIM_HARD_STOP_MARGIN_RAD, SimulatedA1 } from '../../../../src/main/sim/arm/simulatedA1';
import { A1_MOTOR_LIMITS, FAULT_BIT, VENDOR_GRIPPER_GAINS } from '../../../../src/shared/robot/a1Spec';

const GRIPPER_ID = 7;
const positionLimitBit = 1 << FAULT_BIT.positionLimit;

/**
 * Holds the arm where it starts and drives the gripper toward `gripperRad` for `seconds`, reading feedback
 * at 200 Hz as the arm process does: the last feedback, and whether any reported a position-limit fault.
 */
function driveGripper(arm: SimulatedA1, gripperRad: number, seconds: number, kp: number = VENDOR_GRIPPER_GAINS.kp) {
  arm.setEnabled(true);
  const start = arm.positionsRad();
  let everAtLimit = false;
  for (let t = 0; t < seconds; t += 0.005) {
    start.forEach((posRad, i) =>
      arm.applyCommand({
        motorId: i + 1,
        posRad: i + 1 === GRIPPER_ID ? gripperRad : posRad,
        velRadS: 0,
        tauNm: 0,
        kp: i + 1 === GRIPPER_ID ? kp : 40,
        kd: i + 1 === GRIPPER_ID ? VENDOR_GRIPPER_GAINS.kd : 2,
      }),
    );
    arm.step(0.005);
    everAtLimit ||= (arm.feedback()[GRIPPER_ID - 1]!.faultMask & positionLimitBit) !== 0;
  }
  return { ...arm.feedback()[GRIPPER_ID - 1]!, everAtLimit };
}

describe('the simulated A1 motors', () => {
  it('a gripper closed to the end of its range rests there without a position-limit fault', () => {
    const feedback = driveGripper(new SimulatedA1(), A1_MOTOR_LIMITS[GRIPPER_ID - 1]!.lowerRad, 3);
    expect(feedback.posRad).toBeCloseTo(0, 1);
    expect(feedback.everAtLimit, 'the overshoot past 0 stays short of the stop').toBe(false);
  });

  it('a motor driven past its mechanical stop reports a position-limit fault and stays at the stop', () => {
    const stopRad = A1_MOTOR_LIMITS[GRIPPER_ID - 1]!.lowerRad - SIM_HARD_STOP_MARGIN_RAD;
    const feedback = driveGripper(new SimulatedA1(), -1, 3);
    expect(feedback.faultMask & positionLimitBit).not.toBe(0);
    expect(feedback.posRad).toBeCloseTo(stopRad, 6);
  });
});
