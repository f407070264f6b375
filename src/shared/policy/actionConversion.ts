import { A1_JOINT_LIMITS, ARM_JOINT_COUNT, DEFAULT_GRIPPER_MM_PER_RAD, GRIPPER_MAX_STROKE_MM } from '../robot/a1Spec';
import { applyEeDelta, type KinematicChain } from '../robot/kinematics';
import type { PackageAction } from './modelManifest';

/** One action of a chunk as the arm is commanded: six joint targets and the gripper. */
export interface JointTarget {
  jointsRad: number[];
  gripperStrokeMm: number;
  /** The gripper motor's angle for that stroke (7th motor target). */
  gripperMotorRad: number;
  /** The IK did not converge for this action: the joints are the solver's best effort. */
  ikFailed: boolean;
}

export class AbsurdActionError extends Error {}

/** The gripper dim's value (closed … open) as a stroke of 0 … 60 mm; values beyond either end are clamped. */
export function gripperStrokeMm(value: number, gripper: PackageAction['gripper']): number {
  const fraction = (value - gripper.closedValue) / (gripper.openValue - gripper.closedValue);
  return Math.min(1, Math.max(0, fraction)) * GRIPPER_MAX_STROKE_MM;
}

const clampToLimits = (qRad: readonly number[]) =>
  qRad.map((value, i) => Math.min(A1_JOINT_LIMITS[i]!.upperRad, Math.max(A1_JOINT_LIMITS[i]!.lowerRad, value)));

/**
 * Physical actions of one chunk (flattened [chunk, dims]) → joint targets, chained from the joint
 * angles the chunk starts at: ee_delta through the arm's IK, joint_delta added, joint_abs taken as
 * they are; joints clamped into the limits. Every target still goes through the safety governor.
 * A non-finite value is refused outright: nothing of the chunk is executed.
 */
export function chunkToJointTargets(
  chain: KinematicChain,
  startQRad: readonly number[],
  actions: ArrayLike<number>,
  action: PackageAction,
): JointTarget[] {
  const { dims } = action;
  for (let i = 0; i < actions.length; i += 1) {
    if (!Number.isFinite(actions[i]))
      throw new AbsurdActionError(
        `the policy produced ${actions[i]} for "${action.names[i % dims]}" of action ${Math.floor(i / dims) + 1}; nothing of this chunk was sent`,
      );
  }
  let q = startQRad.slice(0, ARM_JOINT_COUNT);
  const targets: JointTarget[] = [];
  for (let start = 0; start + dims <= actions.length; start += dims) {
    const a = Array.from({ length: dims }, (_, d) => actions[start + d]!);
    let ikFailed = false;
    if (action.space === 'ee_delta') {
      const ik = applyEeDelta(
        chain,
        q,
        { dxM: a[0]!, dyM: a[1]!, dzM: a[2]!, dRollRad: a[3]!, dPitchRad: a[4]!, dYawRad: a[5]! },
        { limits: A1_JOINT_LIMITS },
      );
      ikFailed = !ik.ok;
      q = clampToLimits(ik.ok ? ik.qRad : ik.bestQRad);
    } else if (action.space === 'joint_delta') {
      q = clampToLimits(q.map((value, i) => value + a[i]!));
    } else {
      q = clampToLimits(a.slice(0, ARM_JOINT_COUNT));
    }
    const strokeMm = gripperStrokeMm(a[action.gripper.dim]!, action.gripper);
    targets.push({
      jointsRad: [...q],
      gripperStrokeMm: strokeMm,
      gripperMotorRad: strokeMm / DEFAULT_GRIPPER_MM_PER_RAD,
      ikFailed,
    });
  }
  return targets;
}
