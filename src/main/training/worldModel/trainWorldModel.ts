import fs from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { deriveSeed, SeededRandom } from '../../../shared/sim/world/random';
import { loadModelPackage } from '../../policy/modelPackage';
import type { LoadedModelPackage } from '../../policy/modelPackageTypes';
import { InstructionTokenizer } from '../../policy/instructionTokenizer';
import { testVocabulary } from '../../policy/testPackage/testTokenizer';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { BcBatchBuilder } from '../bc/batchBuilder';
import { buildDefaultPrefix, WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';
import { DEFAULT_MODEL_SPEC, type DefaultModelSpec } from '../defaultModel/defaultModelSpec';
import { demonstrations } from '../defaultModel/trainDefaultModel';
import type { DemoConfig } from '../demonstrations/demoConfig';
import type { DemoDataset } from '../demonstrations/demoDataset';
import {
  arrayFromData,
  compileGraph,
  initializersOf,
  ONNX_TYPE,
  parseOnnxModel,
  readWeights,
  writeInitializers,
  type Params,
} from '../onnx';
import { blockUntilReady, jit, np, tree, valueAndGrad, type JaxArray, type JsTree } from '../onnx/jax';
import {
  adamWScalarArrays,
  adamWUpdate,
  DEFAULT_ADAMW,
  initAdamW,
  type AdamWScalars,
  type AdamWState,
} from '../optim/adamW';
import { learningRateAt, shortRunSchedule } from '../optim/learningRateSchedule';
import { buildWorldModelManifest, WM_ACTION_SCALE } from './wmManifest';
import { buildWmPredictor, WM_PREDICTOR_IO } from './wmPredictorGraph';
import { trueTaskStates } from './trueTaskStates';
import { encodeFrames, latentError } from './encoderLatents';

export interface WorldModelTrainingPlan {
  appRoot: string;
  /** The policy package whose warmed-up prefix is the world model's frozen encoder (coach-tiny). */
  encoderFrom: string;
  /** Rollouts of the scripted expert with random chunks mixed in, every step drawn (transitions). */
  transitions: DemoConfig;
  predictor: { hiddenWidth: number; steps: number; batchSize: number; learningRate: number; seed: number };
  /**
   * What the predictor learns the dynamics of: the simulator's task state at every frame (trueTaskStates:
   * the same quantities the encoder reads from the picture, exact), or the frozen encoder's latents
   * (V-JEPA2-AC's way, which makes it learn the encoder's frame-to-frame noise too).
   */
  predictorOn: 'simulator' | 'encoder';
  outDir: string;
  version: string;
  cacheRoot: string | null;
  workers: number;
  log: (line: string) => void;
}

export interface PredictorValidation {
  tuples: number;
  /** Mean |ẑ − z| per latent dim after the whole chunk, the predictor's … */
  predictorL1: number[];
  /** … and the "nothing moves" baseline's (ẑ = the latent before the chunk). */
  noChangeL1: number[];
}

/** Mean |latent − the simulator's task state| per dim, the encoder's, on held-back frames. */
export interface EncoderValidation {
  frames: number;
  latentL1: number[];
}

export interface WorldModelTrainingResult {
  transitions: number;
  trainTuples: number;
  dataSeconds: number;
  encoder: EncoderValidation;
  encodeSeconds: number;
  trainSeconds: number;
  losses: number[];
  validation: PredictorValidation;
  totalSeconds: number;
}

const LATENT = WM_LATENT_NAMES.length;
/** Loss weights over the latent's dims: the gripper's fraction is about 20× a typical metre figure. */
const LOSS_WEIGHTS = [1, 1, 1, 1, 1, 0.1];

/** Starting samples whose next `chunkLength` steps are in the same episode, split by episode (every 10th validates). */
function transitionTuples(dataset: DemoDataset, chunkLength: number): { train: number[]; validation: number[] } {
  const train: number[] = [];
  const validation: number[] = [];
  for (let i = 0; i + chunkLength < dataset.size; i += 1) {
    const episode = dataset.episodeOf(i);
    if (dataset.episodeOf(i + chunkLength) !== episode) continue;
    (episode % 10 === 0 ? validation : train).push(i);
  }
  return { train, validation };
}

function tupleArrays(dataset: DemoDataset, latents: Float32Array, indices: readonly number[], chunkLength: number) {
  const dims = WM_ACTION_SCALE.length;
  const latent = new Float32Array(indices.length * LATENT);
  const actions = new Float32Array(indices.length * chunkLength * dims);
  const targets = new Float32Array(indices.length * chunkLength * LATENT);
  indices.forEach((index, b) => {
    latent.set(latents.subarray(index * LATENT, (index + 1) * LATENT), b * LATENT);
    const chunk = dataset.get(index).actions;
    for (let k = 0; k < chunkLength * dims; k += 1)
      actions[b * chunkLength * dims + k] = chunk[k]! / WM_ACTION_SCALE[k % dims]!;
    targets.set(latents.subarray((index + 1) * LATENT, (index + 1 + chunkLength) * LATENT), b * chunkLength * LATENT);
  });
  return { latent, actions, targets };
}

/** Mean |ẑ − z| per dim at the chunk's end, for the trained predictor and for "nothing moves". */
async function validate(
  predictorBytes: Uint8Array,
  arrays: ReturnType<typeof tupleArrays>,
  count: number,
  chunkLength: number,
): Promise<PredictorValidation> {
  const session = await ort.InferenceSession.create(predictorBytes, {
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  });
  try {
    const out = await session.run({
      [WM_PREDICTOR_IO.latent]: new ort.Tensor('float32', arrays.latent, [count, LATENT]),
      [WM_PREDICTOR_IO.actions]: new ort.Tensor('float32', arrays.actions, [
        count,
        chunkLength,
        WM_ACTION_SCALE.length,
      ]),
    });
    const predicted = out[WM_PREDICTOR_IO.latents]!.data as Float32Array;
    const predictorL1 = new Array<number>(LATENT).fill(0);
    const noChangeL1 = new Array<number>(LATENT).fill(0);
    for (let b = 0; b < count; b += 1)
      for (let d = 0; d < LATENT; d += 1) {
        const last = (b * chunkLength + chunkLength - 1) * LATENT + d;
        predictorL1[d]! += Math.abs(predicted[last]! - arrays.targets[last]!) / count;
        noChangeL1[d]! += Math.abs(arrays.latent[b * LATENT + d]! - arrays.targets[last]!) / count;
      }
    return { tuples: count, predictorL1, noChangeL1 };
  } finally {
    await session.release();
  }
}

async function trainPredictor(
  predictorBytes: Uint8Array,
  dataset: DemoDataset,
  latents: Float32Array,
  indices: readonly number[],
  chunkLength: number,
  options: WorldModelTrainingPlan['predictor'],
  log: (line: string) => void,
): Promise<{ bytes: Uint8Array; losses: number[] }> {
  const graph = compileGraph(parseOnnxModel(predictorBytes));
  let params: Params = graph.params;
  let state: AdamWState = initAdamW(params);
  const dims = WM_ACTION_SCALE.length;
  const weights = arrayFromData(Float32Array.from(LOSS_WEIGHTS), [LATENT], ONNX_TYPE.float32);
  const loss = (p: Params, inputs: Record<string, JaxArray>, targets: JaxArray, w: JaxArray) => {
    const error = graph.run(p, inputs)[WM_PREDICTOR_IO.latents]!.sub(targets);
    return np.mean(np.abs(error).mul(w));
  };
  const step = jit(
    (
      p: Params,
      s: AdamWState,
      inputs: Record<string, JaxArray>,
      targets: JaxArray,
      w: JaxArray,
      scalars: AdamWScalars<JaxArray>,
    ) => {
      const [value, grads] = valueAndGrad(loss)(tree.ref(p), inputs, targets, w);
      const next = adamWUpdate(p, grads as Params, s, scalars, DEFAULT_ADAMW, () => false);
      return [value, next.params, next.state] as JsTree<JaxArray>;
    },
  );
  const schedule = shortRunSchedule(options.learningRate, options.steps);
  const losses: number[] = [];
  const started = performance.now();
  try {
    for (let k = 0; k < options.steps; k += 1) {
      const random = new SeededRandom(deriveSeed(options.seed, `wm/step/${k}`));
      const batch = Array.from({ length: options.batchSize }, () => indices[random.int(0, indices.length - 1)]!);
      const arrays = tupleArrays(dataset, latents, batch, chunkLength);
      const n = options.batchSize;
      const [value, nextParams, nextState] = step(
        params,
        state,
        {
          [WM_PREDICTOR_IO.latent]: arrayFromData(arrays.latent, [n, LATENT], ONNX_TYPE.float32),
          [WM_PREDICTOR_IO.actions]: arrayFromData(arrays.actions, [n, chunkLength, dims], ONNX_TYPE.float32),
        },
        arrayFromData(arrays.targets, [n, chunkLength, LATENT], ONNX_TYPE.float32),
        weights.ref,
        adamWScalarArrays(DEFAULT_ADAMW, k, learningRateAt(schedule, k)),
      ) as unknown as [JaxArray, Params, AdamWState];
      params = await blockUntilReady(nextParams);
      state = await blockUntilReady(nextState);
      losses.push(value.item());
      if ((k + 1) % 500 === 0 || k + 1 === options.steps) {
        const recent = losses.slice(-50);
        log(
          `world model: predictor step ${k + 1}/${options.steps}, loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toExponential(3)}, ` +
            `${((k + 1) / ((performance.now() - started) / 1000)).toFixed(1)} steps/s`,
        );
      }
    }
    return { bytes: writeInitializers(predictorBytes, await readWeights(params)), losses };
  } finally {
    step.dispose();
    weights.dispose();
    tree.dispose([params, state]);
    graph.dispose();
  }
}

/** The world model encodes the scene camera only (its package feeds one picture), whatever the policy takes. */
const SCENE_CAMERA_SPEC: DefaultModelSpec = { ...DEFAULT_MODEL_SPEC, wristCamera: null };

/** Feeds for the scene-camera encoder: the policy's camera, tokenizer and state, without its other cameras. */
function sceneCameraBuilder(policy: LoadedModelPackage): BcBatchBuilder {
  return new BcBatchBuilder(
    { ...policy.manifest, cameras: policy.manifest.cameras.slice(0, 1) },
    new InstructionTokenizer(policy.tokenizerJson, policy.tokenizerConfig, policy.manifest.instruction),
  );
}

/** Every 5th frame of the held-back episodes (every 10th, as transitionTuples). */
function heldBackFrames(dataset: DemoDataset): number[] {
  const frames: number[] = [];
  for (let i = 0; i < dataset.size; i += 5) if (dataset.episodeOf(i) % 10 === 0) frames.push(i);
  return frames;
}

/**
 * The policy prefix's weights the latent depends on: the scene encoder, the word embeddings and the scene
 * queries (the latent is their table points, the kinematics and the state). The rest of the graph (the
 * context's projection, which is wider when the policy also takes a wrist camera) keeps its seeded values.
 */
function latentWeights(weights: Record<string, Float32Array>): Record<string, Float32Array> {
  return Object.fromEntries(
    Object.entries(weights).filter(([name]) =>
      /^(encoder\.|instruction\.embedding$|instruction\.queries\.)/.test(name),
    ),
  );
}

/**
 * coach-wm: transitions of the scripted expert with random chunks mixed in (every step drawn) → each
 * frame's latent by the frozen encoder (the policy's warmed-up prefix read as a task state, WM_LATENT_NAMES)
 * → the action-conditioned predictor trained to roll the latent over a chunk (L1 on every step, as
 * V-JEPA2-AC) → the package at outDir, with the predictor's error on held-back episodes.
 */
export async function trainWorldModel(plan: WorldModelTrainingPlan): Promise<WorldModelTrainingResult> {
  const started = Date.now();
  const dataset = await demonstrations(plan, plan.transitions);
  const dataSeconds = (Date.now() - started) / 1000;
  const chunkLength = plan.transitions.chunkLength;

  const policy = await loadModelPackage(plan.encoderFrom);
  const chain = loadArmChain(plan.appRoot);
  const builder = sceneCameraBuilder(policy);
  const encoderBytes = writeInitializers(
    await buildDefaultPrefix(SCENE_CAMERA_SPEC, testVocabulary().length, chain, { worldModelLatent: true }),
    latentWeights(await initializersOf(policy.prefixPath)),
  );
  const trueStates = trueTaskStates(chain, plan.transitions, dataset);
  const frames = heldBackFrames(dataset);
  const encoder: EncoderValidation = {
    frames: frames.length,
    latentL1: latentError(await encodeFrames(encoderBytes, builder, dataset, frames), trueStates, frames),
  };
  const encodeStarted = Date.now();
  const latents =
    plan.predictorOn === 'simulator'
      ? trueStates
      : await encodeFrames(
          encoderBytes,
          builder,
          dataset,
          Array.from({ length: dataset.size }, (_, i) => i),
          plan.log,
        );
  const encodeSeconds = (Date.now() - encodeStarted) / 1000;
  const { train, validation } = transitionTuples(dataset, chunkLength);
  plan.log(
    `world model: ${dataset.size} frames ${plan.predictorOn === 'simulator' ? "given the simulator's task state" : 'encoded'} ` +
      `in ${encodeSeconds.toFixed(0)} s; ${train.length} training and ${validation.length} validation transitions`,
  );

  const trainStarted = Date.now();
  const shape = { latentSize: LATENT, chunkLength, dims: WM_ACTION_SCALE.length, ...plan.predictor };
  const trained = await trainPredictor(
    await buildWmPredictor(shape),
    dataset,
    latents,
    train,
    chunkLength,
    plan.predictor,
    plan.log,
  );
  const trainSeconds = (Date.now() - trainStarted) / 1000;
  const check = await validate(
    trained.bytes,
    tupleArrays(dataset, latents, validation, chunkLength),
    validation.length,
    chunkLength,
  );

  const description =
    `Coach's default world model for the simulated tabletop: the encoder is ${policy.manifest.name} ` +
    `${policy.manifest.version}'s prefix read as a task state (${WM_LATENT_NAMES.join(', ')}), frozen; the predictor ` +
    `was trained on ${train.length} transitions of the scripted expert with random chunks mixed in ` +
    `(${plan.predictor.steps} steps, seed ${plan.predictor.seed}). Built by "npm run train:wm"; see docs/world-model.md.`;
  await fs.mkdir(plan.outDir, { recursive: true });
  const manifest = buildWorldModelManifest(policy.manifest, { version: plan.version, description, trained: true });
  await fs.writeFile(path.join(plan.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await fs.writeFile(path.join(plan.outDir, 'encoder.onnx'), encoderBytes);
  await fs.writeFile(path.join(plan.outDir, 'predictor.onnx'), trained.bytes);
  await fs.copyFile(policy.tokenizerPath, path.join(plan.outDir, 'tokenizer.json'));
  if (policy.tokenizerConfig)
    await fs.writeFile(
      path.join(plan.outDir, 'tokenizer_config.json'),
      `${JSON.stringify(policy.tokenizerConfig, null, 2)}\n`,
    );
  return {
    transitions: dataset.size,
    trainTuples: train.length,
    dataSeconds,
    encoder,
    encodeSeconds,
    trainSeconds,
    losses: trained.losses,
    validation: check,
    totalSeconds: (Date.now() - started) / 1000,
  };
}
