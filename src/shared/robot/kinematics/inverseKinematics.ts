/**
 * Damped-least-squares (Levenberg–Marquardt) inverse kinematics for the TCP.
 *
 * Conventions: poses are the TCP in the chain's base frame; position errors are straight-line
 * distances, orientation errors the angle of the rotation between current and target. Joint
 * angles are clamped to the chain's limits, narrowed further by `options.limits` where given.
 * An EeDelta moves the TCP by (dx, dy, dz) in the base frame and rotates it by
 * R(dRoll, dPitch, dYaw) about base-frame axes through the TCP: R_target = R(d) · R_current.
 */
import { chainState, forwardKinematics, jacobianColumns, type ChainState } from './forwardKinematics';
import { addVec3, crossVec3, multiplyMat3, normVec3, rotationErrorVector, rpyToMatrix, subVec3 } from './rotation';
import type { EeDelta, JointRange, KinematicChain, Pose, Vec3 } from './types';

export const DEFAULT_IK_POSITION_TOLERANCE_M = 0.0005;
export const DEFAULT_IK_ORIENTATION_TOLERANCE_RAD = (0.5 * Math.PI) / 180;
export const DEFAULT_IK_MAX_ITERATIONS = 200;

export interface IkOptions {
  /** Per-joint ranges; the solver uses the narrower of these and the chain's own. */
  limits?: readonly JointRange[];
  positionToleranceM?: number;
  orientationToleranceRad?: number;
  maxIterations?: number;
}

export interface IkSuccess {
  ok: true;
  qRad: number[];
  /** Damped steps tried, rejected ones included; 0 when the seed already met the target. */
  iterations: number;
  positionErrorM: number;
  orientationErrorRad: number;
}

export interface IkFailure {
  ok: false;
  reason: string;
  bestQRad: number[];
  positionErrorM: number;
  orientationErrorRad: number;
}

export type IkResult = IkSuccess | IkFailure;

/** Weighs orientation error (rad) against position error (m) in the cost: about the wrist-to-TCP length. */
const ORIENTATION_WEIGHT_M = 0.2;
const MAX_STEP_RAD = 0.5;
const INITIAL_DAMPING = 1e-4;
const MIN_DAMPING = 1e-9;
const MAX_DAMPING = 1e3;
const AT_LIMIT_RAD = 1e-9;

export interface ArmReach {
  shoulderM: Vec3;
  reachM: number;
}

const reachCache = new WeakMap<KinematicChain, ArmReach>();

/**
 * The shoulder point and the longest possible distance from it to the TCP. The shoulder is
 * joint 2's origin when that lies on joint 1's axis (as on the A1), so it never moves.
 */
export function armReach(chain: KinematicChain): ArmReach {
  const cached = reachCache.get(chain);
  if (cached) return cached;
  const reach = computeArmReach(chain);
  reachCache.set(chain, reach);
  return reach;
}

function computeArmReach(chain: KinematicChain): ArmReach {
  const zero = chainState(chain, new Array<number>(chain.joints.length).fill(0));
  const lengthFrom = (first: number) =>
    chain.joints.slice(first).reduce((sum, joint) => sum + normVec3(joint.originXyzM), 0) +
    normVec3(chain.tcpFromLastJoint.positionM);
  const base = zero.jointPoses[0]?.positionM ?? zero.tcp.positionM;
  const second = zero.jointPoses[1];
  const axis = zero.jointAxesBase[0];
  if (second && axis && normVec3(crossVec3(axis, subVec3(second.positionM, base))) < 1e-9) {
    return { shoulderM: second.positionM, reachM: lengthFrom(2) };
  }
  return { shoulderM: base, reachM: lengthFrom(1) };
}

export function solveIk(
  chain: KinematicChain,
  target: Pose,
  seedRad: readonly number[],
  options: IkOptions = {},
): IkResult {
  const toleranceM = options.positionToleranceM ?? DEFAULT_IK_POSITION_TOLERANCE_M;
  const toleranceRad = options.orientationToleranceRad ?? DEFAULT_IK_ORIENTATION_TOLERANCE_RAD;
  const maxIterations = options.maxIterations ?? DEFAULT_IK_MAX_ITERATIONS;

  const invalid = checkInputs(chain, target, seedRad, options.limits);
  if (invalid) {
    return { ok: false, reason: invalid, bestQRad: [...seedRad], positionErrorM: NaN, orientationErrorRad: NaN };
  }

  const ranges = chain.joints.map((joint, index) => ({
    lowerRad: Math.max(joint.lowerRad, options.limits?.[index]?.lowerRad ?? -Infinity),
    upperRad: Math.min(joint.upperRad, options.limits?.[index]?.upperRad ?? Infinity),
  }));
  const clamp = (q: readonly number[]) =>
    q.map((value, index) => Math.min(ranges[index]!.upperRad, Math.max(ranges[index]!.lowerRad, value)));

  let q = clamp(seedRad);
  let current = evaluate(chain, target, q);

  const { shoulderM, reachM } = armReach(chain);
  const distanceM = normVec3(subVec3(target.positionM, shoulderM));
  if (distanceM > reachM + toleranceM) {
    return {
      ok: false,
      reason: `target is ${distanceM.toFixed(2)} m from the shoulder, beyond the arm's reach of ${reachM.toFixed(2)} m`,
      bestQRad: q,
      positionErrorM: current.positionErrorM,
      orientationErrorRad: current.orientationErrorRad,
    };
  }

  let damping = INITIAL_DAMPING;
  let iterations = 0;
  const converged = () => current.positionErrorM <= toleranceM && current.orientationErrorRad <= toleranceRad;
  while (!converged() && iterations < maxIterations && damping <= MAX_DAMPING) {
    iterations += 1;
    const step = dampedStep(current, q, ranges, damping);
    const candidateQ = clamp(q.map((value, index) => value + step[index]!));
    const candidate = evaluate(chain, target, candidateQ);
    if (candidate.cost < current.cost) {
      q = candidateQ;
      current = candidate;
      damping = Math.max(MIN_DAMPING, damping * 0.3);
    } else {
      damping *= 10;
    }
  }

  const errors = { positionErrorM: current.positionErrorM, orientationErrorRad: current.orientationErrorRad };
  if (converged()) return { ok: true, qRad: q, iterations, ...errors };
  return { ok: false, reason: limitReason(chain, q, ranges, errors), bestQRad: q, ...errors };
}

/** Moves the TCP by a base-frame delta from the pose at currentQRad, seeding the solver there. */
export function applyEeDelta(
  chain: KinematicChain,
  currentQRad: readonly number[],
  delta: EeDelta,
  options?: IkOptions,
): IkResult {
  const current = forwardKinematics(chain, currentQRad);
  const target: Pose = {
    positionM: addVec3(current.positionM, [delta.dxM, delta.dyM, delta.dzM]),
    rotation: multiplyMat3(rpyToMatrix(delta.dRollRad, delta.dPitchRad, delta.dYawRad), current.rotation),
  };
  return solveIk(chain, target, currentQRad, options);
}

interface Evaluation {
  state: ChainState;
  /** Weighted error: position (m), then orientation × ORIENTATION_WEIGHT_M. */
  error: number[];
  cost: number;
  positionErrorM: number;
  orientationErrorRad: number;
}

function evaluate(chain: KinematicChain, target: Pose, q: readonly number[]): Evaluation {
  const state = chainState(chain, q);
  const positionError = subVec3(target.positionM, state.tcp.positionM);
  const rotationError = rotationErrorVector(target.rotation, state.tcp.rotation);
  const error = [...positionError, ...rotationError.map((value) => value * ORIENTATION_WEIGHT_M)];
  return {
    state,
    error,
    cost: error.reduce((sum, value) => sum + value * value, 0),
    positionErrorM: normVec3(positionError),
    orientationErrorRad: normVec3(rotationError),
  };
}

/**
 * Solves (JᵀJ + λI)·dq = Jᵀe. Joints at a limit whose step would push them further out are
 * held still and the rest re-solved, so a blocked joint does not stall the others.
 */
function dampedStep(
  current: Evaluation,
  q: readonly number[],
  ranges: readonly JointRange[],
  damping: number,
): number[] {
  const columns = jacobianColumns(current.state).map((column) => [
    ...column.linearM,
    ...column.angular.map((value) => value * ORIENTATION_WEIGHT_M),
  ]);
  const n = columns.length;
  const dot = (a: readonly number[], b: readonly number[]) => a.reduce((sum, value, k) => sum + value * b[k]!, 0);
  const normal = columns.map((a) => columns.map((b) => dot(a, b)));
  const gradient = columns.map((column) => dot(column, current.error));
  const held = new Array<boolean>(n).fill(false);
  let step = new Array<number>(n).fill(0);
  for (let pass = 0; pass <= n; pass += 1) {
    const matrix = normal.map((row, i) => row.map((value, j) => (held[i] || held[j] ? (i === j ? 1 : 0) : value)));
    matrix.forEach((row, i) => (row[i]! += damping));
    step = solveSymmetric(
      matrix,
      gradient.map((value, i) => (held[i] ? 0 : value)),
    );
    let changed = false;
    step.forEach((value, i) => {
      const range = ranges[i]!;
      const blocked =
        (value < 0 && q[i]! <= range.lowerRad + AT_LIMIT_RAD) || (value > 0 && q[i]! >= range.upperRad - AT_LIMIT_RAD);
      if (!held[i] && blocked) {
        held[i] = true;
        changed = true;
      }
    });
    if (!changed) break;
  }
  const largest = Math.max(...step.map(Math.abs));
  return largest > MAX_STEP_RAD ? step.map((value) => (value * MAX_STEP_RAD) / largest) : step;
}

/** Cholesky solve of a symmetric positive-definite system; returns zeros if it is not. */
function solveSymmetric(matrix: number[][], rhs: number[]): number[] {
  const n = rhs.length;
  const lower = matrix.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i += 1) {
    for (let j = 0; j <= i; j += 1) {
      let sum = matrix[i]![j]!;
      for (let k = 0; k < j; k += 1) sum -= lower[i]![k]! * lower[j]![k]!;
      if (i === j) {
        if (!(sum > 0)) return new Array<number>(n).fill(0);
        lower[i]![i] = Math.sqrt(sum);
      } else {
        lower[i]![j] = sum / lower[j]![j]!;
      }
    }
  }
  const y = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i += 1) {
    let sum = rhs[i]!;
    for (let k = 0; k < i; k += 1) sum -= lower[i]![k]! * y[k]!;
    y[i] = sum / lower[i]![i]!;
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i -= 1) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k += 1) sum -= lower[k]![i]! * x[k]!;
    x[i] = sum / lower[i]![i]!;
  }
  return x;
}

function checkInputs(
  chain: KinematicChain,
  target: Pose,
  seedRad: readonly number[],
  limits: readonly JointRange[] | undefined,
): string | null {
  const jointCount = chain.joints.length;
  if (seedRad.length !== jointCount) return `the seed has ${seedRad.length} joint angles, the arm has ${jointCount}`;
  if (!seedRad.every(Number.isFinite)) return 'the seed contains a joint angle that is not a finite number';
  if (![...target.positionM, ...target.rotation].every(Number.isFinite)) {
    return 'the target pose contains a value that is not a finite number';
  }
  if (limits && limits.length !== jointCount) return `${limits.length} joint limits given, the arm has ${jointCount}`;
  const empty = chain.joints.find((joint, index) => {
    const lower = Math.max(joint.lowerRad, limits?.[index]?.lowerRad ?? -Infinity);
    const upper = Math.min(joint.upperRad, limits?.[index]?.upperRad ?? Infinity);
    return !(lower <= upper);
  });
  return empty ? `the limits given for ${empty.name} leave no allowed range` : null;
}

function limitReason(
  chain: KinematicChain,
  q: readonly number[],
  ranges: readonly JointRange[],
  errors: { positionErrorM: number; orientationErrorRad: number },
): string {
  const atLimit = chain.joints
    .filter((_, i) => q[i]! <= ranges[i]!.lowerRad + AT_LIMIT_RAD || q[i]! >= ranges[i]!.upperRad - AT_LIMIT_RAD)
    .map((joint) => joint.name);
  const which =
    atLimit.length === 0
      ? ", or lie where the arm's workspace ends"
      : atLimit.length === 1
        ? `; ${atLimit[0]} is at its limit`
        : `; ${atLimit.slice(0, -1).join(', ')} and ${atLimit.at(-1)} are at their limits`;
  const mm = (errors.positionErrorM * 1000).toFixed(1);
  const deg = ((errors.orientationErrorRad * 180) / Math.PI).toFixed(1);
  return `no joint solution within limits: best is ${mm} mm / ${deg}° from the target (the target may be blocked by joint limits${which})`;
}
