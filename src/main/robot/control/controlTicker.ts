/**
 * Calls a function at a fixed rate on absolute deadlines, so lateness in one
 * tick does not shift the next. Node timers have ~1 ms granularity; each tick
 * records how late it ran (jitter) for the benchmark and diagnostics.
 */
export class ControlTicker {
  private timer: NodeJS.Timeout | null = null;
  private nextDeadlineMs = 0;
  private readonly periodMs: number;
  /** Lateness of recent ticks, ms (a ring of the last 4096). */
  readonly latenessMs: number[] = [];
  ticks = 0;
  overruns = 0;

  constructor(
    readonly rateHz: number,
    private readonly onTick: (nowMs: number) => void,
  ) {
    this.periodMs = 1000 / rateHz;
  }

  start(): void {
    if (this.timer) return;
    this.nextDeadlineMs = performance.now() + this.periodMs;
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, this.nextDeadlineMs - performance.now()));
  }

  private fire(): void {
    const now = performance.now();
    const late = now - this.nextDeadlineMs;
    if (this.latenessMs.length >= 4096) this.latenessMs.shift();
    this.latenessMs.push(late);
    this.ticks += 1;
    this.nextDeadlineMs += this.periodMs;
    // Fell more than a period behind (the process was stalled): skip ahead rather than burst.
    if (now - this.nextDeadlineMs > this.periodMs) {
      this.overruns += 1;
      this.nextDeadlineMs = now + this.periodMs;
    }
    try {
      this.onTick(Date.now());
    } finally {
      if (this.timer) this.schedule();
    }
  }
}
