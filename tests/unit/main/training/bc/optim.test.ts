import { describe, expect, it } from 'vitest';
import { arrayFromData, ONNX_TYPE, readWeights, type Params } from '../../../../../src/main/training/onnx';
import { jit, tree, type JaxArray } from '../../../../../src/main/training/onnx/jax';
import {
  adamWScalars,
  adamWUpdate,
  clipByGlobalNorm,
  initAdamW,
  learningRateAt,
  shortRunSchedule,
  type AdamWConfig,
} from '../../../../../src/main/training/optim';

const floats = (values: number[], dims = [values.length]) =>
  arrayFromData(Float32Array.from(values), dims, ONNX_TYPE.float32);
const scalar = (value: number) => floats([value], []);

describe('learning-rate schedule', () => {
  const schedule = { peakLearningRate: 1e-3, warmupSteps: 4, totalSteps: 14, minLearningRate: 1e-4 };

  it('ramps linearly over the warm-up, then follows a cosine from the peak to the floor', () => {
    expect(learningRateAt(schedule, 0)).toBeCloseTo(2.5e-4, 12);
    expect(learningRateAt(schedule, 1)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(schedule, 3)).toBeCloseTo(1e-3, 12);
    // Decay over steps 4 … 13 (10 updates): progress (s − 4)/9.
    expect(learningRateAt(schedule, 4)).toBeCloseTo(1e-3, 12);
    const midway = 1e-4 + 0.5 * 9e-4 * (1 + Math.cos((Math.PI * 3) / 9));
    expect(learningRateAt(schedule, 7)).toBeCloseTo(midway, 12);
    expect(learningRateAt(schedule, 13)).toBeCloseTo(1e-4, 12);
  });

  it('without warm-up starts at the peak; the floor defaults to 0', () => {
    const plain = { peakLearningRate: 0.1, warmupSteps: 0, totalSteps: 3 };
    expect([0, 1, 2].map((s) => learningRateAt(plain, s))).toEqual([0.1, 0.05 + 0.05 * Math.cos(Math.PI / 2), 0]);
  });

  it('for the short runs warms up over a tenth of the steps, at most 100, and decays to 0', () => {
    expect(shortRunSchedule(2e-3, 4000)).toEqual({
      peakLearningRate: 2e-3,
      warmupSteps: 100,
      totalSteps: 4000,
      minLearningRate: 0,
    });
    const short = shortRunSchedule(1e-3, 55);
    expect(short.warmupSteps).toBe(5);
    expect(learningRateAt(short, 4)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(short, 54)).toBe(0);
  });
});

describe('AdamW', () => {
  const config: AdamWConfig = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.1 };

  /** The textbook update, in float64, for comparison. */
  function reference(p: number, grads: number[], lr: number, decay: boolean): number {
    let m = 0;
    let v = 0;
    grads.forEach((g, i) => {
      const k = i + 1;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      const mHat = m / (1 - 0.9 ** k);
      const vHat = v / (1 - 0.999 ** k);
      p = p - lr * (mHat / (Math.sqrt(vHat) + 1e-8) + (decay ? 0.1 * p : 0));
    });
    return p;
  }

  it('matches hand-computed updates over three steps, with decoupled weight decay on matrices only', async () => {
    // First step by hand: m̂ = g, v̂ = g², so the update is lr·(sign(g) + wd·p).
    const lr = 0.01;
    let params: Params = { w: floats([1, -2, 0.5, 3], [2, 2]), b: floats([0.5, -0.5]) };
    let state = initAdamW(params);
    const gradSeries = [
      { w: [0.1, -0.2, 0.3, 0], b: [1, -1] },
      { w: [0.2, 0.1, -0.3, 0.5], b: [0.5, 0.5] },
      { w: [-0.1, 0.1, 0.1, 0.1], b: [2, 0] },
    ];
    const step = jit((p: Params, s: typeof state, g: Params, k: Record<string, JaxArray>) => {
      const next = adamWUpdate(
        p,
        g,
        s,
        { learningRate: k.lr!, biasCorrection1: k.bc1!, biasCorrection2: k.bc2! },
        config,
        (n) => n === 'w',
      );
      return [next.params, next.state];
    });
    for (const [i, g] of gradSeries.entries()) {
      const k = adamWScalars(config, i, lr);
      const [p, s] = step(
        params,
        state,
        { w: floats(g.w, [2, 2]), b: floats(g.b) },
        {
          lr: scalar(k.learningRate),
          bc1: scalar(k.biasCorrection1),
          bc2: scalar(k.biasCorrection2),
        },
      ) as unknown as [Params, typeof state];
      params = p;
      state = s;
      if (i === 0) {
        const first = await readWeights(params);
        expect(first.w![0]).toBeCloseTo(1 - lr * (1 + 0.1 * 1), 6);
        expect(first.w![3]).toBeCloseTo(3 - lr * 0.1 * 3, 6); // zero gradient: decay only
        expect(first.b![0]).toBeCloseTo(0.5 - lr, 6); // biases are not decayed
      }
    }
    const final = await readWeights(params);
    [1, -2, 0.5, 3].forEach((p0, j) =>
      expect(final.w![j]).toBeCloseTo(
        reference(
          p0,
          gradSeries.map((g) => g.w[j]!),
          lr,
          true,
        ),
        6,
      ),
    );
    [0.5, -0.5].forEach((p0, j) =>
      expect(final.b![j]).toBeCloseTo(
        reference(
          p0,
          gradSeries.map((g) => g.b[j]!),
          lr,
          false,
        ),
        6,
      ),
    );
    const moments = await readWeights(state.m);
    expect(moments.b![0]).toBeCloseTo(0.1 * 2 + 0.09 * 0.5 + 0.081 * 1, 6);
    tree.dispose([params, state]);
    step.dispose();
  });

  it('bias corrections follow 1 − β^k', () => {
    const k = adamWScalars(config, 2, 0.5);
    expect(k.biasCorrection1).toBeCloseTo(1 - 0.9 ** 3, 12);
    expect(k.biasCorrection2).toBeCloseTo(1 - 0.999 ** 3, 12);
    expect(k.learningRate).toBe(0.5);
  });
});

describe('global-norm clipping', () => {
  it('scales every gradient onto the maximum norm when above it', async () => {
    const { grads, norm } = clipByGlobalNorm({ a: floats([3, 0]), b: floats([0, 4], [1, 2]) }, 1);
    expect(norm.item()).toBeCloseTo(5, 6);
    const clipped = await readWeights(grads);
    expect(Array.from(clipped.a!)).toEqual([expect.closeTo(0.6, 6), 0]);
    expect(Array.from(clipped.b!)).toEqual([0, expect.closeTo(0.8, 6)]);
    tree.dispose(grads);
  });

  it('leaves gradients within the norm, or with no limit, unchanged', async () => {
    for (const limit of [10, null]) {
      const { grads, norm } = clipByGlobalNorm({ a: floats([3, 0]), b: floats([0, 4]) }, limit);
      norm.dispose();
      const values = await readWeights(grads);
      expect([...values.a!, ...values.b!]).toEqual([3, 0, 0, 4]);
      tree.dispose(grads);
    }
  });
});
