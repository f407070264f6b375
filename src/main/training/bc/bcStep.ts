import type { ModelManifest } from '../../../shared/policy/modelManifest';
import type { CompiledGraph, Params } from '../onnx';
import { jit, np, tree, valueAndGrad, type JaxArray, type JsTree } from '../onnx/jax';
import { adamWUpdate, type AdamWConfig, type AdamWScalars, type AdamWState } from '../optim/adamW';
import { clipByGlobalNorm } from '../optim/gradientClipping';
import { expertContext, runPrefix, type PrefixMode } from './prefixContext';

/** Param keys of the trainer: "prefix/<initializer>" and "expert/<initializer>". */
export const PREFIX_KEY = 'prefix/';
export const EXPERT_KEY = 'expert/';

/** One step's arrays. Exactly one of prefix, prefixSamples and context is present (see PrefixMode). */
export interface StepBatch {
  prefix?: Record<string, JaxArray>;
  prefixSamples?: Record<string, JaxArray>[];
  context?: Record<string, JaxArray>;
  noisyActions: JaxArray;
  times: JaxArray;
  targetVelocity: JaxArray;
}

export interface StepResult {
  loss: JaxArray;
  /** Global gradient norm before clipping. */
  gradNorm: JaxArray;
  params: Params;
  state: AdamWState;
}

export interface BcGraphs {
  manifest: ModelManifest;
  /** Null when the prefix is frozen (its context comes in the batch). */
  prefix: CompiledGraph | null;
  expert: CompiledGraph;
  mode: PrefixMode;
}

function splitParams(params: Params): { prefix: Params; expert: Params } {
  const prefix: Params = {};
  const expert: Params = {};
  for (const [key, array] of Object.entries(params)) {
    if (key.startsWith(PREFIX_KEY)) prefix[key.slice(PREFIX_KEY.length)] = array;
    else expert[key.slice(EXPERT_KEY.length)] = array;
  }
  return { prefix, expert };
}

/** Flow-matching loss: mean over batch, chunk and dims of (v_θ(x_t, t, context) − (ε − a))². Consumes its arguments. */
export function flowMatchingLoss(graphs: BcGraphs, params: Params, batch: StepBatch): JaxArray {
  const { targetVelocity, ...inputs } = batch;
  const error = predictVelocity(graphs, params, inputs).sub(targetVelocity);
  return np.mean(error.ref.mul(error));
}

export interface StepConfig {
  adamW: AdamWConfig;
  maxGradNorm: number | null;
  /** Params that take weight decay. */
  decayed: ReadonlySet<string>;
}

/**
 * The whole training step, jitted: loss and gradients, global-norm clipping, AdamW. Consumes params,
 * state, batch and scalars; returns the new params and state. Call `.dispose()` when done.
 */
export function buildTrainStep(graphs: BcGraphs, config: StepConfig) {
  const loss = (params: Params, batch: StepBatch) => flowMatchingLoss(graphs, params, batch);
  const jitted = jit((params: Params, state: AdamWState, batch: StepBatch, scalars: AdamWScalars<JaxArray>) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(params), batch);
    const clipped = clipByGlobalNorm(grads as Params, config.maxGradNorm);
    const next = adamWUpdate(params, clipped.grads, state, scalars, config.adamW, (name) => config.decayed.has(name));
    return [value, clipped.norm, next.params, next.state] as JsTree<JaxArray>;
  });
  return {
    run: (params: Params, state: AdamWState, batch: StepBatch, scalars: AdamWScalars<JaxArray>): StepResult => {
      const [loss, gradNorm, nextParams, nextState] = jitted(params, state, batch, scalars) as unknown as [
        JaxArray,
        JaxArray,
        Params,
        AdamWState,
      ];
      return { loss, gradNorm, params: nextParams, state: nextState };
    },
    dispose: () => jitted.dispose(),
  };
}

/** The expert's velocity under `params` (eager), for checks against onnxruntime. Consumes params and batch. */
export function predictVelocity(graphs: BcGraphs, params: Params, batch: Omit<StepBatch, 'targetVelocity'>): JaxArray {
  const { manifest, prefix, expert, mode } = graphs;
  const split = splitParams(params);
  let context: Record<string, JaxArray>;
  if (mode === 'frozen') {
    tree.dispose(split.prefix);
    context = batch.context!;
  } else {
    const inputs = mode === 'batched' ? batch.prefix! : batch.prefixSamples!;
    context = expertContext(runPrefix(prefix!, split.prefix, inputs, manifest.prefix.outputs), manifest);
  }
  const spec = manifest.expert;
  const outputs = expert.run(split.expert, {
    ...context,
    [spec.noisyActionInput]: batch.noisyActions,
    [spec.timeInput]: batch.times,
  });
  for (const [name, array] of Object.entries(outputs)) if (name !== spec.velocityOutput) array.dispose();
  return outputs[spec.velocityOutput]!;
}
