/**
 * Facts about the Galaxea A1 from ../shared/docs/a1-protocol.md. The wire
 * protocol is inferred from the vendor driver, not documented by the vendor.
 */

/** Motor ids 1..6 drive the arm joints, 7 the gripper. */
export const ARM_JOINT_COUNT = 6;
export const MOTOR_COUNT = 7;
export const GRIPPER_MOTOR_ID = 7;

export const MOTOR_NAMES = [
  'arm_joint1',
  'arm_joint2',
  'arm_joint3',
  'arm_joint4',
  'arm_joint5',
  'arm_joint6',
  'gripper',
] as const;
export type MotorName = (typeof MOTOR_NAMES)[number];

export interface JointLimit {
  lowerRad: number;
  upperRad: number;
  velocityRadS: number;
  effortNm: number;
}

const DEG = Math.PI / 180;

/** Ranges from the vendor URDF. */
export const URDF_JOINT_LIMITS: readonly JointLimit[] = [
  { lowerRad: -2.8798, upperRad: 2.8798, velocityRadS: 20.944, effortNm: 40 },
  { lowerRad: 0, upperRad: 3.1415, velocityRadS: 20.944, effortNm: 40 },
  { lowerRad: -3.3161, upperRad: 0, velocityRadS: 7.54, effortNm: 27 },
  { lowerRad: -2.8798, upperRad: 2.8798, velocityRadS: 25.13, effortNm: 7 },
  { lowerRad: -1.6581, upperRad: 1.6581, velocityRadS: 25.13, effortNm: 7 },
  { lowerRad: -2.8798, upperRad: 2.8798, velocityRadS: 25.13, effortNm: 7 },
];

/** The hardware guide's narrower ranges (J5 ±95°, J6 ±105°); null where it gives none. */
export const HARDWARE_GUIDE_RANGES_RAD: readonly ([number, number] | null)[] = [
  null,
  null,
  null,
  null,
  [-95 * DEG, 95 * DEG],
  [-105 * DEG, 105 * DEG],
];

/** The narrower of the URDF and the hardware guide, per arm joint: what the governor enforces. */
export const A1_JOINT_LIMITS: readonly JointLimit[] = URDF_JOINT_LIMITS.map((limit, index) => {
  const guide = HARDWARE_GUIDE_RANGES_RAD[index];
  return guide
    ? { ...limit, lowerRad: Math.max(limit.lowerRad, guide[0]), upperRad: Math.min(limit.upperRad, guide[1]) }
    : limit;
});

/** Gripper G1: 0 mm closed … 60 mm open, 100 N. */
export const GRIPPER_MAX_STROKE_MM = 60;
/**
 * Gripper motor angle per millimetre of opening. The protocol doc does not
 * give the ratio; this is Coach's assumption (60 mm at 2 rad) until measured
 * on a real gripper, and it is configurable.
 */
export const DEFAULT_GRIPPER_MM_PER_RAD = 30;
/** Motor position range of the gripper implied by the stroke and ratio above. */
export const GRIPPER_LIMIT: JointLimit = {
  lowerRad: 0,
  upperRad: GRIPPER_MAX_STROKE_MM / DEFAULT_GRIPPER_MM_PER_RAD,
  velocityRadS: 2,
  effortNm: 5,
};

/** Limits for all seven motors (arm joints narrowed by the hardware guide, then the gripper). */
export const A1_MOTOR_LIMITS: readonly JointLimit[] = [...A1_JOINT_LIMITS, GRIPPER_LIMIT];

/** Default velocity cap for policy-driven motion (the vendor stack's own limit). */
export const DEFAULT_VELOCITY_CAP_RAD_S = 2;

/** The vendor driver's gripper position command gains. */
export const VENDOR_GRIPPER_GAINS = { velRadS: 0.2, tauNm: 0, kp: 3, kd: 0.1 } as const;

export const USB_VENDOR_ID = '0483';
export const USB_PRODUCT_ID = '5740';
export const DEFAULT_BAUD_RATE = 1_000_000;

/** Function-frame codes (cmd 0x11). Code 3 (whole-arm calibration) is deliberately absent: no UI path sends it. */
export const FUNCTION_CODES = { enable: 1, disable: 2, clearError: 4 } as const;
export type FunctionName = keyof typeof FUNCTION_CODES;
export const CALIBRATION_FUNCTION_CODE = 3;

/** Fault bits per motor: 0–16 from the firmware, 17–20 added by the host. */
export const FAULT_BIT_NAMES: readonly string[] = [
  'disabled',
  'enabled',
  'motor disconnected',
  'position jump',
  'sustained high current',
  'huge torque',
  'ECU→ACU timeout',
  'position limit',
  'speed limit',
  'torque limit',
  'overvoltage',
  'undervoltage',
  'overcurrent',
  'MOS over temperature',
  'winding over temperature',
  'communication loss',
  'overload',
  'serial lost',
  'no messages',
  'read/write fault',
  'feedback overrun',
];

export const FAULT_BIT = {
  disabled: 0,
  enabled: 1,
  motorDisconnected: 2,
  positionJump: 3,
  timeout: 6,
  positionLimit: 7,
  overcurrent: 12,
  serialLost: 17,
  noMessages: 18,
} as const;
