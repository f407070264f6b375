import { A1_JOINT_LIMITS, GRIPPER_MAX_STROKE_MM } from '../../robot/a1Spec';
import {
  A1_HOME_Q_RAD,
  applyEeDelta,
  axisAngleToMatrix,
  forwardKinematics,
  matrixToRpy,
  normVec3,
  rotationErrorVector,
  scaleVec3,
  subVec3,
  type EeDelta,
  type KinematicChain,
  type Mat3,
  type Pose,
  type Vec3,
} from '../../robot/kinematics';
import type { WorldObject, WorldSnapshot } from '../worldTypes';
import { OBJECT_CATALOG, footprintRadiusM, narrowestGraspYaw, objectHeightM } from './objectCatalog';
import { SeededRandom, deriveSeed } from './random';
import { WORKSPACE } from './sceneGenerator';
import { fingerYawRad, LIVE_GRIPPER_SPEED_MM_S, TabletopWorld, type TabletopWorldOptions } from './tabletopWorld';
import { NEAR_MAX_DISTANCE_M, type Task } from './tasks';

/** [dx, dy, dz (m, base frame), dRoll, dPitch, dYaw (rad, base frame), gripper (0 closed … 1 open)]. */
export type ExpertAction = [number, number, number, number, number, number, number];

export const MAX_TRANSLATION_STEP_M = 0.01;
export const MAX_ROTATION_STEP_RAD = 0.05;

export type ExpertPhase = 'approach' | 'descend' | 'close' | 'lift' | 'carry' | 'lower' | 'open' | 'retreat' | 'done';

export interface ExpertOptions {
  /** Std of Gaussian noise on the translation deltas (m); rotation deltas get 5× this in rad. */
  noiseStd?: number;
  /** Seeds the noise. */
  seed?: number;
}

const REACHED_M = 0.004;
const REACHED_RAD = 0.04;
const HOVER_ABOVE_TOP_M = 0.05;
/** While carrying, the held object's bottom stays this high (clears the bowl's rim; counts as lifted). */
const CARRY_CLEARANCE_M = 0.1;
const MIN_CARRY_TCP_Z_M = 0.15;
/** Released this far above its support, the object drops the rest. */
const RELEASE_DROP_M = 0.015;
const RETREAT_M = 0.08;
const GRIPPER_STEPS = 2;
/** Fingers that moved less than this since the last step have stopped (closed on something, or fully). */
const FINGERS_STOPPED_MM = 0.2;
/** The fingers count as open this close to the full stroke. */
const OPEN_TOLERANCE_MM = 0.5;
const MAX_PHASE_STEPS = 150;
/** Taking over, a TCP this near above the object (or, holding it, the goal) carries on down. */
const TAKE_OVER_ABOVE_M = 0.01;
const MAX_GRASP_ATTEMPTS = 3;
const ROTATION_NOISE_SCALE = MAX_ROTATION_STEP_RAD / MAX_TRANSLATION_STEP_M;
const TOOL_DOWN_FINGER_YAW_AT_HOME_RAD = Math.PI;

/** Where the TCP grips an object: at half its height, but no higher than 6 cm above its bottom. */
export function graspHeightM(object: Pick<WorldObject, 'shape'>): number {
  return Math.min(objectHeightM(object.shape) / 2, 0.06);
}

/**
 * The tool pointing straight down (TCP −y = base −z) with the finger axis (TCP x) at the given yaw.
 * At the home pose the fingers open along base x, yaw π.
 */
export function toolDownRotation(fingerYawRad: number): Mat3 {
  const c = Math.cos(fingerYawRad);
  const s = Math.sin(fingerYawRad);
  return [c, 0, s, s, 0, -c, 0, 1, 0];
}

/** The finger yaw with joint 6 near zero for a TCP above (x, y): the fingers open along the radial line. */
export function radialFingerYawRad(xM: number, yM: number): number {
  return Math.atan2(yM, xM) + TOOL_DOWN_FINGER_YAW_AT_HOME_RAD;
}

/**
 * The finger yaw to grasp an object with, relative to the radial one there: across the object's narrow
 * side, of the equivalent yaws the one nearest the radial (so joint 6 stays well inside its range).
 */
export function relativeGraspYawRad(object: Pick<WorldObject, 'shape' | 'yawRad' | 'positionM'>): number {
  const narrowest = narrowestGraspYaw(object);
  if (!narrowest) return 0;
  const offset = wrapRad(narrowest.yawRad - radialFingerYawRad(object.positionM[0], object.positionM[1]));
  return wrapRad(offset - Math.round(offset / narrowest.periodRad) * narrowest.periodRad);
}

/** The absolute finger yaw the expert grasps an object with. */
export function graspFingerYawRad(object: Pick<WorldObject, 'shape' | 'yawRad' | 'positionM'>): number {
  return radialFingerYawRad(object.positionM[0], object.positionM[1]) + relativeGraspYawRad(object);
}

function wrapRad(angleRad: number): number {
  return Math.atan2(Math.sin(angleRad), Math.cos(angleRad));
}

function limitNorm(v: Vec3, max: number): Vec3 {
  const length = normVec3(v);
  return length > max ? scaleVec3(v, max / length) : v;
}

/**
 * Solves every task template from the true world state with end-effector delta actions: approach
 * above the object, descend, close, lift, carry above the goal, lower, open, retreat. A grasp that
 * misses is retried from the approach.
 */
export class ScriptedExpert {
  private phaseName: ExpertPhase = 'approach';
  private phaseSteps = 0;
  private attempts = 1;
  /** Finger yaw relative to the radial direction, fixed when the approach starts; keeps joint 6 in range. */
  private relativeYawRad: number | null = null;
  private goalXyM: [number, number] | null = null;
  private anchorM: Vec3 | null = null;
  private failureReason: string | null = null;
  /** The gripper opening the last call saw: the gripper phases wait until the fingers stop moving. */
  private lastOpeningMm: number | null = null;
  private readonly random: SeededRandom;
  private readonly noiseStd: number;

  constructor(
    private readonly chain: KinematicChain,
    readonly task: Task,
    options: ExpertOptions = {},
  ) {
    this.noiseStd = options.noiseStd ?? 0;
    this.random = new SeededRandom(options.seed ?? 0);
  }

  /**
   * An expert that takes over an attempt someone else began (a policy's, to label the states it reaches), its
   * phase read from the world: with the object in the fingers it lowers when above the goal, else lifts from
   * where it is and carries on; without it, it closes when the TCP is at the grasp point with the fingers
   * closing, descends when above the object, and otherwise approaches (opening the fingers on the way).
   */
  static takingOver(
    chain: KinematicChain,
    task: Task,
    world: Readonly<WorldSnapshot>,
    currentQRad: readonly number[] = world.armQRad,
    options: ExpertOptions = {},
  ): ScriptedExpert {
    const expert = new ScriptedExpert(chain, task, options);
    const object = world.objects.find((candidate) => candidate.kind === task.objectKind);
    if (!object) return expert;
    const tcp = forwardKinematics(chain, currentQRad);
    const [tx, ty, tz] = tcp.positionM;
    const [ox, oy, oz] = object.positionM;
    if (object.grasped) {
      expert.relativeYawRad = wrapRad(fingerYawRad(tcp) - radialFingerYawRad(tx, ty));
      const goal = task.template === 'pick_up' ? null : expert.chooseGoal(world, object);
      if (expert.done) return expert;
      const aboveGoal = goal !== null && Math.hypot(goal[0] - tx, goal[1] - ty) <= TAKE_OVER_ABOVE_M;
      if (aboveGoal) expert.goalXyM = goal;
      expert.enter(aboveGoal ? 'lower' : 'lift');
      return expert;
    }
    expert.relativeYawRad = relativeGraspYawRad(object);
    const besideM = Math.hypot(ox - tx, oy - ty);
    const gripZ = oz + graspHeightM(object);
    const hoverZ = oz + objectHeightM(object.shape) + HOVER_ABOVE_TOP_M;
    const closing = world.gripperOpeningMm < GRIPPER_MAX_STROKE_MM - OPEN_TOLERANCE_MM;
    if (besideM <= REACHED_M && Math.abs(tz - gripZ) <= REACHED_M && closing) expert.enter('close');
    else if (besideM <= TAKE_OVER_ABOVE_M && tz >= gripZ - REACHED_M && tz <= hoverZ + REACHED_M)
      expert.enter('descend');
    return expert;
  }

  get phase(): ExpertPhase {
    return this.phaseName;
  }

  get done(): boolean {
    return this.phaseName === 'done';
  }

  /** Why the expert gave up, if it did. */
  get failure(): string | null {
    return this.failureReason;
  }

  nextAction(world: Readonly<WorldSnapshot>, currentQRad: readonly number[] = world.armQRad): ExpertAction {
    const tcp = forwardKinematics(this.chain, currentQRad);
    const object = world.objects.find((candidate) => candidate.kind === this.task.objectKind);
    if (!object) return this.giveUp(`there is no ${OBJECT_CATALOG[this.task.objectKind].name} to grasp`);
    const target = this.plan(world, object, tcp);
    this.lastOpeningMm = world.gripperOpeningMm;
    if (!target) return this.hold();
    this.phaseSteps += 1;
    if (this.phaseSteps > MAX_PHASE_STEPS) {
      const offM = normVec3(subVec3(target.positionM, tcp.positionM));
      return this.giveUp(`stuck in the ${this.phaseName} phase, TCP ${(offM * 100).toFixed(1)} cm from its target`);
    }
    return this.moveToward(tcp, target.positionM, target.rotation, target.gripper);
  }

  /** Advances the phase machine and returns this step's target, or null when done. */
  private plan(
    world: Readonly<WorldSnapshot>,
    object: WorldObject,
    tcp: Pose,
  ): { positionM: Vec3; rotation: Mat3; gripper: number } | null {
    for (let guard = 0; guard < 10; guard += 1) {
      const reached = (positionM: Vec3, rotation: Mat3) =>
        normVec3(subVec3(positionM, tcp.positionM)) <= REACHED_M &&
        normVec3(rotationErrorVector(rotation, tcp.rotation)) <= REACHED_RAD;
      const orientAt = (xM: number, yM: number) =>
        toolDownRotation(radialFingerYawRad(xM, yM) + (this.relativeYawRad ?? 0));
      const [ox, oy, oz] = object.positionM;
      const grasped = object.grasped;
      const fingersStopped =
        this.lastOpeningMm !== null && Math.abs(world.gripperOpeningMm - this.lastOpeningMm) < FINGERS_STOPPED_MM;
      switch (this.phaseName) {
        case 'approach': {
          if (this.relativeYawRad === null) this.relativeYawRad = relativeGraspYawRad(object);
          const hover: Vec3 = [ox, oy, oz + objectHeightM(object.shape) + HOVER_ABOVE_TOP_M];
          const rotation = orientAt(ox, oy);
          if (reached(hover, rotation)) {
            this.enter('descend');
            continue;
          }
          return { positionM: hover, rotation, gripper: 1 };
        }
        case 'descend': {
          const grip: Vec3 = [ox, oy, oz + graspHeightM(object)];
          const rotation = orientAt(ox, oy);
          // A gripper still opening after a missed grasp would not span the object yet.
          const open = world.gripperOpeningMm >= GRIPPER_MAX_STROKE_MM - OPEN_TOLERANCE_MM;
          if (reached(grip, rotation) && open) {
            this.enter('close');
            continue;
          }
          return { positionM: grip, rotation, gripper: 1 };
        }
        case 'close': {
          this.anchorM ??= [...tcp.positionM];
          // Lift only once the fingers have closed on the object (or on nothing).
          if (this.phaseSteps >= GRIPPER_STEPS && (grasped || fingersStopped)) {
            this.enter('lift');
            continue;
          }
          return { positionM: this.anchorM, rotation: orientAt(ox, oy), gripper: 0 };
        }
        case 'lift': {
          if (!grasped) {
            if (!this.retry('the grasp missed')) return null;
            continue;
          }
          const anchor = this.anchorM ?? tcp.positionM;
          const lifted: Vec3 = [anchor[0], anchor[1], this.carryTcpZ(object, tcp)];
          const rotation = orientAt(anchor[0], anchor[1]);
          if (reached(lifted, rotation)) {
            this.enter(this.task.template === 'pick_up' ? 'done' : 'carry');
            if (this.task.template === 'pick_up') return null;
            continue;
          }
          return { positionM: lifted, rotation, gripper: 0 };
        }
        case 'carry':
        case 'lower': {
          if (!grasped) {
            if (!this.retry('the object slipped out of the gripper')) return null;
            continue;
          }
          this.goalXyM ??= this.chooseGoal(world, object);
          if (!this.goalXyM) return null;
          const [gx, gy] = this.goalXyM;
          const rotation = orientAt(gx, gy);
          const heightM =
            this.phaseName === 'carry'
              ? this.carryTcpZ(object, tcp)
              : this.supportZ(world) + RELEASE_DROP_M + (tcp.positionM[2] - oz);
          const positionM: Vec3 = [gx, gy, heightM];
          if (reached(positionM, rotation)) {
            this.enter(this.phaseName === 'carry' ? 'lower' : 'open');
            continue;
          }
          return { positionM, rotation, gripper: 0 };
        }
        case 'open': {
          this.anchorM ??= [...tcp.positionM];
          if (this.phaseSteps >= GRIPPER_STEPS && fingersStopped) {
            this.enter('retreat');
            continue;
          }
          const [ax, ay] = this.anchorM;
          return { positionM: this.anchorM, rotation: orientAt(ax, ay), gripper: 1 };
        }
        case 'retreat': {
          this.anchorM ??= [...tcp.positionM];
          const [ax, ay, az] = this.anchorM;
          const up: Vec3 = [ax, ay, az + RETREAT_M];
          const rotation = orientAt(ax, ay);
          if (reached(up, rotation)) {
            this.enter('done');
            return null;
          }
          return { positionM: up, rotation, gripper: 1 };
        }
        case 'done':
          return null;
      }
    }
    return null;
  }

  private enter(phase: ExpertPhase): void {
    this.phaseName = phase;
    this.phaseSteps = 0;
    this.anchorM = null;
  }

  private retry(why: string): boolean {
    if (this.attempts >= MAX_GRASP_ATTEMPTS) {
      this.failureReason = `${why} ${this.attempts} times; gave up`;
      this.enter('done');
      return false;
    }
    this.attempts += 1;
    this.relativeYawRad = null;
    this.goalXyM = null;
    this.enter('approach');
    return true;
  }

  private giveUp(reason: string): ExpertAction {
    this.failureReason = reason;
    this.enter('done');
    return this.hold();
  }

  private hold(): ExpertAction {
    const gripper = this.task.template === 'pick_up' && !this.failureReason ? 0 : 1;
    return [0, 0, 0, 0, 0, 0, gripper];
  }

  private carryTcpZ(object: WorldObject, tcp: Pose): number {
    const tcpAboveBottomM = object.grasped ? tcp.positionM[2] - object.positionM[2] : graspHeightM(object);
    return Math.max(MIN_CARRY_TCP_Z_M, tcpAboveBottomM + CARRY_CLEARANCE_M);
  }

  /** Height of the surface the object is put down on. */
  private supportZ(world: Readonly<WorldSnapshot>): number {
    if (this.task.template !== 'put_in') return 0;
    const container = world.objects.find((object) => object.kind === this.containerKind());
    return container ? container.positionM[2] + OBJECT_CATALOG[container.kind].floorHeightM : 0;
  }

  private containerKind() {
    return this.task.template === 'put_in' ? this.task.containerKind : null;
  }

  private chooseGoal(world: Readonly<WorldSnapshot>, object: WorldObject): [number, number] | null {
    const task = this.task;
    if (task.template === 'pick_up') return null;
    const goalKind = task.template === 'put_in' ? task.containerKind : task.targetKind;
    const goal = world.objects.find((candidate) => candidate.kind === goalKind);
    if (!goal) {
      this.giveUp(`there is no ${OBJECT_CATALOG[goalKind].name} in the scene`);
      return null;
    }
    const [gx, gy] = goal.positionM;
    if (task.template === 'put_in') return [gx, gy];
    return nearSpot(world, object, goal);
  }

  private moveToward(tcp: Pose, positionM: Vec3, rotation: Mat3, gripper: number): ExpertAction {
    const translation = limitNorm(subVec3(positionM, tcp.positionM), MAX_TRANSLATION_STEP_M);
    const rotationVector = limitNorm(rotationErrorVector(rotation, tcp.rotation), MAX_ROTATION_STEP_RAD);
    const angleRad = normVec3(rotationVector);
    const rpy: Vec3 = angleRad > 0 ? matrixToRpy(axisAngleToMatrix(rotationVector, angleRad)) : [0, 0, 0];
    const noisy = (value: number, std: number, cap: number) => {
      const withNoise = std > 0 ? value + this.random.gaussian(0, std) : value;
      return Math.min(cap, Math.max(-cap, withNoise));
    };
    const std = this.noiseStd;
    return [
      ...translation.map((value) => noisy(value, std, MAX_TRANSLATION_STEP_M)),
      ...rpy.map((value) => noisy(value, std * ROTATION_NOISE_SCALE, MAX_ROTATION_STEP_RAD)),
      gripper,
    ] as ExpertAction;
  }
}

/**
 * A free spot beside the target for "move near": just clear of it, well inside the near distance,
 * on the side the object comes from when that side is free and in reach.
 */
function nearSpot(world: Readonly<WorldSnapshot>, object: WorldObject, target: WorldObject): [number, number] {
  const [tx, ty] = target.positionM;
  const radiusM = footprintRadiusM(object.shape);
  const distanceM = Math.min(NEAR_MAX_DISTANCE_M - 0.02, radiusM + footprintRadiusM(target.shape) + 0.01);
  const fromAngle = Math.atan2(object.positionM[1] - ty, object.positionM[0] - tx);
  let fallback: [number, number] | null = null;
  for (let k = 0; k < 16; k += 1) {
    // 0, +1, −1, +2, −2, … sixteenths of a turn away from the object's side.
    const angle = fromAngle + (k % 2 === 0 ? 1 : -1) * Math.ceil(k / 2) * (Math.PI / 8);
    const x = tx + distanceM * Math.cos(angle);
    const y = ty + distanceM * Math.sin(angle);
    const inReach =
      x >= WORKSPACE.minXM - 0.03 && x <= WORKSPACE.maxXM + 0.03 && Math.abs(y) <= WORKSPACE.maxAbsYM + 0.03;
    if (!inReach) continue;
    fallback ??= [x, y];
    const free = world.objects.every(
      (other) =>
        other.id === object.id ||
        other.id === target.id ||
        Math.hypot(other.positionM[0] - x, other.positionM[1] - y) >= radiusM + footprintRadiusM(other.shape),
    );
    if (free) return [x, y];
  }
  return fallback ?? [tx, ty];
}

/** The action as the EeDelta applyEeDelta takes. */
export function actionToEeDelta(action: readonly number[]): EeDelta {
  return {
    dxM: action[0]!,
    dyM: action[1]!,
    dzM: action[2]!,
    dRollRad: action[3]!,
    dPitchRad: action[4]!,
    dYawRad: action[5]!,
  };
}

/** Splits recorded actions into chunks of k (the policy's chunk length); the last may be shorter. */
export function chunkActions<T>(actions: readonly T[], k: number): T[][] {
  if (!(Number.isInteger(k) && k > 0)) throw new RangeError(`chunk length must be a positive whole number, got ${k}`);
  const chunks: T[][] = [];
  for (let start = 0; start < actions.length; start += k) chunks.push(actions.slice(start, start + k));
  return chunks;
}

/** gripperSpeedMmS defaults to the live arm's (LIVE_GRIPPER_SPEED_MM_S); Infinity closes in one step. */
export interface ExpertEpisodeOptions extends TabletopWorldOptions, ExpertOptions {
  maxSteps?: number;
  /** Control period; 0.1 s = 10 Hz. */
  dtS?: number;
  /** Keep every snapshot (initial + one per step) in the result. */
  recordSnapshots?: boolean;
}

export interface ExpertEpisodeResult {
  seed: number;
  instruction: string;
  success: boolean;
  /** The task check's explanation, plus the expert's own when it gave up or ran out of steps. */
  reason: string;
  steps: number;
  actions: ExpertAction[];
  /** Joint angles after each step. */
  jointTrajectoryRad: number[][];
  snapshotCount: number;
  snapshots?: WorldSnapshot[];
  finalSnapshot: WorldSnapshot;
  graspEvents: number;
  distractorGrasps: number;
  /** Steps whose IK did not converge (the arm then goes to the solver's best effort). */
  ikFailures: number;
}

export const DEFAULT_EXPERT_MAX_STEPS = 400;

/**
 * Runs the expert in closed loop, kinematically: each action moves the TCP through IK (joint
 * targets clamped to A1_JOINT_LIMITS, assumed reached), then the world steps.
 */
export function runExpertEpisode(
  chain: KinematicChain,
  seed: number,
  options: ExpertEpisodeOptions = {},
): ExpertEpisodeResult {
  const maxSteps = options.maxSteps ?? DEFAULT_EXPERT_MAX_STEPS;
  const dtS = options.dtS ?? 0.1;
  const world = new TabletopWorld(chain, seed, {
    ...options,
    gripperSpeedMmS: options.gripperSpeedMmS ?? LIVE_GRIPPER_SPEED_MM_S,
  });
  const expert = new ScriptedExpert(chain, world.task, {
    noiseStd: options.noiseStd,
    seed: options.seed ?? deriveSeed(seed, 'expert-noise'),
  });
  let qRad = [...A1_HOME_Q_RAD];
  let snapshot = world.snapshot();
  const snapshots = options.recordSnapshots ? [snapshot] : undefined;
  const actions: ExpertAction[] = [];
  const jointTrajectoryRad: number[][] = [];
  let ikFailures = 0;
  while (actions.length < maxSteps && !expert.done) {
    const action = expert.nextAction(snapshot, qRad);
    if (expert.done && action.slice(0, 6).every((value) => value === 0)) break;
    const ik = applyEeDelta(chain, qRad, actionToEeDelta(action), { limits: A1_JOINT_LIMITS });
    if (!ik.ok) ikFailures += 1;
    qRad = (ik.ok ? ik.qRad : ik.bestQRad).map((value, index) =>
      Math.min(A1_JOINT_LIMITS[index]!.upperRad, Math.max(A1_JOINT_LIMITS[index]!.lowerRad, value)),
    );
    world.step(qRad, action[6] * GRIPPER_MAX_STROKE_MM, dtS);
    actions.push(action);
    jointTrajectoryRad.push([...qRad]);
    snapshot = world.snapshot();
    snapshots?.push(snapshot);
  }
  const status = world.taskStatus();
  const notes = [
    expert.failure && `expert: ${expert.failure}`,
    !expert.done && `ran out of steps (${maxSteps}) in the ${expert.phase} phase`,
  ].filter((note): note is string => typeof note === 'string');
  return {
    seed,
    instruction: snapshot.instruction ?? '',
    success: status.success,
    reason: notes.length > 0 ? `${status.reason}; ${notes.join('; ')}` : status.reason,
    steps: actions.length,
    actions,
    jointTrajectoryRad,
    snapshotCount: actions.length + 1,
    ...(snapshots ? { snapshots } : {}),
    finalSnapshot: snapshot,
    graspEvents: world.graspEvents,
    distractorGrasps: world.distractorGrasps,
    ikFailures,
  };
}
