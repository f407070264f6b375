import { describe, expect, it } from 'vitest';
import { drawStep, flowMatchingPair } from '../../../../../src/main/training/bc/stepDraws';

describe('step draws', () => {
  it('are a pure function of (seed, step)', () => {
    const a = drawStep(7, 12, 100, 8, 35);
    expect(drawStep(7, 12, 100, 8, 35)).toEqual(a);
    expect(drawStep(7, 13, 100, 8, 35).indices).not.toEqual(a.indices);
    expect(drawStep(8, 12, 100, 8, 35).noise).not.toEqual(a.noise);
    expect(a.indices.every((i) => Number.isInteger(i) && i >= 0 && i < 100)).toBe(true);
    expect(a.noise).toHaveLength(8 * 35);
  });

  it('draws t from Beta(1.5, 1)·0.999 + 0.001 and standard normal noise', () => {
    const { times, noise } = drawStep(1, 0, 10, 20000, 5);
    const mean = (values: Float32Array) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0.001);
    expect(Math.max(...times)).toBeLessThanOrEqual(1);
    // E[t] = 0.6·0.999 + 0.001; P(t < 0.5) = ((0.5 − 0.001)/0.999)^1.5 ≈ 0.353.
    expect(mean(times)).toBeCloseTo(0.6004, 2);
    expect(times.filter((t) => t < 0.5).length / times.length).toBeCloseTo(0.353, 1);
    expect(mean(noise)).toBeCloseTo(0, 1);
    expect(mean(noise.map((x) => x * x))).toBeCloseTo(1, 1);
  });

  it('interpolates x_t = t·ε + (1 − t)·a with target ε − a', () => {
    const actions = Float32Array.from([0.5, -1, 0, 1]);
    const draws = { times: Float32Array.from([0.25, 1]), noise: Float32Array.from([1, 1, -2, 0.5]) };
    const { noisyActions, targetVelocity } = flowMatchingPair(actions, draws);
    expect(Array.from(noisyActions)).toEqual([0.25 + 0.375, 0.25 - 0.75, -2, 0.5]);
    expect(Array.from(targetVelocity)).toEqual([0.5, 2, -2, -0.5]);
  });
});
