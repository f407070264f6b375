/** Steps of the moving averages: the smoothed loss and the step rate. */
export const SMOOTHING_WINDOW = 50;

/** Loss smoothing, step rate and time left of a run. */
export class ProgressMeter {
  private readonly losses: number[];
  private readonly stepEndsMs: number[] = [];

  constructor(
    private readonly totalSteps: number,
    recentLosses: readonly number[] = [],
  ) {
    this.losses = recentLosses.slice(-SMOOTHING_WINDOW);
  }

  record(loss: number, nowMs = performance.now()): void {
    this.losses.push(loss);
    if (this.losses.length > SMOOTHING_WINDOW) this.losses.shift();
    this.stepEndsMs.push(nowMs);
    if (this.stepEndsMs.length > SMOOTHING_WINDOW + 1) this.stepEndsMs.shift();
  }

  /** The last losses (up to SMOOTHING_WINDOW), for a checkpoint. */
  get recentLosses(): number[] {
    return [...this.losses];
  }

  get smoothedLoss(): number | null {
    return this.losses.length ? this.losses.reduce((a, b) => a + b, 0) / this.losses.length : null;
  }

  /** Over the last steps (the first one, which compiles the step, drops out of the window soon). */
  get stepsPerS(): number | null {
    const ends = this.stepEndsMs;
    if (ends.length < 2) return null;
    const spanMs = ends[ends.length - 1]! - ends[0]!;
    return spanMs > 0 ? ((ends.length - 1) * 1000) / spanMs : null;
  }

  etaS(stepsDone: number): number | null {
    const rate = this.stepsPerS;
    return rate ? (this.totalSteps - stepsDone) / rate : null;
  }
}
