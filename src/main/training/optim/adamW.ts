import { arrayFromData, ONNX_TYPE, type Params } from '../onnx';
import { np, type JaxArray } from '../onnx/jax';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (Loshchilov & Hutter), scaled by the learning rate as PyTorch's AdamW does. */
  weightDecay: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.01 };

/** First and second moment estimates, one of each per param. */
export type AdamWState = {
  m: Params;
  v: Params;
};

/**
 * What changes from one update to the next, computed on the host and fed to the jitted step as scalar
 * arrays so it is traced once.
 */
export interface AdamWScalars<T> {
  learningRate: T;
  /** 1 − β1^k and 1 − β2^k for the k-th update (k = step + 1). */
  biasCorrection1: T;
  biasCorrection2: T;
}

export function adamWScalars(config: AdamWConfig, step: number, learningRate: number): AdamWScalars<number> {
  const k = step + 1;
  return { learningRate, biasCorrection1: 1 - config.beta1 ** k, biasCorrection2: 1 - config.beta2 ** k };
}

/** adamWScalars as the float32 scalar arrays the jitted step takes. */
export function adamWScalarArrays(config: AdamWConfig, step: number, learningRate: number): AdamWScalars<JaxArray> {
  const scalars = adamWScalars(config, step, learningRate);
  const scalar = (value: number) => arrayFromData(Float32Array.of(value), [], ONNX_TYPE.float32);
  return {
    learningRate: scalar(scalars.learningRate),
    biasCorrection1: scalar(scalars.biasCorrection1),
    biasCorrection2: scalar(scalars.biasCorrection2),
  };
}

/** Zero moments shaped like `params` (which it does not consume). */
export function initAdamW(params: Params): AdamWState {
  const zeros = () =>
    Object.fromEntries(Object.entries(params).map(([name, p]) => [name, np.zeros(p.shape, { dtype: p.dtype })]));
  return { m: zeros(), v: zeros() };
}

/**
 * One AdamW update (jit-friendly). Consumes params, grads, state and scalars; `decays(name)` says which
 * params take weight decay (by default the trainer decays matrices, not biases or norm scales).
 */
export function adamWUpdate(
  params: Params,
  grads: Params,
  state: AdamWState,
  scalars: AdamWScalars<JaxArray>,
  config: AdamWConfig,
  decays: (name: string) => boolean,
): { params: Params; state: AdamWState } {
  const { beta1, beta2, epsilon, weightDecay } = config;
  const { learningRate, biasCorrection1, biasCorrection2 } = scalars;
  const next: Params = {};
  const m: Params = {};
  const v: Params = {};
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) throw new Error(`no gradient for param "${name}"`);
    const m1 = state.m[name]!.mul(beta1).add(g.ref.mul(1 - beta1));
    const v1 = state.v[name]!.mul(beta2).add(g.ref.mul(g).mul(1 - beta2));
    const mHat = m1.ref.div(biasCorrection1.ref);
    const denominator = np.sqrt(v1.ref.div(biasCorrection2.ref)).add(epsilon);
    let update = mHat.div(denominator);
    if (weightDecay !== 0 && decays(name)) update = update.add(p.ref.mul(weightDecay));
    next[name] = p.sub(update.mul(learningRate.ref));
    m[name] = m1;
    v[name] = v1;
  }
  learningRate.dispose();
  biasCorrection1.dispose();
  biasCorrection2.dispose();
  return { params: next, state: { m, v } };
}
