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
import { LinkSupervisor } from './linkSupervisor';

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
  private reader = new FrameReader();
  private assembler = new FeedbackAssembler();
  private totals = { crcErrors: 0, garbageBytes: 0, malformedFrames: 0, incompleteFeedback: 0 };
  private readonly supervisor: LinkSupervisor;

  constructor(private readonly options: ByteStreamLinkOptions) {
    this.kind = options.kind;
    this.description = options.description;
    this.supervisor = new LinkSupervisor({
      expectedFeedbackHz: options.expectedFeedbackHz ?? 200,
      staleAfterMs: options.staleAfterMs ?? 100,
      reconnect: options.reconnect ?? DEFAULT_RECONNECT,
      connect: () => void this.connect(),
    });
  }

  start(): void {
    this.supervisor.start();
  }

  async close(): Promise<void> {
    this.supervisor.stop();
    const channel = this.channel;
    this.channel = null;
    channel?.close();
  }

  state(): LinkState {
    return this.supervisor.state;
  }

  stats(): LinkStats {
    return this.supervisor.stats(this.kind, this.description, this.currentErrorCounts());
  }

  sendJointCommands(commands: readonly JointCommand[]): boolean {
    const channel = this.channel;
    const state = this.supervisor.state;
    if (!channel || state === 'down' || state === 'connecting') return false;
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
    if (!this.channel) throw new Error(`the ${this.kind} link is ${this.supervisor.state}; cannot send ${name}`);
    this.channel.write(encodeFunctionFrame(FUNCTION_CODES[name]));
  }

  onFeedback(listener: (feedback: ArmFeedback) => void): () => void {
    return this.supervisor.onFeedback(listener);
  }

  onState(listener: (state: LinkState) => void): () => void {
    return this.supervisor.onState(listener);
  }

  private currentErrorCounts() {
    return {
      crcErrors: this.totals.crcErrors + this.reader.stats.crcErrors,
      garbageBytes: this.totals.garbageBytes + this.reader.stats.garbageBytes,
      malformedFrames: this.totals.malformedFrames + this.reader.stats.malformedFrames,
      incompleteFeedback: this.totals.incompleteFeedback + this.assembler.incompleteCycles,
    };
  }

  private async connect(): Promise<void> {
    let channel: ByteChannel;
    try {
      channel = await this.options.open();
    } catch (error) {
      this.supervisor.connectFailed((error as Error).message);
      return;
    }
    if (this.supervisor.isStopped) {
      channel.close();
      return;
    }
    // Fresh parser state per connection; keep the counts.
    this.totals = this.currentErrorCounts();
    this.reader = new FrameReader();
    this.assembler = new FeedbackAssembler();
    this.channel = channel;
    this.supervisor.connected();
    channel.onData((bytes) => this.receive(bytes));
    channel.onClose((reason) => {
      if (this.channel !== channel) return;
      this.channel = null;
      this.supervisor.disconnected(`${this.description}: ${reason}`);
    });
  }

  private receive(bytes: Uint8Array): void {
    for (const frame of this.reader.push(bytes)) {
      if (frame.kind !== 'feedback') continue;
      const motors = this.assembler.push(frame.motors);
      if (motors) this.supervisor.feedback({ motors, receivedAtMs: Date.now() });
    }
  }
}
