import fs from 'node:fs/promises';
import path from 'node:path';
import { ROBOT_STATE_DIMS } from '../../shared/policy/modelManifest';
import { deriveSeed } from '../../shared/sim/world/random';
import { MAX_ROTATION_STEP_RAD, MAX_TRANSLATION_STEP_M } from '../../shared/sim/world/scriptedExpert';
import { WORLD_MODEL_PACKAGE_FORMAT, type WorldModelManifestInput } from '../../shared/worldModel/worldModelManifest';
import { formatJson } from '../policy/testPackage/formatJson';
import { linear } from '../policy/testPackage/layers';
import { int, ints, OnnxGraphBuilder } from '../policy/testPackage/onnxBuilder';
import { buildTestTokenizer, buildTestTokenizerConfig, testVocabulary } from '../policy/testPackage/testTokenizer';

export interface TestWorldModelOptions {
  /** Latent size L (default 32). */
  latentSize?: number;
  /** Seeds every weight: the same options give the same bytes (default 1). */
  seed?: number;
  /** The encoder also reads the instruction (token ids and mask); tokenizer.json is written (default false). */
  withInstruction?: boolean;
  /** The encoder also reads the arm's state, [B, 7] (default false). */
  withRobotState?: boolean;
}

/** Sizes of every test world model. */
export const TEST_WORLD_MODEL_SHAPE = {
  widthPx: 64,
  heightPx: 48,
  /** AveragePool block: 64 × 48 → 8 × 6 per channel. */
  pool: 8,
  /** Width of the encoder's hidden features. */
  hidden: 64,
  maxTokens: 16,
  chunkLength: 5,
  dims: 7,
} as const;

/** Gain of the predictor's step: small enough that five residual steps stay O(1). */
const STEP_GAIN = 0.5;

/**
 * Encoder: the 64 × 48 image averaged in 8 × 8 blocks (144 features) through a linear layer, plus
 * optionally a linear map of the arm's state and the masked mean of the token embeddings; tanh, then a
 * linear layer and tanh to the latent [B, L].
 */
async function buildEncoder(latentSize: number, seed: number, withInstruction: boolean, withState: boolean) {
  const { widthPx, heightPx, pool, hidden, maxTokens } = TEST_WORLD_MODEL_SHAPE;
  const g = new OnnxGraphBuilder('coach_test_world_model_encoder', deriveSeed(seed, 'wm/encoder'));
  const image = g.input('image', 'float32', ['batch', 3, heightPx, widthPx]);
  const pooled = g.op('AveragePool', [image], { kernel_shape: ints([pool, pool]), strides: ints([pool, pool]) });
  const imageFeatures = g.op('Flatten', [pooled], { axis: int(1) });
  let features = linear(g, imageFeatures, 'image_proj', (3 * widthPx * heightPx) / (pool * pool), hidden);
  if (withInstruction) {
    const ids = g.input('input_ids', 'int64', ['batch', maxTokens]);
    const mask = g.input('attention_mask', 'int64', ['batch', maxTokens]);
    const table = g.weight('token_embedding', [testVocabulary().length, hidden], 1);
    const tokens = g.op('Gather', [table, ids]);
    const weights = g.op('Cast', [mask], { to: int(1) });
    const masked = g.op('Mul', [tokens, g.op('Unsqueeze', [weights, g.constant([2], [1])])]);
    const summed = g.op('ReduceSum', [masked, g.constant([1], [1])], { keepdims: int(0) });
    const count = g.op('ReduceSum', [weights, g.constant([1], [1])], { keepdims: int(1) });
    const text = g.op('Div', [summed, g.op('Max', [count, g.constant([1], [1, 1], 'float32')])]);
    features = g.op('Add', [features, text]);
  }
  if (withState) {
    const state = g.input('robot_state', 'float32', ['batch', ROBOT_STATE_DIMS]);
    features = g.op('Add', [features, linear(g, state, 'state_proj', ROBOT_STATE_DIMS, hidden)]);
  }
  const latent = g.op('Tanh', [linear(g, g.op('Tanh', [features]), 'latent_proj', hidden, latentSize)]);
  g.output(latent, 'latent', 'float32', ['batch', latentSize]);
  return g.toBytes();
}

/**
 * Predictor: z_{k+1} = z_k + [z_k, a_k]·W + b, unrolled over the chunk's actions with W and b shared by
 * every step; the latents after each action are stacked into [B, chunkLength, L].
 */
async function buildPredictor(latentSize: number, seed: number) {
  const { chunkLength, dims } = TEST_WORLD_MODEL_SHAPE;
  const g = new OnnxGraphBuilder('coach_test_world_model_predictor', deriveSeed(seed, 'wm/predictor'));
  let z = g.input('latent', 'float32', ['batch', latentSize]);
  const actions = g.input('actions', 'float32', ['batch', chunkLength, dims]);
  const fanIn = latentSize + dims;
  const weight = g.weight('step.weight', [fanIn, latentSize], STEP_GAIN / Math.sqrt(fanIn));
  const bias = g.weight('step.bias', [latentSize], 0.01);
  const after: string[] = [];
  for (let k = 0; k < chunkLength; k += 1) {
    const action = g.op('Gather', [actions, g.constant([k], [])], { axis: int(1) });
    const joined = g.op('Concat', [z, action], { axis: int(1) });
    z = g.op('Add', [z, g.op('Add', [g.op('MatMul', [joined, weight]), bias])]);
    after.push(g.op('Unsqueeze', [z, g.constant([1], [1])]));
  }
  g.output(g.op('Concat', after, { axis: int(1) }), 'latents', 'float32', ['batch', chunkLength, latentSize]);
  return g.toBytes();
}

/** manifest.json of a test world model: the 64 × 48 scene camera, ee_delta chunks of 5 × 7 scaled by the sim expert's largest steps. */
export function buildTestWorldModelManifest(options: Required<TestWorldModelOptions>): WorldModelManifestInput {
  const { widthPx, heightPx, maxTokens, chunkLength, dims } = TEST_WORLD_MODEL_SHAPE;
  const reads = [
    'the scene image',
    options.withInstruction && 'the instruction',
    options.withRobotState && "the arm's state",
  ];
  return {
    format: WORLD_MODEL_PACKAGE_FORMAT,
    name: 'coach-test-world-model',
    version: '1.0.0',
    description:
      `Untrained test world model: random fixed weights (seed ${options.seed}), latent ${options.latentSize}; ` +
      `the encoder reads ${reads.filter(Boolean).join(', ')}.`,
    trained: false,
    camera: {
      name: 'scene',
      input: 'image',
      widthPx,
      heightPx,
      layout: 'NCHW',
      dtype: 'float32',
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
    },
    ...(options.withInstruction
      ? {
          instruction: {
            tokenizer: 'tokenizer.json',
            idsInput: 'input_ids',
            maskInput: 'attention_mask',
            maxTokens,
            padTokenId: 0,
            lowercase: true,
          },
        }
      : {}),
    encoder: {
      file: 'encoder.onnx',
      ...(options.withRobotState ? { robotStateInput: 'robot_state' } : {}),
      latentOutput: 'latent',
    },
    predictor: { file: 'predictor.onnx', latentInput: 'latent', actionsInput: 'actions', latentsOutput: 'latents' },
    latent: { size: options.latentSize },
    action: {
      space: 'ee_delta',
      chunkLength,
      dims,
      names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
      scale: [
        MAX_TRANSLATION_STEP_M,
        MAX_TRANSLATION_STEP_M,
        MAX_TRANSLATION_STEP_M,
        MAX_ROTATION_STEP_RAD,
        MAX_ROTATION_STEP_RAD,
        MAX_ROTATION_STEP_RAD,
        1,
      ],
    },
    energy: { metric: 'l1', reduction: 'sum' },
  };
}

/** The package's files by name, in the order they are written. */
export async function buildTestWorldModelFiles(options: TestWorldModelOptions = {}): Promise<Map<string, Uint8Array>> {
  const resolved: Required<TestWorldModelOptions> = {
    latentSize: options.latentSize ?? 32,
    seed: options.seed ?? 1,
    withInstruction: options.withInstruction ?? false,
    withRobotState: options.withRobotState ?? false,
  };
  const { latentSize, seed } = resolved;
  if (!(Number.isInteger(latentSize) && latentSize >= 1 && latentSize <= 4096))
    throw new RangeError(`latent size must be a whole number from 1 to 4096, got ${latentSize}`);
  const text = (value: unknown) => new TextEncoder().encode(formatJson(value));
  const files = new Map<string, Uint8Array>([
    ['manifest.json', text(buildTestWorldModelManifest(resolved))],
    ['encoder.onnx', await buildEncoder(latentSize, seed, resolved.withInstruction, resolved.withRobotState)],
    ['predictor.onnx', await buildPredictor(latentSize, seed)],
  ]);
  if (resolved.withInstruction) {
    files.set('tokenizer.json', text(buildTestTokenizer()));
    files.set('tokenizer_config.json', text(buildTestTokenizerConfig(TEST_WORLD_MODEL_SHAPE.maxTokens)));
  }
  return files;
}

/**
 * Writes a tiny untrained world-model package (random weights seeded by `seed`, `trained: false`) into
 * `dir` (created if needed); returns the paths written. Its graphs use only operators the in-app trainer
 * runs (docs/training-interpreter.md).
 */
export async function writeTestWorldModelPackage(dir: string, options: TestWorldModelOptions = {}): Promise<string[]> {
  const files = await buildTestWorldModelFiles(options);
  await fs.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of files) {
    const target = path.join(dir, name);
    await fs.writeFile(target, bytes);
    written.push(target);
  }
  return written;
}
