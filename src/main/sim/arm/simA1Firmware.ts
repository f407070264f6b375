import { FUNCTION_CODES, MOTOR_COUNT } from '../../../shared/robot/a1Spec';
import { encodeFeedbackPacket, FrameReader } from '../../../shared/robot/wire';
import type { ByteChannel } from '../../robot/link/byteChannel';
import { SimulatedA1 } from './simulatedA1';
import { ControlTicker } from '../../robot/control/controlTicker';

export interface SimFirmwareOptions {
  feedbackRateHz?: number;
}

export const DEFAULT_SIM_FEEDBACK_RATE_HZ = 200;

/**
 * The simulated A1's firmware: reads command and function frames from a byte
 * channel with the real codec, drives the SimulatedA1, and answers with
 * feedback in the firmware's 3 + 4 motor packet split.
 */
export class SimA1Firmware {
  readonly reader = new FrameReader();
  private channel: ByteChannel | null = null;
  private readonly ticker: ControlTicker;
  private lastStepAtNs = process.hrtime.bigint();
  private stalledUntilMs = 0;
  private readonly feedbackRateHz: number;
  functionCodesReceived: number[] = [];
  commandFramesReceived = 0;
  private readonly batchListeners = new Set<(receivedAtMs: number) => void>();
  private readonly cycleListeners = new Set<(dtS: number) => void>();

  constructor(
    readonly arm: SimulatedA1 = new SimulatedA1(),
    options: SimFirmwareOptions = {},
  ) {
    this.feedbackRateHz = options.feedbackRateHz ?? DEFAULT_SIM_FEEDBACK_RATE_HZ;
    // Absolute deadlines, as firmware would keep: setInterval drifts to ~180 Hz under load.
    this.ticker = new ControlTicker(this.feedbackRateHz, () => this.cycle());
  }

  /** Serves one channel (a new one replaces the old, as when a cable is re-plugged). */
  attach(channel: ByteChannel): void {
    this.channel = channel;
    channel.onData((bytes) => this.receive(bytes));
    channel.onClose(() => {
      if (this.channel === channel) this.channel = null;
    });
    if (!this.ticker.running) {
      this.lastStepAtNs = process.hrtime.bigint();
      this.ticker.start();
    }
  }

  stop(): void {
    this.ticker.stop();
    this.channel?.close();
    this.channel = null;
  }

  /** Called when a command for the last motor (the gripper) arrives, i.e. a whole 7-motor command set is in. */
  onCommandBatch(listener: (receivedAtMs: number) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** Called after every physics step (at the feedback rate) with the step's length. */
  onCycle(listener: (dtS: number) => void): () => void {
    this.cycleListeners.add(listener);
    return () => this.cycleListeners.delete(listener);
  }

  /** Fault injection: the USB cable is pulled (the channel closes). */
  pullCable(): void {
    this.channel?.close();
    this.channel = null;
  }

  /** Fault injection: feedback stops for a while, the link stays open. */
  stallFeedback(durationMs: number): void {
    this.stalledUntilMs = Date.now() + durationMs;
  }

  /** Fault injection: raw bytes on the wire. */
  sendGarbage(bytes: Uint8Array): void {
    this.channel?.write(bytes);
  }

  private receive(bytes: Uint8Array): void {
    for (const frame of this.reader.push(bytes)) {
      if (frame.kind === 'jointCommand') {
        this.commandFramesReceived += 1;
        this.arm.applyCommand(frame.command);
        if (frame.command.motorId === MOTOR_COUNT && this.batchListeners.size) {
          const now = performance.now();
          this.batchListeners.forEach((listener) => listener(now));
        }
      } else if (frame.kind === 'function') {
        this.functionCodesReceived.push(frame.code);
        if (frame.code === FUNCTION_CODES.enable) this.arm.setEnabled(true);
        else if (frame.code === FUNCTION_CODES.disable) this.arm.setEnabled(false);
        else if (frame.code === FUNCTION_CODES.clearError) this.arm.clearErrors();
      }
    }
  }

  private cycle(): void {
    const now = process.hrtime.bigint();
    const dtS = Math.min(0.05, Number(now - this.lastStepAtNs) / 1e9);
    this.arm.step(dtS);
    this.lastStepAtNs = now;
    this.cycleListeners.forEach((listener) => listener(dtS));
    if (!this.channel || Date.now() < this.stalledUntilMs) return;
    const motors = this.arm.feedback();
    this.channel.write(encodeFeedbackPacket(motors.slice(0, 3)));
    this.channel.write(encodeFeedbackPacket(motors.slice(3)));
  }
}
