import { deriveSeed, SeededRandom } from '../../../shared/sim/world/random';
import { loadModelPackage } from '../../policy/modelPackage';
import { InstructionTokenizer } from '../../policy/instructionTokenizer';
import { testVocabulary } from '../../policy/testPackage/testTokenizer';
import { BcBatchBuilder } from '../bc/batchBuilder';
import { jaxFeeds } from '../bc/prefixContext';
import {
  compileGraph,
  parseOnnxModel,
  readWeights,
  writeInitializers,
  arrayFromData,
  ONNX_TYPE,
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
import type { DemoDataset } from '../demonstrations/demoDataset';
import type { JoinedDemoDataset } from '../demonstrations/joinedDemoDataset';
import { KEYPOINTS, WRIST_KEYPOINTS } from '../demonstrations/demoRollout';
import type { KinematicChain } from '../../../shared/robot/kinematics';
import type { DefaultModelSpec } from './defaultModelSpec';
import { buildDefaultPrefix, PREFIX_KEYPOINTS, PREFIX_WRIST_KEYPOINTS } from './defaultPrefix';

/** A batch's targets: the scene queries' points, and the wrist queries' with their weights (wristTargets). */
type Labels = { scene: JaxArray; wrist?: JaxArray; wristWeights?: JaxArray };

function wristLabelsOf(dataset: DemoDataset | JoinedDemoDataset, index: number): Float32Array {
  const labels = dataset.wristKeypointsOf(index);
  if (!labels)
    throw new Error(`demonstration sample ${index} has no wrist-camera labels; the prefix takes a wrist camera`);
  return labels;
}

export interface WarmupOptions {
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** Pixels of the camera image → the crop's −1 … 1 frame the attention's soft-argmax works in. */
export function pixelsToCrop(spec: DefaultModelSpec, pixels: ArrayLike<number>): Float32Array {
  const { crop } = spec;
  return Float32Array.from(pixels, (value, i) =>
    i % 2 === 0 ? ((value - crop.left) / crop.widthPx) * 2 - 1 : ((value - crop.top) / crop.heightPx) * 2 - 1,
  );
}

/**
 * Wrist labels of a batch → targets in the wrist picture's −1 … 1 [B, 2, 2] and weights [B, 2, 1]: 1 / (2 ·
 * points in view) for a point in view, 0 for one out of view, so the wrist term is the mean squared error
 * over the points in view.
 */
export function wristTargets(
  wrist: { widthPx: number; heightPx: number },
  labels: readonly ArrayLike<number>[],
): { targets: Float32Array; weights: Float32Array } {
  const targets = new Float32Array(labels.length * WRIST_KEYPOINTS * 2);
  const weights = new Float32Array(labels.length * WRIST_KEYPOINTS);
  labels.forEach((label, b) => {
    for (let k = 0; k < WRIST_KEYPOINTS; k += 1) {
      const at = b * WRIST_KEYPOINTS + k;
      targets[at * 2] = (label[k * 3]! / wrist.widthPx) * 2 - 1;
      targets[at * 2 + 1] = (label[k * 3 + 1]! / wrist.heightPx) * 2 - 1;
      weights[at] = label[k * 3 + 2]!;
    }
  });
  const inView = weights.reduce((sum, w) => sum + w, 0);
  if (inView > 0) weights.forEach((w, i) => (weights[i] = w / (2 * inView)));
  return { targets, weights };
}

/**
 * Localisation warm-up of the prefix's image encoder and attention: the queries' soft-argmax points are
 * fitted (mean squared error) to where the named object, the goal and the TCP appear in each
 * demonstration picture. These labels come from the simulator and are used only here; the policy still
 * sees nothing but pixels, the instruction and the robot state. Behaviour cloning then starts from an
 * encoder that already finds what the instruction names, instead of discovering it through the action
 * loss alone. With a wrist camera, its two queries are fitted the same way to where the named object and
 * the goal appear in the wrist picture, where they are in view. Returns the prefix graph with the warmed-up
 * weights (same graph as `prefixBytes`).
 */
export async function warmUpLocalization(
  baseDir: string,
  prefixBytes: Uint8Array,
  chain: KinematicChain,
  spec: DefaultModelSpec,
  dataset: DemoDataset | JoinedDemoDataset,
  options: WarmupOptions,
  log: (line: string) => void,
): Promise<{ prefix: Uint8Array; losses: number[] }> {
  const pkg = await loadModelPackage(baseDir);
  const builder = new BcBatchBuilder(
    pkg.manifest,
    new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
  );
  const graph = compileGraph(
    parseOnnxModel(await buildDefaultPrefix(spec, testVocabulary().length, chain, { keypointsOutput: true })),
  );
  let params: Params = graph.params;
  let state: AdamWState = initAdamW(params);
  const decayed = new Set(
    Object.entries(params)
      .filter(([, p]) => p.shape.length >= 2)
      .map(([name]) => name),
  );
  const wrist = spec.wristCamera;
  const fitted = new Set([PREFIX_KEYPOINTS, PREFIX_WRIST_KEYPOINTS]);
  const loss = (p: Params, inputs: Record<string, JaxArray>, labels: Labels) => {
    const outputs = graph.run(p, inputs);
    for (const [name, array] of Object.entries(outputs)) if (!fitted.has(name)) array.dispose();
    const error = outputs[PREFIX_KEYPOINTS]!.sub(labels.scene);
    const sceneLoss = np.mean(error.ref.mul(error));
    if (!labels.wrist || !labels.wristWeights) return sceneLoss;
    const wristError = outputs[PREFIX_WRIST_KEYPOINTS]!.sub(labels.wrist);
    return sceneLoss.add(np.sum(wristError.ref.mul(wristError).mul(labels.wristWeights)));
  };
  const step = jit(
    (p: Params, s: AdamWState, inputs: Record<string, JaxArray>, labels: Labels, scalars: AdamWScalars<JaxArray>) => {
      const [value, grads] = valueAndGrad(loss)(tree.ref(p), inputs, labels);
      const next = adamWUpdate(p, grads as Params, s, scalars, DEFAULT_ADAMW, (name) => decayed.has(name));
      return [value, next.params, next.state] as JsTree<JaxArray>;
    },
  );
  const schedule = shortRunSchedule(options.learningRate, options.steps);
  const losses: number[] = [];
  const started = performance.now();
  try {
    for (let k = 0; k < options.steps; k += 1) {
      const random = new SeededRandom(deriveSeed(options.seed, `warmup/step/${k}`));
      const indices = Array.from({ length: options.batchSize }, () => random.int(0, dataset.size - 1));
      const samples = indices.map((index) => dataset.get(index));
      const labels = new Float32Array(options.batchSize * KEYPOINTS * 2);
      indices.forEach((index, b) => labels.set(pixelsToCrop(spec, dataset.keypointsOf(index)), b * KEYPOINTS * 2));
      const batchLabels: Labels = {
        scene: arrayFromData(labels, [options.batchSize, KEYPOINTS, 2], ONNX_TYPE.float32),
      };
      if (wrist) {
        const { targets, weights } = wristTargets(
          wrist,
          indices.map((index) => wristLabelsOf(dataset, index)),
        );
        batchLabels.wrist = arrayFromData(targets, [options.batchSize, WRIST_KEYPOINTS, 2], ONNX_TYPE.float32);
        batchLabels.wristWeights = arrayFromData(weights, [options.batchSize, WRIST_KEYPOINTS, 1], ONNX_TYPE.float32);
      }
      const [value, nextParams, nextState] = step(
        params,
        state,
        jaxFeeds(builder.prefixFeeds(samples)),
        batchLabels,
        adamWScalarArrays(DEFAULT_ADAMW, k, learningRateAt(schedule, k)),
      ) as unknown as [JaxArray, Params, AdamWState];
      params = await blockUntilReady(nextParams);
      state = await blockUntilReady(nextState);
      losses.push(value.item());
      if ((k + 1) % 200 === 0 || k + 1 === options.steps) {
        const recent = losses.slice(-50);
        log(
          `localisation warm-up: step ${k + 1}/${options.steps}, loss ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)}, ` +
            `${((k + 1) / ((performance.now() - started) / 1000)).toFixed(2)} steps/s`,
        );
      }
    }
    const weights = await readWeights(params);
    return { prefix: writeInitializers(prefixBytes, weights), losses };
  } finally {
    step.dispose();
    tree.dispose([params, state]);
    graph.dispose();
  }
}
