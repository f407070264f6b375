import { LatestValueSender } from '../contract/latestValueSender';
import type { CameraFrame, CameraState, CameraStats } from './frameTypes';

/** A push consumer; it must call `done()` once it has finished with the frame (sync or later). */
export type FrameHandler = (frame: CameraFrame, done: () => void) => void;

export interface FrameSubscribeOptions {
  /** Frames handed to the consumer and not yet `done()`. Default 1. */
  maxInFlight?: number;
}

const FPS_WINDOW_MS = 1000;
/** Publish times kept for the fps figure; rates above this many Hz read as this many. */
const FPS_HISTORY = 1024;

interface FrameConsumer {
  sender: LatestValueSender<CameraFrame>;
  handlerErrors: number;
}

class CameraChannel {
  latest: CameraFrame | undefined;
  latestPublishedAtMs = 0;
  framesPublished = 0;
  state: CameraState = 'starting';
  lastError: string | null = null;
  readonly consumers = new Map<string, FrameConsumer>();
  private readonly publishTimesMs = new Float64Array(FPS_HISTORY);
  private nextTimeIndex = 0;

  recordPublish(nowMs: number): void {
    this.publishTimesMs[this.nextTimeIndex] = nowMs;
    this.nextTimeIndex = (this.nextTimeIndex + 1) % FPS_HISTORY;
    this.framesPublished += 1;
    this.latestPublishedAtMs = nowMs;
  }

  fps(nowMs: number): number {
    const kept = Math.min(this.framesPublished, FPS_HISTORY);
    let count = 0;
    for (let back = 1; back <= kept; back += 1) {
      const timeMs = this.publishTimesMs[(this.nextTimeIndex - back + FPS_HISTORY) % FPS_HISTORY]!;
      if (nowMs - timeMs > FPS_WINDOW_MS) break;
      count += 1;
    }
    return count;
  }
}

/**
 * Latest-frame hub between camera sources and their consumers.
 *
 * Only the newest frame of each camera is kept. Push consumers get frames through a per-consumer
 * LatestValueSender: while a consumer is busy, a newer frame replaces the one waiting for it, so a
 * stalled consumer pins at most maxInFlight + 1 frames and never slows the publisher or other consumers.
 */
export class FrameBus {
  private readonly channels = new Map<string, CameraChannel>();

  /** `nowMs` is a monotonic clock (ms); injectable for tests. */
  constructor(private readonly nowMs: () => number = () => performance.now()) {}

  /** Never blocks and never queues: delivers to idle consumers, replaces what busy ones wait for. */
  publish(frame: CameraFrame): void {
    const channel = this.channel(frame.camera);
    channel.latest = frame;
    channel.recordPublish(this.nowMs());
    channel.state = 'live';
    for (const consumer of channel.consumers.values()) consumer.sender.offer(frame);
  }

  /** The newest frame of a camera, for pull consumers such as the control loop's observation. */
  latest(camera: string): CameraFrame | undefined {
    return this.channels.get(camera)?.latest;
  }

  /**
   * Pushes frames of one camera to `handler` at the consumer's own pace, starting with the latest
   * frame if there is one. Returns the unsubscribe function.
   */
  subscribe(
    camera: string,
    consumerName: string,
    handler: FrameHandler,
    { maxInFlight = 1 }: FrameSubscribeOptions = {},
  ): () => void {
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError(`maxInFlight must be a whole number ≥ 1, got ${maxInFlight}`);
    }
    const channel = this.channel(camera);
    if (channel.consumers.has(consumerName)) {
      throw new Error(`camera "${camera}" already has a consumer named "${consumerName}"`);
    }
    const consumer: FrameConsumer = {
      handlerErrors: 0,
      sender: new LatestValueSender<CameraFrame>((frame) => {
        let finished = false;
        const done = () => {
          if (finished) return;
          finished = true;
          consumer.sender.ack();
        };
        try {
          handler(frame, done);
        } catch {
          // A throwing consumer must not break the publisher or the other consumers.
          consumer.handlerErrors += 1;
          done();
        }
      }, maxInFlight),
    };
    channel.consumers.set(consumerName, consumer);
    if (channel.latest) consumer.sender.offer(channel.latest);
    return () => {
      consumer.sender.close();
      if (channel.consumers.get(consumerName) === consumer) channel.consumers.delete(consumerName);
    };
  }

  /** For camera sources: report the state and, when failing or stalled, the reason in the operator's words. */
  setState(camera: string, state: CameraState, lastError: string | null = null): void {
    const channel = this.channel(camera);
    channel.state = state;
    if (lastError !== null || state === 'starting') channel.lastError = lastError;
  }

  cameraStats(camera: string): CameraStats | undefined {
    const channel = this.channels.get(camera);
    if (!channel) return undefined;
    const nowMs = this.nowMs();
    const dropsByConsumer: Record<string, number> = {};
    for (const [name, consumer] of channel.consumers) dropsByConsumer[name] = consumer.sender.dropped;
    return {
      camera,
      fps: channel.fps(nowMs),
      lastFrameAgeMs: channel.latest ? nowMs - channel.latestPublishedAtMs : null,
      framesPublished: channel.framesPublished,
      dropsByConsumer,
      state: channel.state,
      lastError: channel.lastError,
    };
  }

  stats(): CameraStats[] {
    return [...this.channels.keys()].map((camera) => this.cameraStats(camera)!);
  }

  /** Handler exceptions swallowed for one consumer (each counts as done). */
  handlerErrors(camera: string, consumerName: string): number {
    return this.channels.get(camera)?.consumers.get(consumerName)?.handlerErrors ?? 0;
  }

  private channel(camera: string): CameraChannel {
    let channel = this.channels.get(camera);
    if (!channel) {
      channel = new CameraChannel();
      this.channels.set(camera, channel);
    }
    return channel;
  }
}
