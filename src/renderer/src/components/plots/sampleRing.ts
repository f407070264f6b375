/**
 * A fixed-size ring of samples in columns: a time column (ms) and `channelCount` value columns, stored as
 * Float64Arrays (NaN for "no value"). Pushing past the capacity overwrites the oldest sample; nothing is
 * allocated after construction, so a 200 Hz stream costs no garbage.
 */
export class SampleRing {
  readonly timeMs: Float64Array;
  readonly channels: Float64Array[];
  /** Index of the oldest sample. */
  private head = 0;
  private size = 0;

  constructor(
    readonly capacity: number,
    readonly channelCount: number,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new Error(`ring capacity must be a positive whole number, got ${capacity}`);
    this.timeMs = new Float64Array(capacity);
    this.channels = Array.from({ length: channelCount }, () => new Float64Array(capacity));
  }

  get length(): number {
    return this.size;
  }

  /** Appends samples: `values[channel][i]` belongs to `timeMs[i]` (null → NaN). */
  push(timeMs: readonly number[], values: readonly (readonly (number | null)[])[]): void {
    if (values.length !== this.channelCount)
      throw new Error(`expected ${this.channelCount} value columns, got ${values.length}`);
    for (let i = 0; i < timeMs.length; i += 1) {
      const slot = (this.head + this.size) % this.capacity;
      this.timeMs[slot] = timeMs[i]!;
      for (let c = 0; c < this.channelCount; c += 1) this.channels[c]![slot] = values[c]![i] ?? Number.NaN;
      if (this.size < this.capacity) this.size += 1;
      else this.head = (this.head + 1) % this.capacity;
    }
  }

  /** A ring of another capacity holding this one's newest samples (as many as fit). */
  resized(capacity: number): SampleRing {
    const next = new SampleRing(capacity, this.channelCount);
    const keep = Math.min(this.size, capacity);
    for (let i = this.size - keep; i < this.size; i += 1) {
      const from = this.slot(i);
      const to = next.size;
      next.timeMs[to] = this.timeMs[from]!;
      for (let c = 0; c < this.channelCount; c += 1) next.channels[c]![to] = this.channels[c]![from]!;
      next.size += 1;
    }
    return next;
  }

  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  /** Physical slot of the i-th oldest sample (0 ≤ i < length). */
  slot(i: number): number {
    return (this.head + i) % this.capacity;
  }

  /** Time of the newest sample, or NaN when empty. */
  latestTimeMs(): number {
    return this.size ? this.timeMs[this.slot(this.size - 1)]! : Number.NaN;
  }

  /** The newest value of a channel (NaN when empty or when that sample had none). */
  latest(channel: number): number {
    return this.size ? this.channels[channel]![this.slot(this.size - 1)]! : Number.NaN;
  }

  /** Logical index (0 = oldest) of the first sample with time ≥ fromMs; `length` when none. Times must not decrease. */
  indexAtOrAfter(fromMs: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeMs[this.slot(mid)]! < fromMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
