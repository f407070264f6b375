/**
 * Publishes at most once per interval: an urgent request publishes now, others are coalesced into one
 * publication at the end of the interval (the newest state, read when it publishes).
 */
export class PublishThrottle {
  private lastMs = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly publish: () => void,
  ) {}

  request(now: boolean): void {
    const since = Date.now() - this.lastMs;
    if (now || since >= this.intervalMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.lastMs = Date.now();
      this.publish();
    } else
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.request(true);
      }, this.intervalMs - since);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
