import type { ArmSamples } from '../../../../shared/robot/armSamples';
import { SampleRing } from './sampleRing';

export const PLOT_JOINTS = 6;
/** The ring's channels: measured positions, commanded positions, velocities (one per joint), then gripper. */
export const CHANNEL = {
  pos: (joint: number) => joint,
  cmd: (joint: number) => PLOT_JOINTS + joint,
  vel: (joint: number) => 2 * PLOT_JOINTS + joint,
  gripper: 3 * PLOT_JOINTS,
  gripperCmd: 3 * PLOT_JOINTS + 1,
} as const;
const CHANNEL_COUNT = 3 * PLOT_JOINTS + 2;

/** The longest window the operator can pick (s) and the feedback rate the ring is sized for (Hz, with headroom over 200). */
export const MAX_WINDOW_S = 60;
export const RING_RATE_HZ = 250;
const RATE_WINDOW_MS = 2000;

/**
 * The console's copy of the arm's feedback samples (`arm.samples` batches) for the last 60 s, and counts of
 * what arrived and what was missed (sequence gaps: samples main or the transport dropped for a slow page).
 */
export class ArmSampleFeed {
  /** Replaced by a larger one when the arm's feedback runs faster than the ring was sized for. */
  ring: SampleRing;
  received = 0;
  missed = 0;
  batches = 0;
  private expectedSeq: number | null = null;
  private readonly arrivals: { atMs: number; count: number }[] = [];

  constructor(capacity = MAX_WINDOW_S * RING_RATE_HZ) {
    this.ring = new SampleRing(capacity, CHANNEL_COUNT);
  }

  ingest(batch: ArmSamples, arrivedAtMs: number): void {
    const count = batch.tMs.length;
    // A fresh subscription (the page reconnected) numbers from 0 again: not a gap.
    if (this.expectedSeq !== null && batch.seq > this.expectedSeq) this.missed += batch.seq - this.expectedSeq;
    this.expectedSeq = batch.seq + count;
    if (count === 0) return;
    // Time must not run backwards in the ring (its lookups bisect): a batch from before the newest sample is stale.
    const newest = this.ring.latestTimeMs();
    if (!Number.isNaN(newest) && batch.tMs[0]! < newest) this.ring.clear();
    this.ring.push(batch.tMs, [
      ...batch.posRad,
      ...batch.cmdRad,
      ...batch.velRadS,
      batch.gripperMm,
      batch.gripperCmdMm,
    ]);
    this.received += count;
    this.batches += 1;
    this.arrivals.push({ atMs: arrivedAtMs, count });
    while (this.arrivals.length && this.arrivals[0]!.atMs < arrivedAtMs - RATE_WINDOW_MS) this.arrivals.shift();
    this.growForRate(arrivedAtMs);
  }

  /** Keeps 60 s whatever the feedback rate (a link configured above 250 Hz): grows the ring by 25 % headroom. */
  private growForRate(nowMs: number): void {
    if (this.arrivals.length < 10) return;
    const needed = Math.ceil(this.rateHz(nowMs) * MAX_WINDOW_S);
    if (needed > this.ring.capacity) this.ring = this.ring.resized(Math.ceil(needed * 1.25));
  }

  /** Samples per second received over the last ~2 s. */
  rateHz(nowMs: number): number {
    const recent = this.arrivals.filter((arrival) => arrival.atMs >= nowMs - RATE_WINDOW_MS);
    if (recent.length < 2) return 0;
    const spanMs = nowMs - recent[0]!.atMs;
    const samples = recent.slice(1).reduce((sum, arrival) => sum + arrival.count, 0);
    return spanMs > 0 ? (samples * 1000) / spanMs : 0;
  }

  /** Seconds of history held (newest minus oldest sample). */
  heldSeconds(): number {
    if (this.ring.length < 2) return 0;
    return (this.ring.latestTimeMs() - this.ring.timeMs[this.ring.slot(0)]!) / 1000;
  }
}
