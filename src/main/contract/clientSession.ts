import type { CallOutcome, CoachErrorShape } from '../../shared/contract/errors';
import type { ContractShape } from '../../shared/contract/define';
import type { ContractServer } from './contractServer';
import { LatestValueSender } from './latestValueSender';

export interface ClientSessionLimits {
  maxSubscriptions: number;
  maxConcurrentCalls: number;
}

export const defaultSessionLimits: ClientSessionLimits = { maxSubscriptions: 64, maxConcurrentCalls: 32 };

interface SessionSubscription {
  sender: LatestValueSender<unknown>;
  unsubscribe: () => void;
}

/**
 * One connected client (a browser tab over WebSocket, or an Electron window
 * over IPC): its subscriptions, their flow control and its call budget.
 */
export class ClientSession<C extends ContractShape> {
  private readonly subscriptions = new Map<number, SessionSubscription>();
  private callsInProgress = 0;
  private closed = false;

  constructor(
    private readonly server: ContractServer<C>,
    private readonly limits: ClientSessionLimits = defaultSessionLimits,
  ) {}

  async call(method: string, args: unknown): Promise<CallOutcome> {
    if (this.callsInProgress >= this.limits.maxConcurrentCalls) {
      return {
        ok: false,
        error: {
          code: 'busy',
          message: `more than ${this.limits.maxConcurrentCalls} calls in progress; wait for answers before sending more`,
        },
      };
    }
    this.callsInProgress += 1;
    try {
      return await this.server.call(method, args);
    } finally {
      this.callsInProgress -= 1;
    }
  }

  /**
   * deliver sends one value to the client; the client acknowledges it with ack(sub).
   * Returns null on success, or the error to report.
   */
  subscribe(
    sub: number,
    stream: string,
    args: unknown,
    deliver: (value: unknown) => void,
    onInvalidPayload?: (error: CoachErrorShape) => void,
  ): CoachErrorShape | null {
    if (this.closed) return { code: 'disconnected', message: 'the session is closed' };
    if (this.subscriptions.has(sub)) {
      return { code: 'bad_message', message: `subscription id ${sub} is already in use on this connection` };
    }
    if (this.subscriptions.size >= this.limits.maxSubscriptions) {
      return {
        code: 'busy',
        message: `a connection may hold at most ${this.limits.maxSubscriptions} subscriptions; unsubscribe first`,
      };
    }
    const sender = new LatestValueSender<unknown>(deliver);
    const outcome = this.server.subscribe(stream, args, (value) => sender.offer(value), onInvalidPayload);
    if (!outcome.ok) return outcome.error;
    this.subscriptions.set(sub, { sender, unsubscribe: outcome.unsubscribe });
    return null;
  }

  ack(sub: number): void {
    this.subscriptions.get(sub)?.sender.ack();
  }

  unsubscribe(sub: number): void {
    const subscription = this.subscriptions.get(sub);
    if (!subscription) return;
    this.subscriptions.delete(sub);
    subscription.sender.close();
    subscription.unsubscribe();
  }

  /** Delivery counters per subscription, for diagnostics and tests. */
  stats(): { sub: number; delivered: number; dropped: number; unacknowledged: number }[] {
    return [...this.subscriptions].map(([sub, { sender }]) => ({
      sub,
      delivered: sender.delivered,
      dropped: sender.dropped,
      unacknowledged: sender.unacknowledged,
    }));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const sub of [...this.subscriptions.keys()]) this.unsubscribe(sub);
  }
}
