import { ROBOT_STATE_DIMS } from '../../../shared/policy/modelManifest';
import type { KinematicChain, Mat3, Vec3 } from '../../../shared/robot/kinematics';
import { deriveSeed } from '../../../shared/sim/world/random';
import { DEFAULT_SCENE_CAMERA, DEFAULT_WRIST_CAMERA } from '../../../shared/sim/world/sceneGenerator';
import { cameraFromSpec } from '../../sim/render/cameraProjection';
import { linear } from '../../policy/testPackage/layers';
import { int, ints, OnnxGraphBuilder } from '../../policy/testPackage/onnxBuilder';
import {
  ARM_FEATURES,
  fineGrid,
  prefixContextWidth,
  joinedWidth,
  wristGrid,
  type DefaultModelSpec,
} from './defaultModelSpec';
import {
  flattenTo,
  forwardKinematicsNodes,
  OBJECT_PLANE_Z_M,
  sliceAxis,
  tablePlaneNodes,
  wristPlaneNodes,
} from './geometryLayers';
import { worldModelLatentNodes, WM_LATENT, WM_LATENT_NAMES } from './worldModelLatent';

export { WM_LATENT, WM_LATENT_NAMES } from './worldModelLatent';

export { OBJECT_PLANE_Z_M } from './geometryLayers';

const BATCH = 'batch';

const cameraSize = (spec: DefaultModelSpec) => ({ widthPx: spec.camera.widthPx, heightPx: spec.camera.heightPx });

/** Names of the prefix's inputs and its one output. */
export const PREFIX_IO = {
  image: 'image',
  wristImage: 'wrist_image',
  ids: 'input_ids',
  mask: 'attention_mask',
  state: 'robot_state',
  context: 'context',
} as const;

/** The extra output of the warm-up build: each query's soft-argmax point [B, Q, 2] in the crop's −1 … 1. */
export const PREFIX_KEYPOINTS = 'keypoints';
/** The same for the wrist queries [B, 2, 2], in the wrist picture's −1 … 1. */
export const PREFIX_WRIST_KEYPOINTS = 'wrist_keypoints';

/** Cell centres of a rows × cols grid as [x, y] in −1 … 1, row-major (the order the features are flattened in). */
export function cellCoordinates(rows: number, cols: number): number[] {
  const values: number[] = [];
  for (let row = 0; row < rows; row += 1)
    for (let col = 0; col < cols; col += 1) values.push(((col + 0.5) / cols) * 2 - 1, ((row + 0.5) / rows) * 2 - 1);
  return values;
}

/** Relu(Conv) with a square kernel whose stride is its size (patches that do not overlap), He-initialised. */
function patchConv(
  g: OnnxGraphBuilder,
  x: string,
  name: string,
  inChannels: number,
  outChannels: number,
  size: number,
) {
  const weight = g.weight(
    `${name}.weight`,
    [outChannels, inChannels, size, size],
    Math.sqrt(2 / (inChannels * size * size)),
  );
  const bias = g.filled(`${name}.bias`, [outChannels], 0);
  const conv = g.op('Conv', [x, weight, bias], { kernel_shape: ints([size, size]), strides: ints([size, size]) });
  return g.op('Relu', [conv]);
}

/**
 * A picture's features at two scales: fine cells (one per patch × patch pixels) and coarse cells (2 × 2
 * fine ones, with a larger view that tells objects apart), each with a learned position embedding, each
 * coarse cell repeated over its four fine cells. image [B, 3, rows·patch, cols·patch] → [B, C, rows·cols].
 */
function imageFeatures(
  g: OnnxGraphBuilder,
  image: string,
  name: string,
  grid: { rows: number; cols: number },
  spec: Pick<DefaultModelSpec, 'patchPx' | 'fineChannels' | 'coarseChannels'>,
): { features: string; channels: number } {
  const { rows, cols } = grid;
  const { fineChannels: fineC, coarseChannels: coarseC } = spec;
  const cells = rows * cols;
  const fineMap = patchConv(g, image, `${name}.fine`, 3, fineC, spec.patchPx);
  const coarseMap = patchConv(g, fineMap, `${name}.coarse`, fineC, coarseC, 2);
  const fine = g.op('Reshape', [
    g.op('Add', [fineMap, g.weight(`${name}.fine_position`, [1, fineC, rows, cols], 0.1)]),
    g.constant([0, fineC, cells], [3]),
  ]);
  // Each coarse cell repeated over its 2 × 2 fine cells: [B, C, rows/2, 1, cols/2, 1] × ones [.., 2, .., 2].
  const coarseWithPosition = g.op('Add', [
    coarseMap,
    g.weight(`${name}.coarse_position`, [1, coarseC, rows / 2, cols / 2], 0.1),
  ]);
  const coarse = g.op('Reshape', [
    g.op('Mul', [
      g.op('Reshape', [coarseWithPosition, g.constant([0, coarseC, rows / 2, 1, cols / 2, 1], [6])]),
      g.constant(new Array<number>(4).fill(1), [1, 1, 1, 2, 1, 2], 'float32'),
    ]),
    g.constant([0, coarseC, cells], [3]),
  ]);
  return { features: g.op('Concat', [fine, coarse], { axis: int(1) }), channels: fineC + coarseC };
}

/**
 * Attention of `count` queries made from the instruction's words over a picture's cells: a softmax over
 * the cells gives each query a soft-argmax point (`where` [B, count, 2], −1 … 1), the features it found
 * there (`what`), both flattened in `found` [B, count·(C + 2)], and its attention map.
 */
function attendCells(
  g: OnnxGraphBuilder,
  words: string,
  wordsWidth: number,
  name: string,
  count: number,
  image: { features: string; channels: number },
  grid: { rows: number; cols: number },
): { where: string; found: string; attention: string } {
  const { features, channels } = image;
  const cells = grid.rows * grid.cols;
  const queryVectors = g.op('Reshape', [
    linear(g, words, name, wordsWidth, count * channels, 1 / Math.sqrt(channels)),
    g.constant([0, count, channels], [3]),
  ]);
  const attention = g.op('Softmax', [g.op('MatMul', [queryVectors, features])], { axis: int(-1) });
  const where = g.op('MatMul', [attention, g.constant(cellCoordinates(grid.rows, grid.cols), [cells, 2], 'float32')]);
  const what = g.op('MatMul', [attention, g.op('Transpose', [features], { perm: ints([0, 2, 1]) })]);
  const found = g.op('Reshape', [
    g.op('Concat', [where, what], { axis: int(2) }),
    g.constant([0, count * (channels + 2)], [2]),
  ]);
  return { where, found, attention };
}

const IDENTITY_POSE = { positionM: [0, 0, 0] as Vec3, rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] as Mat3 };

/**
 * The wrist picture's branch: its own encoder, two queries (the named object, the goal), and for each its
 * point in the picture, where its ray meets the object plane from the TCP (the camera rides on the TCP, so
 * this needs only the TCP's pose by kinematics), and its attention's peak (whether it found the thing).
 */
function wristBranch(
  g: OnnxGraphBuilder,
  spec: DefaultModelSpec,
  words: string,
  tcp: { positionM: string; rotation: string },
): { found: string; geometry: string; where: string } {
  const wrist = spec.wristCamera!;
  const grid = wristGrid(spec);
  const image = g.input(PREFIX_IO.wristImage, 'float32', [BATCH, 3, wrist.heightPx, wrist.widthPx]);
  const encoded = imageFeatures(g, image, 'wrist_encoder', grid, spec);
  const wordsWidth = spec.maxTokens * spec.tokenWidth;
  const { where, found, attention } = attendCells(
    g,
    words,
    wordsWidth,
    'instruction.wrist_queries',
    spec.wristQueries,
    encoded,
    grid,
  );
  const pixels = g.op('Add', [
    g.op('Mul', [where, g.constant([wrist.widthPx / 2, wrist.heightPx / 2], [2], 'float32')]),
    g.constant([wrist.widthPx / 2, wrist.heightPx / 2], [2], 'float32'),
  ]);
  const nominal = cameraFromSpec(DEFAULT_WRIST_CAMERA, { ...wrist, tcpPose: IDENTITY_POSE });
  const onPlane = wristPlaneNodes(g, pixels, tcp, nominal, OBJECT_PLANE_Z_M);
  const peak = g.op('ReduceMax', [attention, g.constant([2], [1])], { keepdims: int(0) }); // [B, Q]
  const n = spec.wristQueries;
  const geometry = g.op(
    'Concat',
    [flattenTo(g, where, n * 2), flattenTo(g, g.op('Mul', [onPlane, g.constant([10], [1], 'float32')]), n * 2), peak],
    { axis: int(1) },
  );
  return { found, geometry, where };
}

/**
 * coach-tiny's prefix. The scene image is cropped to where the workspace and the gripper appear and
 * encoded at two scales: fine cells (one per patchPx × patchPx patch) and coarse cells (2 × 2 fine ones,
 * with a larger view that tells objects apart), each with a learned position embedding. The
 * instruction's word embeddings, kept in order, give `queries` attention queries (the named object, the
 * goal, the gripper); a query's logit at a fine cell is its match with the fine features plus its match
 * with the coarse cell above it. A softmax over the fine cells gives each query a soft-argmax position and
 * the features it found there. Geometry the network need not learn is computed in the graph: the TCP's
 * pose by forward kinematics of the joint angles, and where each query's image point lies on the table
 * (through the nominal scene camera), also relative to the TCP. These, a task embedding and the robot
 * state make the context [B, width].
 * The batch axis stays symbolic throughout (Reshape with 0 copies it), so the trainer runs it batched.
 */
export async function buildDefaultPrefix(
  spec: DefaultModelSpec,
  vocabSize: number,
  chain: KinematicChain,
  options: { keypointsOutput?: boolean; worldModelLatent?: boolean } = {},
): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('coach_tiny_prefix', deriveSeed(spec.seed, 'prefix'));
  const { camera, crop, maxTokens, tokenWidth, queries } = spec;
  const { rows, cols } = fineGrid(spec);
  const image = g.input(PREFIX_IO.image, 'float32', [BATCH, 3, camera.heightPx, camera.widthPx]);
  const ids = g.input(PREFIX_IO.ids, 'int64', [BATCH, maxTokens]);
  const mask = g.input(PREFIX_IO.mask, 'int64', [BATCH, maxTokens]);
  const state = g.input(PREFIX_IO.state, 'float32', [BATCH, ROBOT_STATE_DIMS]);

  const cropped = g.op('Slice', [
    image,
    g.constant([crop.top, crop.left], [2]),
    g.constant([crop.top + crop.heightPx, crop.left + crop.widthPx], [2]),
    g.constant([2, 3], [2]),
  ]);
  const scene = imageFeatures(g, cropped, 'encoder', { rows, cols }, spec);

  // Instruction: word embeddings in order (padding zeroed), flattened, so "X near Y" differs from "Y near X".
  const tokens = g.op('Gather', [g.weight('instruction.embedding', [vocabSize, tokenWidth], 1), ids]);
  const tokenMask = g.op('Unsqueeze', [g.op('Cast', [mask], { to: int(1) }), g.constant([2], [1])]);
  const words = g.op('Reshape', [g.op('Mul', [tokens, tokenMask]), g.constant([0, maxTokens * tokenWidth], [2])]);

  const { where, found } = attendCells(g, words, maxTokens * tokenWidth, 'instruction.queries', queries, scene, {
    rows,
    cols,
  });

  // Geometry: the TCP by forward kinematics; each query's point on the table, absolute and from the TCP.
  const tcp = forwardKinematicsNodes(g, state, chain);
  const tcpPosition = flattenTo(g, tcp.positionM, 3);
  const tcpXy = g.op('Unsqueeze', [sliceAxis(g, tcpPosition, 1, 0, 2), g.constant([1], [1])]); // [B, 1, 2]
  const pixels = g.op('Add', [
    g.op('Mul', [where, g.constant([crop.widthPx / 2, crop.heightPx / 2], [2], 'float32')]),
    g.constant([crop.left + crop.widthPx / 2, crop.top + crop.heightPx / 2], [2], 'float32'),
  ]);
  const nominal = cameraFromSpec(DEFAULT_SCENE_CAMERA, cameraSize(spec));
  const onTable = tablePlaneNodes(g, pixels, nominal, OBJECT_PLANE_Z_M);
  const fromTcp = g.op('Sub', [onTable, tcpXy]);
  // The TCP as the camera sees it: the gripper query's point on the plane at the TCP's height. The scene
  // camera's jitter moves it as it moves the objects' points, so the object from the seen TCP is free of
  // most of it (median 3.6 mm off with perfect image points, against 10.6 mm from the kinematic TCP:
  // bench/training/geometryErrorBench.ts).
  const tcpZ = g.op('Unsqueeze', [sliceAxis(g, tcpPosition, 1, 2, 3), g.constant([1], [1])]); // [B, 1, 1]
  const seenTcp = tablePlaneNodes(g, sliceAxis(g, pixels, 1, 2, 3), nominal, tcpZ); // [B, 1, 2]
  const fromSeenTcp = g.op('Sub', [sliceAxis(g, onTable, 1, 0, 2), seenTcp]); // named object, goal
  const scaled = (x: string, scale: number, n: number) =>
    flattenTo(g, g.op('Mul', [x, g.constant([scale], [1], 'float32')]), n);
  const wrist = spec.wristCamera ? wristBranch(g, spec, words, tcp) : null;
  const geometry = g.op(
    'Concat',
    [
      scaled(fromTcp, 10, queries * 2),
      scaled(onTable, 5, queries * 2),
      scaled(fromSeenTcp, 10, 4),
      scaled(g.op('Sub', [seenTcp, tcpXy]), 10, 2),
      ...(wrist ? [wrist.geometry] : []),
    ],
    { axis: int(1) },
  );

  const task = g.op('Gelu', [linear(g, words, 'instruction.task', maxTokens * tokenWidth, spec.taskWidth)]);
  const armFeatures = g.op(
    'Concat',
    [state, g.op('Mul', [tcpPosition, g.constant([5], [1], 'float32')]), flattenTo(g, tcp.rotation, 9)],
    { axis: int(1) },
  );
  const arm = g.op('Gelu', [linear(g, armFeatures, 'state', ARM_FEATURES, spec.stateWidth)]);
  const joined = g.op('Concat', [found, ...(wrist ? [wrist.found] : []), geometry, task, arm], { axis: int(1) });
  const context = spec.projectContext
    ? g.op(
        'Concat',
        [
          g.op('Gelu', [linear(g, joined, 'context_proj', joinedWidth(spec), spec.contextWidth)]),
          geometry,
          armFeatures,
        ],
        { axis: int(1) },
      )
    : g.op('Concat', [joined, armFeatures], { axis: int(1) });
  g.output(context, PREFIX_IO.context, 'float32', [BATCH, prefixContextWidth(spec)]);
  // The same graph and weights with the queries' soft-argmax points as a second output, for the warm-up.
  if (options.keypointsOutput) g.output(where, PREFIX_KEYPOINTS, 'float32', [BATCH, queries, 2]);
  if (options.keypointsOutput && wrist)
    g.output(wrist.where, PREFIX_WRIST_KEYPOINTS, 'float32', [BATCH, spec.wristQueries, 2]);
  if (options.worldModelLatent)
    g.output(
      worldModelLatentNodes(g, { pixels, onTable, nominal, tcpPosition, tcpZ, seenTcp, state }),
      WM_LATENT,
      'float32',
      [BATCH, WM_LATENT_NAMES.length],
    );
  return g.toBytes();
}
