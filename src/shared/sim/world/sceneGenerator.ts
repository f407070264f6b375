import { A1_HOME_Q_RAD, type Vec3 } from '../../robot/kinematics';
import { GRIPPER_MAX_STROKE_MM } from '../../robot/a1Spec';
import {
  OBJECT_KINDS,
  type CameraSpec,
  type Lighting,
  type ObjectKind,
  type WorldObject,
  type WorldSnapshot,
} from '../worldTypes';
import { OBJECT_CATALOG, footprintRadiusM } from './objectCatalog';
import { SeededRandom, deriveSeed } from './random';
import {
  checkTask,
  instructionFor,
  requireTask,
  sampleTask,
  taskObjectKinds,
  type Task,
  type TaskTemplate,
} from './tasks';

export interface SceneOptions {
  /** Set the scene up for this instruction; otherwise a seeded random task. */
  instruction?: string;
  /** With no instruction: the template of the random task. */
  template?: TaskTemplate;
  /** Objects the task does not name, 0…3; seeded random when left out. */
  distractors?: number;
}

/** Where objects are placed: comfortably inside the A1's reach with the gripper pointing down. */
export const WORKSPACE = {
  minXM: 0.22,
  maxXM: 0.5,
  maxAbsYM: 0.25,
  /** Object footprints stay this far from the arm's base axis. */
  baseClearanceM: 0.14,
  /** Free space between neighbouring footprints. */
  gapM: 0.015,
} as const;

export const MAX_DISTRACTORS = 3;

export const TABLE = { sizeM: [0.8, 1.0] as [number, number], centerM: [0.35, 0] as [number, number] };

/** Third-person camera behind the robot and to its left, above, looking over it at the workspace. */
export const DEFAULT_SCENE_CAMERA: CameraSpec = {
  name: 'scene',
  mount: 'fixed',
  eyeM: [-0.3, 0.42, 0.72],
  targetM: [0.36, 0, 0.06],
  fovYRad: (55 * Math.PI) / 180,
};

/**
 * Wrist camera in the TCP frame, where the tool points along −y: behind the fingertips, offset to the
 * TCP's +z, looking down the tool axis past the fingers.
 */
export const DEFAULT_WRIST_CAMERA: CameraSpec = {
  name: 'wrist',
  mount: 'wrist',
  eyeM: [0, 0.06, 0.07],
  targetM: [0, -0.14, -0.01],
  fovYRad: (70 * Math.PI) / 180,
};

const TABLE_COLOR = '#b08a5e';
const BACKGROUND = '#dfe3e8';
const LAYOUT_ATTEMPTS = 40;
const PLACEMENT_ATTEMPTS = 200;

/** The task a scene was generated for (scenes always carry a valid instruction). */
export function sceneTask(snapshot: Pick<WorldSnapshot, 'instruction'>): Task {
  if (snapshot.instruction === null) throw new Error('the scene has no instruction');
  return requireTask(snapshot.instruction);
}

/** A seeded tabletop scene with the arm at home and the gripper open. Throws on a bad instruction. */
export function generateScene(seed: number, options: SceneOptions = {}): WorldSnapshot {
  const distractors = options.distractors;
  if (
    distractors !== undefined &&
    !(Number.isInteger(distractors) && distractors >= 0 && distractors <= MAX_DISTRACTORS)
  ) {
    throw new RangeError(`distractors must be a whole number from 0 to ${MAX_DISTRACTORS}, got ${distractors}`);
  }
  const random = new SeededRandom(deriveSeed(seed, 'scene'));
  const task =
    options.instruction !== undefined ? requireTask(options.instruction) : sampleTask(random, options.template);
  const named = taskObjectKinds(task);
  const distractorCount = distractors ?? random.int(0, MAX_DISTRACTORS);
  const others = random.shuffle(OBJECT_KINDS.filter((kind) => !named.includes(kind)));
  const kinds = [...named, ...others.slice(0, distractorCount)];

  const objects = layOut(kinds, random, (placed) => !checkTask(task, placed).success);
  const look = new SeededRandom(deriveSeed(seed, 'look'));
  return {
    seed,
    timeS: 0,
    instruction: options.instruction?.trim() ?? instructionFor(task),
    table: { sizeM: [...TABLE.sizeM], centerM: [...TABLE.centerM], color: jitterColor(TABLE_COLOR, look, 0.06) },
    background: jitterColor(BACKGROUND, look, 0.04),
    armQRad: [...A1_HOME_Q_RAD],
    gripperOpeningMm: GRIPPER_MAX_STROKE_MM,
    objects: objects.map((object) => ({
      ...object,
      color: jitterColor(look.pick(OBJECT_CATALOG[object.kind].colors), look, 0.08),
    })),
    lighting: jitterLighting(look),
    cameras: [
      jitterCamera(DEFAULT_SCENE_CAMERA, look, 0.02, 0.01),
      jitterCamera(DEFAULT_WRIST_CAMERA, look, 0.003, 0.005),
    ],
  };
}

/**
 * Rejection sampling, biggest footprints first. A layout that cannot fit, or in which the task is already
 * done (a "move near" pair placed close together), is redrawn; after that many tries the last kinds
 * (distractors) are dropped one by one, so it always ends.
 */
function layOut(
  kinds: readonly ObjectKind[],
  random: SeededRandom,
  acceptable: (objects: WorldObject[]) => boolean,
): WorldObject[] {
  for (let count = kinds.length; count > 0; count -= 1) {
    const chosen = kinds.slice(0, count);
    const order = [...chosen].sort(
      (a, b) => footprintRadiusM(OBJECT_CATALOG[b].shape) - footprintRadiusM(OBJECT_CATALOG[a].shape),
    );
    for (let attempt = 0; attempt < LAYOUT_ATTEMPTS; attempt += 1) {
      const placed = tryLayout(order, random);
      if (!placed) continue;
      const objects = chosen.map((kind) => placed.find((object) => object.kind === kind)!);
      if (acceptable(objects)) return objects;
    }
  }
  throw new Error('cannot lay out the scene');
}

function tryLayout(order: readonly ObjectKind[], random: SeededRandom): WorldObject[] | null {
  const placed: WorldObject[] = [];
  for (const kind of order) {
    const spec = OBJECT_CATALOG[kind];
    const radiusM = footprintRadiusM(spec.shape);
    let position: Vec3 | null = null;
    for (let attempt = 0; attempt < PLACEMENT_ATTEMPTS && !position; attempt += 1) {
      const x = random.uniform(WORKSPACE.minXM, WORKSPACE.maxXM);
      const y = random.uniform(-WORKSPACE.maxAbsYM, WORKSPACE.maxAbsYM);
      const clearOfBase = Math.hypot(x, y) - radiusM >= WORKSPACE.baseClearanceM;
      const clearOfOthers = placed.every(
        (other) =>
          Math.hypot(other.positionM[0] - x, other.positionM[1] - y) >=
          radiusM + footprintRadiusM(other.shape) + WORKSPACE.gapM,
      );
      if (clearOfBase && clearOfOthers) position = [x, y, 0];
    }
    if (!position) return null;
    placed.push({
      id: `${kind}-1`,
      kind,
      color: spec.colors[0]!,
      shape: structuredClone(spec.shape),
      positionM: position,
      yawRad: random.uniform(-Math.PI, Math.PI),
      isContainer: spec.isContainer,
      grasped: false,
      insideId: null,
    });
  }
  return placed;
}

/** Scales each RGB channel by 1 ± amount (independently), so hue and brightness both wander a little. */
export function jitterColor(hex: string, random: SeededRandom, amount: number): string {
  const value = Number.parseInt(hex.slice(1), 16);
  const channels = [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
  return `#${channels
    .map((channel) => {
      const jittered = Math.round(channel * (1 + random.uniform(-amount, amount)));
      return Math.min(255, Math.max(0, jittered)).toString(16).padStart(2, '0');
    })
    .join('')}`;
}

function jitterLighting(random: SeededRandom): Lighting {
  const direction: Vec3 = [0.35 + random.uniform(-0.1, 0.1), 0.45 + random.uniform(-0.1, 0.1), 0.82];
  const length = Math.hypot(...direction);
  return {
    ambient: random.uniform(0.4, 0.5),
    directionFrom: [direction[0] / length, direction[1] / length, direction[2] / length],
    brightness: random.uniform(0.92, 1.08),
  };
}

function jitterCamera(spec: CameraSpec, random: SeededRandom, eyeM: number, targetM: number): CameraSpec {
  const jitter = (v: Vec3, amount: number): Vec3 => [
    v[0] + random.uniform(-amount, amount),
    v[1] + random.uniform(-amount, amount),
    v[2] + random.uniform(-amount, amount),
  ];
  return {
    ...spec,
    eyeM: jitter(spec.eyeM, eyeM),
    targetM: jitter(spec.targetM, targetM),
    fovYRad: spec.fovYRad + random.uniform(-1, 1) * (Math.PI / 180),
  };
}
