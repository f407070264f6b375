import type { ArmState } from '../../../../shared/arm';
import {
  ARM_JOINT_COUNT,
  DEFAULT_GRIPPER_MM_PER_RAD,
  GRIPPER_MAX_STROKE_MM,
  MOTOR_NAMES,
} from '../../../../shared/robot/a1Spec';

/** The URDF's revolute joints, in motor order (arm_joint1 … arm_joint6). */
export const ARM_JOINT_NAMES: readonly string[] = MOTOR_NAMES.slice(0, ARM_JOINT_COUNT);

/** What the 3D view draws of one arm: six joint angles and the gripper's opening. */
export interface ArmPose {
  jointsRad: number[];
  /** Distance between the fingers; null when unknown (drawn as it is in the URDF). */
  gripperStrokeMm: number | null;
}

/** Joint changes below these are not worth a new frame. */
const JOINT_EPSILON_RAD = 1e-4;
const GRIPPER_EPSILON_MM = 0.05;
/** The URDF's finger boxes are 12 mm thick; their inner faces sit at ±stroke/2. */
const FINGER_HALF_THICKNESS_M = 0.006;

/** The arm's measured pose from an `arm.state` sample; null before six joints have reported. */
export function poseFromArmState(state: ArmState | null): ArmPose | null {
  if (!state) return null;
  const jointsRad: number[] = [];
  for (const [index, name] of ARM_JOINT_NAMES.entries()) {
    const joint = state.joints.find((candidate) => candidate.name === name) ?? state.joints[index];
    if (!joint || !Number.isFinite(joint.posRad)) return null;
    jointsRad.push(joint.posRad);
  }
  return { jointsRad, gripperStrokeMm: state.gripperStrokeMm };
}

/** A pose from seven motor positions (six joints, then the gripper motor), e.g. a joint target. */
export function poseFromMotorRad(motorRad: readonly number[] | null | undefined): ArmPose | null {
  if (!motorRad || motorRad.length < ARM_JOINT_COUNT) return null;
  const jointsRad = motorRad.slice(0, ARM_JOINT_COUNT);
  if (!jointsRad.every(Number.isFinite)) return null;
  const gripperRad = motorRad[ARM_JOINT_COUNT];
  const gripperStrokeMm =
    gripperRad === undefined || !Number.isFinite(gripperRad)
      ? null
      : Math.min(GRIPPER_MAX_STROKE_MM, Math.max(0, gripperRad * DEFAULT_GRIPPER_MM_PER_RAD));
  return { jointsRad, gripperStrokeMm };
}

/** The URDF joint values of a pose, keyed by joint name. */
export function urdfJointValues(pose: ArmPose): Record<string, number> {
  return Object.fromEntries(ARM_JOINT_NAMES.map((name, index) => [name, pose.jointsRad[index]!]));
}

/** The arm joints a loaded URDF lacks (empty when every motor has its joint). */
export function missingArmJoints(urdfJointNames: Iterable<string>): string[] {
  const present = new Set(urdfJointNames);
  return ARM_JOINT_NAMES.filter((name) => !present.has(name));
}

/** Whether two poses differ enough to draw a new frame. */
export function posesDiffer(a: ArmPose | null, b: ArmPose | null): boolean {
  if (a === null || b === null) return a !== b;
  if (a.jointsRad.some((value, index) => Math.abs(value - b.jointsRad[index]!) > JOINT_EPSILON_RAD)) return true;
  if (a.gripperStrokeMm === null || b.gripperStrokeMm === null) return a.gripperStrokeMm !== b.gripperStrokeMm;
  return Math.abs(a.gripperStrokeMm - b.gripperStrokeMm) > GRIPPER_EPSILON_MM;
}

/** Where each finger's centre sits along the gripper's x axis for an opening (± this value), metres. */
export function fingerCentreOffsetM(strokeMm: number): number {
  const clampedMm = Math.min(GRIPPER_MAX_STROKE_MM, Math.max(0, strokeMm));
  return clampedMm / 2000 + FINGER_HALF_THICKNESS_M;
}

/** A pose as text for the view's data attributes and tests: "j1,…,j6,gripperMm" (rad to 3 decimals). */
export function formatPose(pose: ArmPose | null): string {
  if (!pose) return '';
  const joints = pose.jointsRad.map((value) => value.toFixed(3));
  return [...joints, pose.gripperStrokeMm === null ? '' : pose.gripperStrokeMm.toFixed(1)].join(',');
}
