import type { ControlLoopTiming, ControlTickWindow } from '../../../shared/arm';

/** Lateness thresholds whose exceedances the ticker counts (the arm's budget is lateness p99 ≤ 2 ms, docs/arm.md). */
export const CONTROL_LATE_THRESHOLDS_MS: readonly number[] = [1, 2, 5, 10];
const WINDOW_MS = 1000;

function percentileOfSorted(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

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
  /** Ticks later than each of CONTROL_LATE_THRESHOLDS_MS, since start (a budget like "p99 ≤ 2 ms" is exact from these). */
  readonly ticksLateOver: number[] = CONTROL_LATE_THRESHOLDS_MS.map(() => 0);
  /** The last completed window of about a second (arm.state carries it, for diagnostics and the soak benchmark). */
  lastWindow: ControlTickWindow | null = null;
  private windowStartMs: number | null = null;
  private lastFireMs: number | null = null;
  private windowIntervalsMs: number[] = [];
  private windowLatenessMs: number[] = [];

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
    // A pause is not a tick interval: the next window starts afresh.
    this.lastFireMs = null;
    this.windowStartMs = null;
    this.windowIntervalsMs = [];
    this.windowLatenessMs = [];
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
    this.recordTiming(now, late);
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

  /** What arm.state carries of the loop's timing. */
  timing(): ControlLoopTiming {
    return {
      rateHz: this.rateHz,
      ticks: this.ticks,
      overruns: this.overruns,
      lateThresholdsMs: [...CONTROL_LATE_THRESHOLDS_MS],
      ticksLateOver: [...this.ticksLateOver],
      window: this.lastWindow,
    };
  }

  private recordTiming(nowMs: number, lateMs: number): void {
    CONTROL_LATE_THRESHOLDS_MS.forEach((thresholdMs, index) => {
      if (lateMs > thresholdMs) this.ticksLateOver[index]! += 1;
    });
    if (this.lastFireMs !== null) this.windowIntervalsMs.push(nowMs - this.lastFireMs);
    this.lastFireMs = nowMs;
    this.windowLatenessMs.push(lateMs);
    this.windowStartMs ??= nowMs;
    if (nowMs - this.windowStartMs < WINDOW_MS) return;
    const intervals = this.windowIntervalsMs.sort((a, b) => a - b);
    const lateness = this.windowLatenessMs.sort((a, b) => a - b);
    this.lastWindow = {
      endedAtMs: performance.timeOrigin + nowMs,
      ticks: lateness.length,
      intervalP50Ms: percentileOfSorted(intervals, 50),
      intervalP99Ms: percentileOfSorted(intervals, 99),
      intervalMaxMs: intervals.at(-1) ?? 0,
      latenessP50Ms: percentileOfSorted(lateness, 50),
      latenessP99Ms: percentileOfSorted(lateness, 99),
      latenessMaxMs: lateness.at(-1) ?? 0,
    };
    this.windowStartMs = nowMs;
    this.windowIntervalsMs = [];
    this.windowLatenessMs = [];
  }
}
