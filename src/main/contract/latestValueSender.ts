/**
 * Delivers a stream to one slow or fast consumer with latest-value semantics.
 * At most `maxInFlight` values are unacknowledged at a time; while the window
 * is full, newer values overwrite the one waiting, so memory per subscriber is
 * bounded by (maxInFlight + 1) values however long the consumer stalls.
 */
export class LatestValueSender<T> {
  private inFlight = 0;
  private waiting: { value: T } | null = null;
  private closed = false;
  delivered = 0;
  dropped = 0;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly maxInFlight = 2,
  ) {}

  offer(value: T): void {
    if (this.closed) return;
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      this.delivered += 1;
      this.deliver(value);
      return;
    }
    if (this.waiting) this.dropped += 1;
    this.waiting = { value };
  }

  /** The consumer has handled one delivered value. */
  ack(): void {
    if (this.inFlight > 0) this.inFlight -= 1;
    if (this.waiting && !this.closed) {
      const { value } = this.waiting;
      this.waiting = null;
      this.offer(value);
    }
  }

  get unacknowledged(): number {
    return this.inFlight;
  }

  get hasWaitingValue(): boolean {
    return this.waiting !== null;
  }

  close(): void {
    this.closed = true;
    this.waiting = null;
  }
}
