import { describe, expect, it } from 'vitest';
import { ArmSampleFeed, CHANNEL } from '../../../../src/renderer/src/components/plots/armSampleFeed';
import type { ArmSamples } from '../../../../src/shared/robot/armSamples';

function batch(seq: number, t0Ms: number, n: number, q2Rad = 0.5): ArmSamples {
  const col = (value: number) => Array.from({ length: n }, () => value);
  return {
    seq,
    droppedSamples: 0,
    tMs: Array.from({ length: n }, (_, i) => t0Ms + 5 * i),
    posRad: [col(0), col(q2Rad), col(0), col(0), col(0), col(0)],
    velRadS: [col(0), col(0.1), col(0), col(0), col(0), col(0)],
    cmdRad: [col(0), col(q2Rad + 0.01), col(0), col(0), col(0), col(0)],
    gripperMm: col(57),
    gripperCmdMm: col(57),
  };
}

describe('ArmSampleFeed', () => {
  it('stores the columns in their channels and counts what arrived', () => {
    const feed = new ArmSampleFeed();
    feed.ingest(batch(0, 1000, 10, 0.7), 0);
    expect(feed.received).toBe(10);
    expect(feed.ring.latest(CHANNEL.pos(1))).toBe(0.7);
    expect(feed.ring.latest(CHANNEL.cmd(1))).toBeCloseTo(0.71, 9);
    expect(feed.ring.latest(CHANNEL.vel(1))).toBe(0.1);
    expect(feed.ring.latest(CHANNEL.gripper)).toBe(57);
  });

  it('counts sequence gaps as missed samples, but not a fresh subscription starting again at 0', () => {
    const feed = new ArmSampleFeed();
    feed.ingest(batch(0, 1000, 10), 0);
    feed.ingest(batch(10, 1050, 10), 50);
    expect(feed.missed).toBe(0);
    feed.ingest(batch(35, 1175, 10), 100); // 15 samples never came
    expect(feed.missed).toBe(15);
    feed.ingest(batch(0, 1300, 10), 150); // reconnected
    expect(feed.missed).toBe(15);
    expect(feed.received).toBe(40);
  });

  it('measures samples per second from arrivals and keeps 60 s at 200 Hz', () => {
    const feed = new ArmSampleFeed();
    for (let k = 0; k < 1300; k += 1) feed.ingest(batch(10 * k, 50 * k, 10), 50 * k);
    expect(feed.rateHz(50 * 1299)).toBeCloseTo(200, 0);
    expect(feed.heldSeconds()).toBeGreaterThanOrEqual(59.9);
    expect(feed.ring.capacity).toBe(15_000);
  });

  it('grows the ring to keep 60 s when the feedback runs at 500 Hz', () => {
    const feed = new ArmSampleFeed();
    // 25 samples every 50 ms, 2 ms apart.
    for (let k = 0; k < 1300; k += 1) {
      const b = batch(25 * k, 50 * k, 25);
      b.tMs = b.tMs.map((_, i) => 50 * k + 2 * i);
      feed.ingest(b, 50 * k);
    }
    expect(feed.ring.capacity).toBeGreaterThanOrEqual(30_000);
    expect(feed.heldSeconds()).toBeGreaterThanOrEqual(59.9);
    expect(feed.received).toBe(1300 * 25);
  });
});
