/** Feedback rate over a sliding window of arrival times. */
export class RateMeter {
  private readonly arrivalsMs: number[] = [];
  private startedAtMs = Date.now();

  constructor(private readonly windowMs = 1000) {}

  mark(nowMs: number): void {
    this.arrivalsMs.push(nowMs);
    this.trim(nowMs);
  }

  /** Arrivals per second over the window, or over the time since reset when that is shorter. */
  rateHz(nowMs: number): number {
    this.trim(nowMs);
    const spanMs = Math.min(this.windowMs, Math.max(1, nowMs - this.startedAtMs));
    return (this.arrivalsMs.length * 1000) / spanMs;
  }

  /** Milliseconds since reset: rates over a shorter span are noisy. */
  ageMs(nowMs: number): number {
    return nowMs - this.startedAtMs;
  }

  reset(nowMs = Date.now()): void {
    this.arrivalsMs.length = 0;
    this.startedAtMs = nowMs;
  }

  private trim(nowMs: number): void {
    while (this.arrivalsMs.length && this.arrivalsMs[0]! <= nowMs - this.windowMs) this.arrivalsMs.shift();
  }
}
