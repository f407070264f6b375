import { describe, expect, it } from 'vitest';
import {
  assertTrainingSeed,
  HELDOUT_SEED_BASE,
  isHeldOutSeed,
  sceneSeed,
} from '../../../../src/shared/evaluation/seedSets';
import { wilsonInterval95 } from '../../../../src/shared/evaluation/wilsonInterval';

describe('wilsonInterval95', () => {
  it('matches reference values', () => {
    // Reference: Wilson score interval, z = 1.96 (e.g. statsmodels proportion_confint(method="wilson")).
    const [low, high] = wilsonInterval95(12, 20);
    expect(low).toBeCloseTo(0.3866, 3);
    expect(high).toBeCloseTo(0.7812, 3);
    expect(wilsonInterval95(0, 10)[0]).toBe(0);
    expect(wilsonInterval95(0, 10)[1]).toBeCloseTo(0.2775, 3);
    expect(wilsonInterval95(10, 10)[1]).toBeCloseTo(1, 9);
    expect(wilsonInterval95(0, 0)).toEqual([0, 1]);
  });
});

describe('seed sets', () => {
  it('held-out and training seeds never overlap, and training refuses held-out ones', () => {
    const heldout = new Set<number>();
    const train = new Set<number>();
    for (const template of ['put_in', 'pick_up', 'move_near'] as const)
      for (let i = 0; i < 1000; i += 1) {
        heldout.add(sceneSeed('heldout', template, i));
        train.add(sceneSeed('train', template, i));
      }
    expect(heldout.size).toBe(3000);
    expect([...heldout].some((seed) => train.has(seed))).toBe(false);
    expect([...heldout].every(isHeldOutSeed)).toBe(true);
    expect([...train].some(isHeldOutSeed)).toBe(false);
    expect(() => assertTrainingSeed(HELDOUT_SEED_BASE + 5)).toThrow(/held-out evaluation set/);
    expect(() => assertTrainingSeed(5)).not.toThrow();
  });
});
