import { A1_MOTOR_LIMITS, FAULT_BIT, MOTOR_COUNT, type JointLimit } from '../../../shared/robot/a1Spec';
import type { JointCommand, MotorFeedback } from '../../../shared/robot/wire';

/** Rotor + link inertia per motor as the sim's joints feel them, kg·m². */
const INERTIA_KG_M2 = [0.08, 0.08, 0.04, 0.01, 0.01, 0.005, 0.005];
/** Viscous friction, N·m·s/rad. */
const FRICTION = [0.6, 0.6, 0.4, 0.1, 0.1, 0.05, 0.05];
const SUBSTEP_S = 0.0005;
/** Without commands for this long the firmware reports bit 6 (ECU→ACU timeout), as real arms do when idle. */
const COMMAND_TIMEOUT_S = 0.1;
/**
 * The mechanical stops lie this far beyond each motor's rated range. A motor commanded to the very end of
 * its range overshoots by a few hundredths of a radian under PD control; only running past that into the
 * stop is a position-limit fault (a gripper closed on nothing rests at 0, not in a fault).
 */
export const SIM_HARD_STOP_MARGIN_RAD = 0.05;

interface MotorState {
  posRad: number;
  velRadS: number;
  tauNm: number;
  enabled: boolean;
  injectedFaults: number;
  command: JointCommand | null;
  /** The motor ran into its hard stop during the last step. */
  atHardStop: boolean;
}

/**
 * The physics of a simulated A1: seven MIT-controlled motors with inertia,
 * friction, joint and velocity limits, enable/disable, and injectable faults.
 * Joints without brakes do not hold when disabled: they coast to a stop.
 */
export class SimulatedA1 {
  private readonly motors: MotorState[];
  private sinceCommandS = Infinity;

  constructor(
    initialPosRad: readonly number[] = [0, 0.3, -0.6, 0, 0.3, 0, 1],
    private readonly limits: readonly JointLimit[] = A1_MOTOR_LIMITS,
  ) {
    this.motors = Array.from({ length: MOTOR_COUNT }, (_, i) => ({
      posRad: initialPosRad[i] ?? 0,
      velRadS: 0,
      tauNm: 0,
      enabled: false,
      injectedFaults: 0,
      command: null,
      atHardStop: false,
    }));
  }

  applyCommand(command: JointCommand): void {
    const motor = this.motors[command.motorId - 1];
    if (!motor) return;
    motor.command = command;
    this.sinceCommandS = 0;
  }

  setEnabled(enabled: boolean): void {
    for (const motor of this.motors) motor.enabled = enabled;
  }

  clearErrors(): void {
    for (const motor of this.motors) motor.injectedFaults = 0;
  }

  /** Fault injection: sets fault bits on a motor until clear-error. */
  injectFaultBits(motorId: number, bits: number): void {
    const motor = this.motors[motorId - 1];
    if (motor) motor.injectedFaults |= bits;
  }

  /** Fault injection: the encoder jumps by deltaRad and the motor reports a position jump. */
  injectPositionJump(motorId: number, deltaRad: number): void {
    const motor = this.motors[motorId - 1];
    if (!motor) return;
    motor.posRad += deltaRad;
    motor.injectedFaults |= 1 << FAULT_BIT.positionJump;
  }

  step(dtS: number): void {
    this.sinceCommandS += dtS;
    let remaining = dtS;
    while (remaining > 1e-9) {
      const h = Math.min(SUBSTEP_S, remaining);
      this.motors.forEach((motor, i) => this.stepMotor(motor, i, h));
      remaining -= h;
    }
  }

  private stepMotor(motor: MotorState, index: number, h: number): void {
    const limit = this.limits[index]!;
    const command = motor.command;
    let torque = 0;
    if (motor.enabled && command && motor.injectedFaults === 0) {
      torque =
        command.kp * (command.posRad - motor.posRad) + command.kd * (command.velRadS - motor.velRadS) + command.tauNm;
      torque = Math.max(-limit.effortNm, Math.min(limit.effortNm, torque));
    }
    motor.tauNm = torque;
    const acceleration = (torque - FRICTION[index]! * motor.velRadS) / INERTIA_KG_M2[index]!;
    motor.velRadS = Math.max(-limit.velocityRadS, Math.min(limit.velocityRadS, motor.velRadS + acceleration * h));
    motor.posRad += motor.velRadS * h;
    const stopLowRad = limit.lowerRad - SIM_HARD_STOP_MARGIN_RAD;
    const stopHighRad = limit.upperRad + SIM_HARD_STOP_MARGIN_RAD;
    motor.atHardStop = motor.posRad < stopLowRad || motor.posRad > stopHighRad;
    if (motor.atHardStop) {
      motor.posRad = Math.max(stopLowRad, Math.min(stopHighRad, motor.posRad));
      motor.velRadS = 0;
    }
  }

  feedback(): MotorFeedback[] {
    return this.motors.map((motor, i) => {
      let mask = motor.enabled ? 1 << FAULT_BIT.enabled : 1 << FAULT_BIT.disabled;
      if (this.sinceCommandS > COMMAND_TIMEOUT_S) mask |= 1 << FAULT_BIT.timeout;
      if (motor.atHardStop) mask |= 1 << FAULT_BIT.positionLimit;
      return {
        motorId: i + 1,
        posRad: motor.posRad,
        velRadS: motor.velRadS,
        tauNm: motor.tauNm,
        faultMask: mask | motor.injectedFaults,
      };
    });
  }

  positionsRad(): number[] {
    return this.motors.map((motor) => motor.posRad);
  }
}
