import { FAULT_BIT, FAULT_BIT_NAMES, GRIPPER_MOTOR_ID, MOTOR_NAMES } from '../a1Spec';

/** Names of every bit set in a fault mask, lowest bit first. */
export function faultBitNames(mask: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < FAULT_BIT_NAMES.length; bit += 1) {
    if (mask & (1 << bit)) names.push(FAULT_BIT_NAMES[bit]!);
  }
  return names;
}

const STATUS_BITS = (1 << FAULT_BIT.disabled) | (1 << FAULT_BIT.enabled);

/**
 * The bits of a motor's mask that are real faults: status bits (enabled/disabled)
 * are not, bit 6 alone is a normal idle value, and the gripper's bit 3 is benign
 * (both as users of the vendor driver report).
 */
export function activeFaultMask(motorId: number, mask: number): number {
  let faults = mask & ~STATUS_BITS;
  if (faults === 1 << FAULT_BIT.timeout) faults = 0;
  if (motorId === GRIPPER_MOTOR_ID) faults &= ~(1 << FAULT_BIT.positionJump);
  return faults;
}

export interface MotorFault {
  motorId: number;
  motor: string;
  bits: number[];
  names: string[];
}

/** Describes a motor's active faults for the operator, e.g. "arm_joint3: overcurrent, MOS over temperature". */
export function describeMotorFault(motorId: number, mask: number): MotorFault | null {
  const faults = activeFaultMask(motorId, mask);
  if (!faults) return null;
  const bits = [...Array(FAULT_BIT_NAMES.length).keys()].filter((bit) => faults & (1 << bit));
  return {
    motorId,
    motor: MOTOR_NAMES[motorId - 1] ?? `motor ${motorId}`,
    bits,
    names: bits.map((bit) => FAULT_BIT_NAMES[bit]!),
  };
}
