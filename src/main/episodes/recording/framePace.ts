/** The bucket holds this many frames: a thinned source may jitter by ±1 frame interval. */
const CAPACITY = 3;
const START_CREDIT = 2;
/**
 * A source up to this much faster than the target rate is recorded whole: a "30 fps" camera whose clock
 * runs 1 % fast must not lose a frame every few seconds.
 */
const SAME_RATE_TOLERANCE = 1.1;
/** The source's rate is measured over this many frames (about a second at 30 fps). */
const RATE_WINDOW_FRAMES = 30;
const MIN_FRAMES_FOR_RATE = 10;

/**
 * Chooses which frames to record for a target rate, by their capture times. A source at (or near, or
 * below) the target rate has every frame recorded, bunched or late; a clearly faster one (its rate over
 * the last second above 1.1 × the target) is thinned evenly by a token bucket that earns `fps` tokens per
 * second.
 */
export class FramePace {
  private credit = START_CREDIT;
  private readonly recentAtMs: number[] = [];
  /** Frames not recorded because the source is faster than the target rate. */
  skipped = 0;

  constructor(private readonly fps: number) {}

  take(capturedAtMs: number): boolean {
    const previous = this.recentAtMs.at(-1);
    if (previous !== undefined)
      this.credit = Math.min(CAPACITY, this.credit + (Math.max(0, capturedAtMs - previous) * this.fps) / 1000);
    this.recentAtMs.push(capturedAtMs);
    if (this.recentAtMs.length > RATE_WINDOW_FRAMES) this.recentAtMs.shift();
    if (this.sourceIsFaster() && this.credit < 1 - 1e-9) {
      this.skipped += 1;
      return false;
    }
    this.credit = Math.max(0, this.credit - 1);
    return true;
  }

  private sourceIsFaster(): boolean {
    const n = this.recentAtMs.length;
    if (n < MIN_FRAMES_FOR_RATE) return false;
    const spanMs = this.recentAtMs[n - 1]! - this.recentAtMs[0]!;
    return spanMs <= 0 || ((n - 1) * 1000) / spanMs > this.fps * SAME_RATE_TOLERANCE;
  }
}
