import { DEFAULT_GRIPPER_MM_PER_RAD, GRIPPER_MAX_STROKE_MM } from '../../robot/a1Spec';
import {
  addVec3,
  forwardKinematics,
  rotateVec3,
  subVec3,
  transposeMat3,
  type KinematicChain,
  type Pose,
  type Vec3,
} from '../../robot/kinematics';
import type { WorldObject, WorldSnapshot } from '../worldTypes';
import { OBJECT_CATALOG, footprintRadiusM, objectHeightM, widthAlongM } from './objectCatalog';
import { generateScene, sceneTask, type SceneOptions } from './sceneGenerator';
import { checkTask, taskObjectKinds, type Task, type TaskStatus } from './tasks';

/** Closing to within this of the object's width counts as squeezing it (finger pads give a little). */
export const GRASP_MARGIN_MM = 3;
/** The fingertips must reach this far below the object's top to hold it. */
const MIN_FINGER_DEPTH_M = 0.005;
/** The TCP may sit this far below the object's bottom (fingertips beside it, touching the table). */
const BELOW_BOTTOM_SLACK_M = 0.01;

/**
 * How fast the live arm's gripper opens and closes: the safety governor's gripper cap (1 rad/s) times the
 * stroke per motor radian. Kinematic runs (evaluation, demonstrations) pass it so that a policy which
 * lifts before its fingers have closed fails there as it would on the arm.
 */
export const LIVE_GRIPPER_SPEED_MM_S = 1 * DEFAULT_GRIPPER_MM_PER_RAD;

export interface TabletopWorldOptions extends SceneOptions {
  /**
   * The fingers move toward the commanded opening at most this fast. Default: no limit, for callers that
   * feed the measured opening of an arm whose own dynamics limit it (the live sim).
   */
  gripperSpeedMmS?: number;
}

export type WorldEventType = 'grasp' | 'distractor_grasp' | 'release';

export interface WorldEvent {
  timeS: number;
  type: WorldEventType;
  objectId: string;
  /** For releases: the container it settled in, if any. */
  insideId?: string | null;
}

interface Grasp {
  objectId: string;
  /** The object's bottom centre in the TCP frame, and its yaw relative to the finger axis. */
  offsetInTcpM: Vec3;
  yawOffsetRad: number;
  widthMm: number;
}

/** Yaw of the finger axis (the TCP's x axis) projected onto the table. */
export function fingerYawRad(tcp: Pose): number {
  return Math.atan2(tcp.rotation[3], tcp.rotation[0]);
}

/**
 * The tabletop's state, driven by the arm's joint angles through the real kinematics. Objects are
 * rigid; they move only when held, fall straight down when released and settle at once on the table
 * or on the floor of a container they were released above. The arm does not push objects, and
 * released objects do not stack on one another.
 */
export class TabletopWorld {
  readonly task: Task;
  private state: WorldSnapshot;
  private grasp: Grasp | null = null;
  private readonly eventLog: WorldEvent[] = [];

  private readonly gripperSpeedMmS: number;

  /**
   * The scene generated from `seed`, or a copy of a snapshot's world (a held object stays held where it sits
   * in the fingers; the event log starts empty).
   */
  constructor(
    private readonly chain: KinematicChain,
    seed: number | WorldSnapshot,
    options: TabletopWorldOptions = {},
  ) {
    const speed = options.gripperSpeedMmS ?? Infinity;
    if (!(speed > 0)) throw new RangeError(`gripper speed must be above 0 mm/s, got ${speed}`);
    this.gripperSpeedMmS = speed;
    this.state = typeof seed === 'number' ? generateScene(seed, options) : structuredClone(seed);
    this.task = sceneTask(this.state);
    const held = this.state.objects.find((object) => object.grasped);
    if (held) this.grasp = graspAsItSits(held, forwardKinematics(chain, this.state.armQRad));
  }

  /** A deep copy of the current state. */
  snapshot(): WorldSnapshot {
    return structuredClone(this.state);
  }

  get events(): readonly WorldEvent[] {
    return this.eventLog;
  }

  get graspEvents(): number {
    return this.eventLog.filter((event) => event.type === 'grasp').length;
  }

  get distractorGrasps(): number {
    return this.eventLog.filter((event) => event.type === 'distractor_grasp').length;
  }

  /** The id of the held object, if any. */
  get heldObjectId(): string | null {
    return this.grasp?.objectId ?? null;
  }

  taskStatus(): TaskStatus {
    return checkTask(this.task, this.state.objects);
  }

  /**
   * Advances the world to the arm's new joint angles and commanded gripper opening (0 … 60 mm), which the
   * fingers approach at most at the gripper speed. A held object keeps them from closing past its width.
   */
  step(armQRad: readonly number[], gripperOpeningMm: number, dtS: number): void {
    if (armQRad.length !== this.chain.joints.length || !armQRad.every(Number.isFinite)) {
      throw new Error(`expected ${this.chain.joints.length} finite joint angles, got [${armQRad.join(', ')}]`);
    }
    if (!Number.isFinite(gripperOpeningMm) || !(Number.isFinite(dtS) && dtS >= 0)) {
      throw new Error(`gripper opening (${gripperOpeningMm} mm) and time step (${dtS} s) must be finite, dt ≥ 0`);
    }
    const previousMm = this.state.gripperOpeningMm;
    const targetMm = Math.min(GRIPPER_MAX_STROKE_MM, Math.max(0, gripperOpeningMm));
    const reachMm = Number.isFinite(this.gripperSpeedMmS) ? this.gripperSpeedMmS * dtS : Infinity;
    const commandedMm = Math.min(previousMm + reachMm, Math.max(previousMm - reachMm, targetMm));
    this.state.timeS += dtS;
    this.state.armQRad = [...armQRad];
    const tcp = forwardKinematics(this.chain, armQRad);

    if (this.grasp && commandedMm > this.grasp.widthMm + GRASP_MARGIN_MM) this.release();
    if (!this.grasp) this.tryGrasp(tcp, previousMm, commandedMm);
    if (this.grasp) this.carry(tcp, this.grasp);
    this.state.gripperOpeningMm = this.grasp ? Math.max(commandedMm, this.grasp.widthMm) : commandedMm;
  }

  private object(id: string): WorldObject {
    const found = this.state.objects.find((object) => object.id === id);
    if (!found) throw new Error(`no object ${id}`);
    return found;
  }

  /**
   * Fingers that were open wider than an object and now close to within the margin of its width,
   * with the TCP inside its grasp zone, catch it. The nearest such object wins.
   */
  private tryGrasp(tcp: Pose, previousMm: number, commandedMm: number): void {
    const fingerYaw = fingerYawRad(tcp);
    const fingerAxis: [number, number] = [Math.cos(fingerYaw), Math.sin(fingerYaw)];
    let best: { object: WorldObject; distanceM: number; widthMm: number } | null = null;
    for (const object of this.state.objects) {
      const spec = OBJECT_CATALOG[object.kind];
      if (!spec.isGraspable) continue;
      const widthMm = widthAlongM(object, fingerAxis) * 1000;
      if (!(previousMm >= widthMm && commandedMm <= widthMm + GRASP_MARGIN_MM)) continue;
      const [dx, dy, dz] = subVec3(tcp.positionM, object.positionM);
      const distanceM = Math.hypot(dx, dy);
      const heightM = objectHeightM(object.shape);
      const inZone =
        distanceM <= spec.graspZoneRadiusM && dz >= -BELOW_BOTTOM_SLACK_M && dz <= heightM - MIN_FINGER_DEPTH_M;
      if (inZone && (!best || distanceM < best.distanceM)) best = { object, distanceM, widthMm };
    }
    if (!best) return;
    const { object } = best;
    object.grasped = true;
    object.insideId = null;
    this.grasp = graspAsItSits(object, tcp);
    this.record('grasp', object.id);
    if (!taskObjectKinds(this.task).includes(object.kind)) this.record('distractor_grasp', object.id);
  }

  private carry(tcp: Pose, grasp: Grasp): void {
    const object = this.object(grasp.objectId);
    const position = addVec3(tcp.positionM, rotateVec3(tcp.rotation, grasp.offsetInTcpM));
    // Pressed into the table, the object slips up between the fingers rather than sinking in.
    if (position[2] < 0) {
      position[2] = 0;
      grasp.offsetInTcpM = rotateVec3(transposeMat3(tcp.rotation), subVec3(position, tcp.positionM));
    }
    object.positionM = position;
    object.yawRad = wrapRad(fingerYawRad(tcp) + grasp.yawOffsetRad);
  }

  /** Drops the held object straight down onto the table, or into a container it is above. */
  private release(): void {
    const grasp = this.grasp!;
    this.grasp = null;
    const object = this.object(grasp.objectId);
    object.grasped = false;
    const [x, y] = object.positionM;
    const container = this.state.objects.find(
      (other) =>
        other.isContainer &&
        other.id !== object.id &&
        other.shape.type === 'dish' &&
        Math.hypot(x - other.positionM[0], y - other.positionM[1]) <= other.shape.radiusM,
    );
    if (container && container.shape.type === 'dish') {
      // Slides down the container's wall until its footprint fits inside.
      const [cx, cy, cz] = container.positionM;
      const distanceM = Math.hypot(x - cx, y - cy);
      const maxDistanceM = Math.max(0, container.shape.radiusM - footprintRadiusM(object.shape));
      const scale = distanceM > maxDistanceM ? maxDistanceM / distanceM : 1;
      object.positionM = [
        cx + (x - cx) * scale,
        cy + (y - cy) * scale,
        cz + OBJECT_CATALOG[container.kind].floorHeightM,
      ];
      object.insideId = container.id;
    } else {
      object.positionM = [x, y, 0];
      object.insideId = null;
    }
    this.record('release', object.id, object.insideId);
  }

  private record(type: WorldEventType, objectId: string, insideId?: string | null): void {
    const event: WorldEvent = { timeS: this.state.timeS, type, objectId };
    if (insideId !== undefined) event.insideId = insideId;
    this.eventLog.push(event);
  }
}

/** The grasp that holds `object` where it is relative to the TCP. */
function graspAsItSits(object: WorldObject, tcp: Pose): Grasp {
  const fingerYaw = fingerYawRad(tcp);
  return {
    objectId: object.id,
    offsetInTcpM: rotateVec3(transposeMat3(tcp.rotation), subVec3(object.positionM, tcp.positionM)),
    yawOffsetRad: object.yawRad - fingerYaw,
    widthMm: widthAlongM(object, [Math.cos(fingerYaw), Math.sin(fingerYaw)]) * 1000,
  };
}

function wrapRad(angleRad: number): number {
  return Math.atan2(Math.sin(angleRad), Math.cos(angleRad));
}
