import { describe, expect, it } from 'vitest';
import { normalizeActions, unnormalizeActions } from '../../../../src/shared/policy/actionNormalization';

const stats = { q01: [-0.01, 0, -2], q99: [0.01, 4, 2], mask: [true, true, false] };

describe('unnormalizeActions', () => {
  it('maps −1 → q01, 1 → q99 and 0 → the middle on masked dims; leaves unmasked dims as they are', () => {
    const out = unnormalizeActions([-1, -1, 0.25, 1, 1, 0.75, 0, 0, -3], stats);
    expect(Array.from(out.slice(0, 3))).toEqual([expect.closeTo(-0.01, 9), 0, 0.25]);
    expect(Array.from(out.slice(3, 6))).toEqual([expect.closeTo(0.01, 9), 4, 0.75]);
    expect(Array.from(out.slice(6, 9))).toEqual([0, 2, -3]);
  });

  it('is undone by normalizeActions', () => {
    const actions = [0.004, 1.5, 0.3, -0.008, 3.9, 1];
    const back = unnormalizeActions(normalizeActions(actions, stats), stats);
    actions.forEach((value, i) => expect(back[i]).toBeCloseTo(value, 6));
  });

  it('refuses a chunk that is not whole actions', () => {
    expect(() => unnormalizeActions([0, 0, 0, 0], stats)).toThrow(/not a whole number of 3-dim actions/);
  });
});
