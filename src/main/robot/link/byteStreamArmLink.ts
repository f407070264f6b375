import type { LinkKind, LinkState, LinkStats } from '../../../shared/arm';
import { FUNCTION_CODES, type FunctionName } from '../../../shared/robot/a1Spec';
import {
  encodeFunctionFrame,
  encodeJointCommand,
  FeedbackAssembler,
  FrameReader,
  type JointCommand,
} from '../../../shared/robot/wire';
import { DEFAULT_RECONNECT, type ArmFeedback, type ArmLink, type ReconnectPolicy } from './armLink';
import type { ByteChannel, ByteChannelOpener } from './byteChannel';
import { RateMeter } from './feedbackRate';
import { Listeners } from './linkListeners';

export interface ByteStreamLinkOptions {
  kind: LinkKind;
  description: string;
  open: ByteChannelOpener;
  /** The rate the firmware should deliver; below half of it the link is degraded. */
  expectedFeedbackHz?: number;
  /** No feedback for this long while connected: degraded. */
  staleAfterMs?: number;
  reconnect?: ReconnectPolicy;
}

/**
 * An ArmLink over a raw byte stream speaking the A1 wire protocol: serial,
 * TCP to a serial-over-network bridge, or the in-process simulated firmware.
 */
export class ByteStreamArmLink implements ArmLink {
  readonly kind: LinkKind;
  readonly description: string;
  private channel: ByteChannel | null = null;
  private linkState: LinkState = 'down';
  private reader = new FrameReader();
  private assembler = new FeedbackAssembler();
  private readonly rate = new RateMeter();
  private readonly feedbackListeners = new Listeners<ArmFeedback>();
  private readonly stateListeners = new Listeners<LinkState>();
  private reconnectTimer: NodeJS.Timeout | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  private reconnectDelayMs: number;
  private closed = true;
  private lastFeedbackAtMs = 0;
  private reconnects = 0;
  private lastError: string | null = null;
  private totals = { crcErrors: 0, garbageBytes: 0, malformedFrames: 0, incompleteFeedback: 0 };
  private readonly expectedHz: number;
  private readonly staleAfterMs: number;
  private readonly reconnectPolicy: ReconnectPolicy;

  constructor(private readonly options: ByteStreamLinkOptions) {
    this.kind = options.kind;
    this.description = options.description;
    this.expectedHz = options.expectedFeedbackHz ?? 200;
    this.staleAfterMs = options.staleAfterMs ?? 100;
    this.reconnectPolicy = options.reconnect ?? DEFAULT_RECONNECT;
    this.reconnectDelayMs = this.reconnectPolicy.initialDelayMs;
  }

  start(): void {
    if (!this.closed) return;
    this.closed = false;
    this.healthTimer = setInterval(() => this.checkHealth(), 50);
    void this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.healthTimer) clearInterval(this.healthTimer);
    this.reconnectTimer = null;
    this.healthTimer = null;
    const channel = this.channel;
    this.channel = null;
    channel?.close();
    this.setState('down');
  }

  state(): LinkState {
    return this.linkState;
  }

  stats(): LinkStats {
    return {
      kind: this.kind,
      description: this.description,
      state: this.linkState,
      feedbackRateHz: this.rate.rateHz(Date.now()),
      ...this.currentErrorCounts(),
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  sendJointCommands(commands: readonly JointCommand[]): boolean {
    const channel = this.channel;
    if (!channel || this.linkState === 'down' || this.linkState === 'connecting') return false;
    const frames = commands.map((command) => encodeJointCommand(command));
    const bytes = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
    let at = 0;
    for (const frame of frames) {
      bytes.set(frame, at);
      at += frame.length;
    }
    channel.write(bytes);
    return true;
  }

  async sendFunction(name: FunctionName): Promise<void> {
    if (!this.channel) throw new Error(`the ${this.kind} link is ${this.linkState}; cannot send ${name}`);
    this.channel.write(encodeFunctionFrame(FUNCTION_CODES[name]));
  }

  onFeedback(listener: (feedback: ArmFeedback) => void): () => void {
    return this.feedbackListeners.add(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  private currentErrorCounts() {
    return {
      crcErrors: this.totals.crcErrors + this.reader.stats.crcErrors,
      garbageBytes: this.totals.garbageBytes + this.reader.stats.garbageBytes,
      malformedFrames: this.totals.malformedFrames + this.reader.stats.malformedFrames,
      incompleteFeedback: this.totals.incompleteFeedback + this.assembler.incompleteCycles,
    };
  }

  private setState(next: LinkState): void {
    if (this.linkState === next) return;
    this.linkState = next;
    this.stateListeners.emit(next);
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    this.setState('connecting');
    let channel: ByteChannel;
    try {
      channel = await this.options.open();
    } catch (error) {
      this.lastError = (error as Error).message;
      this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      channel.close();
      return;
    }
    // Fresh parser state per connection; keep the counts.
    this.totals = this.currentErrorCounts();
    this.reader = new FrameReader();
    this.assembler = new FeedbackAssembler();
    this.rate.reset();
    this.channel = channel;
    this.reconnectDelayMs = this.reconnectPolicy.initialDelayMs;
    channel.onData((bytes) => this.receive(bytes));
    channel.onClose((reason) => {
      if (this.channel !== channel) return;
      this.channel = null;
      this.lastError = `${this.description}: ${reason}`;
      this.setState('down');
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    this.setState('down');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.reconnects += 1;
      void this.connect();
    }, this.reconnectDelayMs);
    this.reconnectDelayMs = Math.min(this.reconnectPolicy.maxDelayMs, this.reconnectDelayMs * 2);
  }

  private receive(bytes: Uint8Array): void {
    for (const frame of this.reader.push(bytes)) {
      if (frame.kind !== 'feedback') continue;
      const motors = this.assembler.push(frame.motors);
      if (!motors) continue;
      const now = Date.now();
      this.lastFeedbackAtMs = now;
      this.rate.mark(now);
      if (this.linkState === 'connecting') this.setState('up');
      this.feedbackListeners.emit({ motors, receivedAtMs: now });
    }
  }

  private checkHealth(): void {
    if (!this.channel || this.linkState === 'connecting' || this.linkState === 'down') return;
    const now = Date.now();
    const stale = now - this.lastFeedbackAtMs > this.staleAfterMs;
    const slow = this.rate.ageMs(now) > 250 && this.rate.rateHz(now) < this.expectedHz / 2;
    this.setState(stale || slow ? 'degraded' : 'up');
  }
}
