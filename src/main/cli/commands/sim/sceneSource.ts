import { A1_HOME_Q_RAD } from '../../../../shared/robot/kinematics';
import type { CameraSpec, ObjectKind, WorldObject, WorldSnapshot } from '../../../../shared/sim/worldTypes';

/**
 * Stand-in scene source for `coach sim render` until the world model (src/shared/sim/world,
 * generateScene) lands: a plausible tabletop from a seed and an instruction. Objects named in the
 * instruction are placed (a grape and a plate when it names none), plus one distractor; the arm is
 * at its home pose and the scene has a fixed "scene" camera and a "wrist" camera.
 */

/** Third-person camera: in front of the arm and to its right, looking back at the workspace. */
export const DEFAULT_SCENE_CAMERA: CameraSpec = {
  name: 'scene',
  mount: 'fixed',
  eyeM: [0.92, -0.45, 0.68],
  targetM: [0.3, 0, 0.18],
  fovYRad: (52 * Math.PI) / 180,
};

/**
 * Wrist camera, in the TCP frame (the tool points along the TCP's −y; the fingers open along its x):
 * behind the fingertips and off to the TCP's +z side, looking past the fingers at what is below them.
 */
export const DEFAULT_WRIST_CAMERA: CameraSpec = {
  name: 'wrist',
  mount: 'wrist',
  eyeM: [0, 0.06, 0.07],
  targetM: [0, -0.14, -0.01],
  fovYRad: (70 * Math.PI) / 180,
};

interface Template {
  color: string;
  shape: WorldObject['shape'];
  isContainer: boolean;
}

const TEMPLATES: Record<ObjectKind, Template> = {
  grape: { color: '#6a2c91', shape: { type: 'sphere', radiusM: 0.012 }, isContainer: false },
  plate: { color: '#f2f2ee', shape: { type: 'dish', radiusM: 0.1, heightM: 0.02 }, isContainer: true },
  eggplant: { color: '#4b1f5c', shape: { type: 'ellipsoid', radiiM: [0.085, 0.032, 0.03] }, isContainer: false },
  orange: { color: '#f28c1b', shape: { type: 'sphere', radiusM: 0.036 }, isContainer: false },
  soda_bottle: { color: '#c8102e', shape: { type: 'cylinder', radiusM: 0.032, heightM: 0.2 }, isContainer: false },
  cube: { color: '#2f7fd8', shape: { type: 'box', sizeM: [0.045, 0.045, 0.045] }, isContainer: false },
  bowl: { color: '#3aa17e', shape: { type: 'dish', radiusM: 0.075, heightM: 0.05 }, isContainer: true },
};

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function footprintRadius(kind: ObjectKind): number {
  const shape = TEMPLATES[kind].shape;
  switch (shape.type) {
    case 'sphere':
    case 'cylinder':
    case 'dish':
      return shape.radiusM;
    case 'box':
      return Math.hypot(shape.sizeM[0], shape.sizeM[1]) / 2;
    case 'ellipsoid':
      return shape.radiiM[0];
  }
}

export function sceneForCli(seed: number, task: string): WorldSnapshot {
  const random = prng(seed);
  const words = task.toLowerCase();
  const named = (Object.keys(TEMPLATES) as ObjectKind[]).filter((kind) =>
    kind === 'soda_bottle' ? /soda|bottle|\bcan\b/.test(words) : words.includes(kind),
  );
  const kinds: ObjectKind[] = named.length > 0 ? [...named] : ['grape', 'plate'];
  const distractors = (Object.keys(TEMPLATES) as ObjectKind[]).filter((kind) => !kinds.includes(kind));
  const distractor = distractors[Math.floor(random() * distractors.length)];
  if (distractor) kinds.push(distractor);

  const placed: WorldObject[] = [];
  for (const kind of kinds) {
    const template = TEMPLATES[kind];
    const radius = footprintRadius(kind);
    let x = 0.35;
    let y = 0;
    // Rejection sampling in the arm's comfortable reach, in front of it, without overlaps.
    for (let attempt = 0; attempt < 200; attempt += 1) {
      x = 0.22 + random() * 0.26;
      y = -0.22 + random() * 0.44;
      const clear = placed.every((other) => {
        const gap = Math.hypot(other.positionM[0] - x, other.positionM[1] - y);
        return gap > radius + footprintRadius(other.kind) + 0.02;
      });
      if (clear) break;
    }
    placed.push({
      id: `${kind}-${placed.length + 1}`,
      kind,
      color: template.color,
      shape: structuredClone(template.shape),
      positionM: [x, y, 0],
      yawRad: random() * Math.PI,
      isContainer: template.isContainer,
      grasped: false,
      insideId: null,
    });
  }
  return {
    seed,
    timeS: 0,
    instruction: task,
    table: { sizeM: [0.8, 1.0], centerM: [0.35, 0], color: '#b08a5e' },
    background: '#dfe3e8',
    armQRad: [...A1_HOME_Q_RAD],
    gripperOpeningMm: 60,
    objects: placed,
    lighting: { ambient: 0.45, directionFrom: [0.35, 0.45, 0.82], brightness: 1 },
    cameras: [structuredClone(DEFAULT_SCENE_CAMERA), structuredClone(DEFAULT_WRIST_CAMERA)],
  };
}
