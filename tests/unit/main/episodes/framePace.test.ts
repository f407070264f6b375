import { describe, expect, it } from 'vitest';
import { FramePace } from '../../../../src/main/episodes/recording/framePace';

/** Capture times of `count` frames at `fps`, each moved by up to ±jitterMs (deterministic). */
const arrivals = (fps: number, count: number, jitterMs = 0) =>
  Array.from({ length: count }, (_, i) => (i * 1000) / fps + jitterMs * Math.sin(i * 2.3));

describe('FramePace', () => {
  it('records every frame of a source at the target rate, even with jittery capture times', () => {
    const pace = new FramePace(30);
    expect(arrivals(30, 300, 12).filter((t) => pace.take(t))).toHaveLength(300);
  });

  it('thins a 60 fps source evenly to 30 fps once it has measured the source (a few frames)', () => {
    const pace = new FramePace(30);
    const kept = arrivals(60, 600).filter((t) => pace.take(t));
    expect(kept.length).toBeGreaterThanOrEqual(299);
    expect(kept.length).toBeLessThanOrEqual(307);
    const afterWarmUp = kept.filter((t) => t > 400);
    const gaps = afterWarmUp.slice(1).map((t, i) => t - afterWarmUp[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(32);
    expect(Math.max(...gaps)).toBeLessThan(34);
  });

  it('records a slower source completely, and a short burst after a stall (real frames, not duplicates)', () => {
    const pace = new FramePace(30);
    expect(arrivals(10, 50).filter((t) => pace.take(t))).toHaveLength(50);
    const burst = [6000, 6001, 6002, 6003].filter((t) => pace.take(t));
    expect(burst).toHaveLength(4);
    expect(pace.skipped).toBe(0);
  });
});

describe('FramePace with a source clock that runs fast', () => {
  it('records every frame of a "30 fps" camera delivering 30.3 fps', () => {
    const pace = new FramePace(30);
    expect(arrivals(30.3, 900, 5).filter((t) => pace.take(t))).toHaveLength(900);
    expect(pace.skipped).toBe(0);
  });
});
