import { describe, expect, it } from 'vitest';
import { goalFrameIndex } from '../../../../src/shared/worldModel/goalFrameIndex';

describe('goalFrameIndex', () => {
  it('picks where the fingers began their last opening when the episode ends by letting go', () => {
    // open, closing on a 30 mm object, carried, opening again, open while retreating
    const openings = [60, 60, 50, 40, 30, 30, 30, 30, 33, 36, 45, 60, 60, 60];
    expect(goalFrameIndex(openings)).toBe(7);
  });

  it('keeps the last frame when the episode ends holding (pick up) or never moves the fingers', () => {
    expect(goalFrameIndex([60, 60, 45, 30, 30, 30, 30])).toBe(6);
    expect(goalFrameIndex([60, 60, 60])).toBe(2);
    expect(goalFrameIndex([42])).toBe(0);
  });

  it('ignores an opening of a few millimetres at the end (jitter, or a release cut short)', () => {
    expect(goalFrameIndex([60, 30, 30, 30, 31, 32, 33])).toBe(6);
  });
});
