/** The bucket holds this many frames: a thinned source may jitter by ±1 frame interval. */
const CAPACITY = 3;
const START_CREDIT = 2;
/**
 * A source up to this much faster than the target rate is recorded whole: a "30 fps" camera whose clock
 * runs 1 % fast must not lose a frame every few seconds.
 */
const SAME_RATE_TOLERANCE = 1.1;
const INTERVAL_SMOOTHING = 0.1;

/**
 * Chooses which frames to record for a target rate, by their capture times. A source at (or near, or
 * below) the target rate has every frame recorded, bunched or late; a faster one is thinned evenly by a
 * token bucket that earns `fps` tokens per second.
 */
export class FramePace {
  private credit = START_CREDIT;
  private lastAtMs: number | null = null;
  private meanIntervalMs: number | null = null;
  private readonly targetIntervalMs: number;
  /** Frames not recorded because the source is faster than the target rate. */
  skipped = 0;

  constructor(private readonly fps: number) {
    this.targetIntervalMs = 1000 / fps;
  }

  take(capturedAtMs: number): boolean {
    if (this.lastAtMs !== null) {
      const intervalMs = Math.max(0, capturedAtMs - this.lastAtMs);
      this.meanIntervalMs =
        this.meanIntervalMs === null
          ? intervalMs
          : this.meanIntervalMs + INTERVAL_SMOOTHING * (intervalMs - this.meanIntervalMs);
      this.credit = Math.min(CAPACITY, this.credit + (intervalMs * this.fps) / 1000);
    }
    this.lastAtMs = capturedAtMs;
    const sourceIsFaster =
      this.meanIntervalMs !== null && this.meanIntervalMs * SAME_RATE_TOLERANCE < this.targetIntervalMs;
    if (sourceIsFaster && this.credit < 1 - 1e-9) {
      this.skipped += 1;
      return false;
    }
    this.credit = Math.max(0, this.credit - 1);
    return true;
  }
}
