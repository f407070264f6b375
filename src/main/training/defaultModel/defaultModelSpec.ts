import { ROBOT_STATE_DIMS } from '../../../shared/policy/modelManifest';

/**
 * Everything that shapes coach-tiny. The camera is 4:3 like the live sim's scene camera (no squashing),
 * and the encoder sees only the crop where the table's workspace and the gripper appear.
 */
export interface DefaultModelSpec {
  camera: { widthPx: number; heightPx: number };
  /** The part of the camera image the encoder looks at. */
  crop: { top: number; left: number; heightPx: number; widthPx: number };
  /** The fine feature map: non-overlapping patches of this many pixels (a stride-`patchPx` convolution). */
  patchPx: number;
  fineChannels: number;
  /** The coarse map: 2 × 2 cells of the fine one (a stride-2 convolution). */
  coarseChannels: number;
  maxTokens: number;
  tokenWidth: number;
  /** Attention queries over the image cells: the named object, the goal, the gripper (learned), in that order. */
  queries: 3;
  /**
   * The wrist camera, a second picture (input wrist_image, encoded whole like the scene crop), or null for a
   * scene-camera-only policy. Near a grasp one of its pixels is 1–2 mm on the object, against 8–12 mm for the
   * scene camera.
   */
  wristCamera: { widthPx: number; heightPx: number } | null;
  /** Attention queries over the wrist picture's cells: the named object, the goal. */
  wristQueries: 2;
  stateWidth: number;
  taskWidth: number;
  /** Width of the learned part of the context; the prefix also passes its geometry through (prefixContextWidth). */
  contextWidth: number;
  /**
   * The prefix projects what its queries found, the task and the arm into contextWidth (a layer the frozen-prefix
   * behaviour cloning never trains); false passes them all to the expert, whose first layer then learns from them.
   */
  projectContext: boolean;
  chunkLength: number;
  dims: number;
  flowSteps: number;
  /**
   * flow.noiseScale of the package: the starting noise when it acts. Chosen on validation scenes (training
   * seeds no demonstration used; docs/default-policy.md): 0 solved 5/30, 0.5 4/30, 1 1/30.
   */
  actingNoiseScale: number;
  timeFeatures: number;
  expertWidth: number;
  expertBlocks: number;
  /** Seeds the initial weights. */
  seed: number;
}

export const DEFAULT_MODEL_SPEC: DefaultModelSpec = {
  camera: { widthPx: 160, heightPx: 120 },
  crop: { top: 24, left: 24, heightPx: 80, widthPx: 112 },
  patchPx: 4,
  fineChannels: 32,
  coarseChannels: 64,
  maxTokens: 8,
  tokenWidth: 16,
  queries: 3,
  wristCamera: { widthPx: 96, heightPx: 72 },
  wristQueries: 2,
  stateWidth: 32,
  taskWidth: 32,
  contextWidth: 128,
  projectContext: true,
  chunkLength: 5,
  dims: 7,
  flowSteps: 10,
  actingNoiseScale: 0,
  timeFeatures: 32,
  expertWidth: 256,
  expertBlocks: 3,
  seed: 7,
};

/** Cells of the fine feature map (the coarse one has half as many rows and columns). */
export function fineGrid(spec: DefaultModelSpec): { rows: number; cols: number } {
  const { crop, patchPx } = spec;
  if (crop.heightPx % (2 * patchPx) !== 0 || crop.widthPx % (2 * patchPx) !== 0)
    throw new RangeError(`the crop (${crop.widthPx}×${crop.heightPx}) must be a whole number of 2 × 2 patches`);
  return { rows: crop.heightPx / patchPx, cols: crop.widthPx / patchPx };
}

/** Features of the arm the prefix computes: the robot state, the TCP's position (×5) and rotation matrix. */
export const ARM_FEATURES = ROBOT_STATE_DIMS + 3 + 9;

/** Cells of the wrist picture's fine feature map (the whole picture in patchPx patches). */
export function wristGrid(spec: DefaultModelSpec): { rows: number; cols: number } {
  const wrist = spec.wristCamera;
  if (!wrist) throw new Error('this spec has no wrist camera');
  if (wrist.heightPx % (2 * spec.patchPx) !== 0 || wrist.widthPx % (2 * spec.patchPx) !== 0)
    throw new RangeError(
      `the wrist picture (${wrist.widthPx}×${wrist.heightPx}) must be a whole number of 2 × 2 patches`,
    );
  return { rows: wrist.heightPx / spec.patchPx, cols: wrist.widthPx / spec.patchPx };
}

/**
 * Geometry the prefix computes from the image points: each query's table point relative to the TCP and
 * absolute (4 per query), the named object's and the goal's table points from the TCP as the camera sees
 * it (4), and the seen TCP from the TCP by kinematics (2: the scene camera's jitter, as it shows there).
 * With a wrist camera, per wrist query: its point in the wrist picture (2), where its ray meets the object
 * plane from the TCP (2), and its attention's peak weight (1: high when the object is in view).
 */
export function geometryWidth(spec: DefaultModelSpec): number {
  return spec.queries * 4 + 6 + (spec.wristCamera ? spec.wristQueries * 5 : 0);
}

/**
 * Width of the context the prefix outputs: the learned projection, then the geometry and the arm's
 * features, passed through unchanged so that the expert sees them at full precision.
 */
export function prefixContextWidth(spec: DefaultModelSpec): number {
  return (spec.projectContext ? spec.contextWidth + geometryWidth(spec) : joinedWidth(spec)) + ARM_FEATURES;
}

/**
 * Width of everything the prefix joins before the projection: each scene and wrist query's point and the
 * features it found, the geometry, the task embedding and the arm's learned features.
 */
export function joinedWidth(spec: DefaultModelSpec): number {
  const found = spec.fineChannels + spec.coarseChannels + 2;
  const wristQueries = spec.wristCamera ? spec.wristQueries : 0;
  return (spec.queries + wristQueries) * found + geometryWidth(spec) + spec.taskWidth + spec.stateWidth;
}
