/**
 * A broadcast value with its latest sample kept, so late subscribers start with something to show.
 * Events (things that happened once) pass `replayLatest: false`: a late subscriber must not see them again.
 */
export class Topic<T> {
  private readonly listeners = new Set<(value: T) => void>();
  private latestValue: T | undefined;

  constructor(private readonly options: { replayLatest: boolean } = { replayLatest: true }) {}

  publish(value: T): void {
    this.latestValue = value;
    for (const listener of this.listeners) listener(value);
  }

  get latest(): T | undefined {
    return this.latestValue;
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Calls the listener with the latest value at once (if any), then with every new one. */
  subscribe(listener: (value: T) => void): () => void {
    this.listeners.add(listener);
    if (this.options.replayLatest && this.latestValue !== undefined) listener(this.latestValue);
    return () => {
      this.listeners.delete(listener);
    };
  }
}
