import { describe, expect, it } from 'vitest';
import { SampleRing } from '../../../../src/renderer/src/components/plots/sampleRing';

/** The ring's contents oldest first, as [time, channel 0, channel 1]. */
function contents(ring: SampleRing): number[][] {
  return Array.from({ length: ring.length }, (_, i) => {
    const slot = ring.slot(i);
    return [ring.timeMs[slot]!, ...ring.channels.map((channel) => channel[slot]!)];
  });
}

describe('SampleRing', () => {
  it('keeps samples in order and maps null to NaN', () => {
    const ring = new SampleRing(5, 2);
    ring.push(
      [1, 2],
      [
        [10, 20],
        [null, 21],
      ],
    );
    expect(contents(ring)).toEqual([
      [1, 10, Number.NaN],
      [2, 20, 21],
    ]);
    expect(ring.latestTimeMs()).toBe(2);
    expect(ring.latest(0)).toBe(20);
  });

  it('overwrites the oldest once full, across batch boundaries', () => {
    const ring = new SampleRing(3, 1);
    ring.push([1, 2], [[10, 20]]);
    ring.push([3, 4, 5], [[30, 40, 50]]);
    expect(ring.length).toBe(3);
    expect(contents(ring)).toEqual([
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
  });

  it('finds the first sample at or after a time by bisection over the wrapped ring', () => {
    const ring = new SampleRing(4, 1);
    ring.push([0, 5, 10, 15, 20, 25], [[0, 1, 2, 3, 4, 5]]);
    // Holds 10, 15, 20, 25.
    expect(ring.indexAtOrAfter(-100)).toBe(0);
    expect(ring.indexAtOrAfter(10)).toBe(0);
    expect(ring.indexAtOrAfter(11)).toBe(1);
    expect(ring.indexAtOrAfter(25)).toBe(3);
    expect(ring.indexAtOrAfter(26)).toBe(4);
  });

  it('resizes keeping the newest samples in order', () => {
    const ring = new SampleRing(3, 1);
    ring.push([1, 2, 3, 4], [[10, 20, 30, 40]]);
    const bigger = ring.resized(5);
    expect(bigger.capacity).toBe(5);
    expect(contents(bigger)).toEqual([
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    bigger.push([5, 6], [[50, 60]]);
    expect(contents(bigger).map(([t]) => t)).toEqual([2, 3, 4, 5, 6]);
    expect(contents(ring.resized(2))).toEqual([
      [3, 30],
      [4, 40],
    ]);
  });

  it('refuses a batch with the wrong number of columns and a bad capacity', () => {
    const ring = new SampleRing(3, 2);
    expect(() => ring.push([1], [[1]])).toThrow(/expected 2 value columns, got 1/);
    expect(() => new SampleRing(0, 1)).toThrow(/positive whole number/);
  });
});
