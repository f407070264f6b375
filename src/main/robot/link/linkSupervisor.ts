import type { LinkKind, LinkState, LinkStats } from '../../../shared/arm';
import type { ArmFeedback, ReconnectPolicy } from './armLink';
import { RateMeter } from './feedbackRate';
import { Listeners } from './linkListeners';

export interface LinkSupervisorOptions {
  /** The rate the arm should deliver; below half of it the link is degraded. */
  expectedFeedbackHz: number;
  /** No feedback for this long while connected: degraded. */
  staleAfterMs: number;
  reconnect: ReconnectPolicy;
  /** Starts one connection attempt; the link reports back with connected(), connectFailed() or disconnected(). */
  connect: () => void;
}

const HEALTH_CHECK_INTERVAL_MS = 50;
/** Rates over a shorter span than this after connecting are too noisy to call a link degraded. */
const MIN_RATE_SPAN_MS = 250;

/**
 * What every ArmLink does the same way, whatever carries its bytes: the
 * connecting / up / degraded / down state, the feedback rate, reconnection
 * with exponential back-off, and the feedback and state listeners.
 */
export class LinkSupervisor {
  private linkState: LinkState = 'down';
  private readonly rate = new RateMeter();
  private readonly feedbackListeners = new Listeners<ArmFeedback>();
  private readonly stateListeners = new Listeners<LinkState>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs: number;
  private open = false;
  private stopped = true;
  private lastFeedbackAtMs = 0;
  reconnects = 0;
  lastError: string | null = null;

  constructor(private readonly options: LinkSupervisorOptions) {
    this.reconnectDelayMs = options.reconnect.initialDelayMs;
  }

  get state(): LinkState {
    return this.linkState;
  }

  /** True after stop(): attempts that finish later must close what they opened. */
  get isStopped(): boolean {
    return this.stopped;
  }

  feedbackRateHz(): number {
    return this.rate.rateHz(Date.now());
  }

  /** A link's stats: what every link reports alike, plus its own frame error counts. */
  stats(
    kind: LinkKind,
    description: string,
    errors: Pick<LinkStats, 'crcErrors' | 'garbageBytes' | 'malformedFrames' | 'incompleteFeedback'>,
  ): LinkStats {
    return {
      kind,
      description,
      state: this.linkState,
      feedbackRateHz: this.feedbackRateHz(),
      ...errors,
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.healthTimer = setInterval(() => this.checkHealth(), HEALTH_CHECK_INTERVAL_MS);
    this.attempt();
  }

  stop(): void {
    this.stopped = true;
    this.open = false;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.reconnectTimer = null;
    this.healthTimer = null;
    this.setState('down');
  }

  /** The transport is open; the link is up once feedback flows. */
  connected(): void {
    this.open = true;
    this.rate.reset();
    this.reconnectDelayMs = this.options.reconnect.initialDelayMs;
  }

  connectFailed(reason: string): void {
    this.lastError = reason;
    this.scheduleReconnect();
  }

  disconnected(reason: string): void {
    this.open = false;
    this.lastError = reason;
    this.setState('down');
    this.scheduleReconnect();
  }

  /** A complete 7-motor feedback sample arrived. */
  feedback(feedback: ArmFeedback): void {
    this.lastFeedbackAtMs = feedback.receivedAtMs;
    this.rate.mark(feedback.receivedAtMs);
    if (this.linkState === 'connecting') this.setState('up');
    this.feedbackListeners.emit(feedback);
  }

  onFeedback(listener: (feedback: ArmFeedback) => void): () => void {
    return this.feedbackListeners.add(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  private setState(next: LinkState): void {
    if (this.linkState === next) return;
    this.linkState = next;
    this.stateListeners.emit(next);
  }

  private attempt(): void {
    if (this.stopped) return;
    this.setState('connecting');
    this.options.connect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.reconnectTimer) return;
    this.setState('down');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects += 1;
      this.attempt();
    }, this.reconnectDelayMs);
    this.reconnectDelayMs = Math.min(this.options.reconnect.maxDelayMs, this.reconnectDelayMs * 2);
  }

  private checkHealth(): void {
    if (!this.open || this.linkState === 'connecting' || this.linkState === 'down') return;
    const now = Date.now();
    const stale = now - this.lastFeedbackAtMs > this.options.staleAfterMs;
    const slow = this.rate.ageMs(now) > MIN_RATE_SPAN_MS && this.rate.rateHz(now) < this.options.expectedFeedbackHz / 2;
    this.setState(stale || slow ? 'degraded' : 'up');
  }
}
