import { describe, expect, it } from 'vitest';
import { SampleRing } from '../../../../src/renderer/src/components/plots/sampleRing';
import { decimatedWindow } from '../../../../src/renderer/src/components/plots/plotDecimation';

/** n samples 5 ms apart (200 Hz) ending at t = 5(n−1) ms; channel 0 = f(i), channel 1 = −f(i). */
function filled(n: number, f: (i: number) => number | null, capacity = n): SampleRing {
  const ring = new SampleRing(capacity, 2);
  const t = Array.from({ length: n }, (_, i) => 5 * i);
  const a = t.map((_, i) => f(i));
  ring.push(t, [a, a.map((v) => (v === null ? null : -v))]);
  return ring;
}

describe('decimatedWindow', () => {
  it('passes a short window through, x in seconds before the origin, NaN as null gaps', () => {
    const ring = filled(4, (i) => (i === 2 ? null : i));
    const [x, a, b] = decimatedWindow(ring, 1, [0, 1], 100, 15);
    expect(x).toEqual([-0.01, -0.005, 0]);
    expect(a).toEqual([1, null, 3]);
    expect(b).toEqual([-1, null, -3]);
  });

  it('reduces a long window to at most maxPoints and keeps every spike', () => {
    // 60 s at 200 Hz; one-sample spikes up and down in the middle.
    const ring = filled(12_000, (i) => (i === 5000 ? 9 : i === 7001 ? -9 : Math.sin(i / 500)));
    const [x, a, b] = decimatedWindow(ring, 0, [0, 1], 1600, ring.latestTimeMs());
    expect(x.length).toBeLessThanOrEqual(1600);
    expect(x.length).toBeGreaterThan(1500);
    expect(a!.length).toBe(x.length);
    expect(Math.max(...(a as number[]))).toBe(9);
    expect(Math.min(...(a as number[]))).toBe(-9);
    expect(Math.min(...(b as number[]))).toBe(-9);
    expect(x[0]).toBeCloseTo(-59.995, 6);
    expect(x.at(-1)).toBe(0);
    // x never runs backwards (uPlot needs a sorted x).
    for (let i = 1; i < x.length; i += 1) expect(x[i]!).toBeGreaterThanOrEqual(x[i - 1]!);
  });

  it('keeps the order of min and max inside a bucket, so a falling edge stays falling', () => {
    const ring = filled(400, (i) => (i < 200 ? 1 : 0));
    const [, a] = decimatedWindow(ring, 0, [0], 4, ring.latestTimeMs());
    // Two buckets: all 1s, then all 0s; each emits (min, max) in time order.
    expect(a).toEqual([1, 1, 0, 0]);
    const ramp = filled(400, (i) => 400 - i);
    const [, down] = decimatedWindow(ramp, 0, [0], 4, ramp.latestTimeMs());
    expect(down).toEqual([400, 201, 200, 1]);
  });

  it('works on a ring that has wrapped and from a start index inside it', () => {
    const ring = filled(1000, (i) => i, 300); // holds samples 700..999
    const [x, a] = decimatedWindow(
      ring,
      ring.indexAtOrAfter(ring.latestTimeMs() - 500),
      [0],
      1000,
      ring.latestTimeMs(),
    );
    expect(a![0]).toBe(899);
    expect(a!.at(-1)).toBe(999);
    expect(x[0]).toBeCloseTo(-0.5, 9);
  });
});
