import { describe, expect, it } from 'vitest';
import { gaussianNoise, sampleFlow } from '../../../../src/shared/policy/flowSampler';
import { SeededRandom } from '../../../../src/shared/sim/world/random';

describe('sampleFlow (Euler from t = 1 to t = 0)', () => {
  it('matches the closed-form Euler solution of dx/dt = x: x0·(1 − 1/N)^N', async () => {
    const x0 = Float32Array.from([1, -2, 0.5, 3]);
    for (const steps of [1, 4, 10]) {
      const out = await sampleFlow(x0, 2, steps, async (x) => Float32Array.from(x));
      const factor = (1 - 1 / steps) ** steps;
      x0.forEach((value, i) => expect(out[i]).toBeCloseTo(value * factor, 5));
    }
  });

  it('recovers the action exactly on the straight path of flow matching, v = (x_t − a)/t', async () => {
    const action = [0.3, -0.7, 0.1, 0.9, -0.2, 0, 1];
    const noise = gaussianNoise(action.length, new SeededRandom(5));
    const out = await sampleFlow(noise, 1, 10, async (x, t) =>
      Float32Array.from(x, (value, i) => (value - action[i]!) / t[0]!),
    );
    action.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 5));
  });

  it('asks the expert once per step with the whole batch and t = 1, 0.9, …, 0.1', async () => {
    const seen: number[][] = [];
    await sampleFlow(new Float32Array(3 * 35), 3, 10, async (x, t) => {
      expect(x.length).toBe(105);
      seen.push(Array.from(t));
      return new Float32Array(x.length);
    });
    expect(seen).toHaveLength(10);
    seen.forEach((t, step) => {
      expect(t).toHaveLength(3);
      t.forEach((value) => expect(value).toBeCloseTo(1 - step / 10, 6));
    });
  });

  it('refuses a velocity of the wrong size and bad step counts', async () => {
    await expect(sampleFlow(new Float32Array(4), 1, 2, async () => new Float32Array(3))).rejects.toThrow(
      /3 velocity values for 4 action values/,
    );
    await expect(sampleFlow(new Float32Array(4), 1, 0, async (x) => x)).rejects.toThrow(/positive integer/);
    await expect(sampleFlow(new Float32Array(5), 2, 1, async (x) => x)).rejects.toThrow(/does not split/);
  });
});

describe('gaussianNoise', () => {
  it('is reproducible from a seed and standard normal in distribution', () => {
    const a = gaussianNoise(20_001, new SeededRandom(42));
    const b = gaussianNoise(20_001, new SeededRandom(42));
    expect(a).toEqual(b);
    const mean = a.reduce((sum, value) => sum + value, 0) / a.length;
    const variance = a.reduce((sum, value) => sum + (value - mean) ** 2, 0) / a.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
    expect(gaussianNoise(20_001, new SeededRandom(43))).not.toEqual(a);
  });
});
