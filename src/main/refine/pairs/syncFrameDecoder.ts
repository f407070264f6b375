import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { frameRgbWorkerSource } from './frameRgb';

/** A decode that takes longer than this means the decoding thread is gone. */
const DECODE_TIMEOUT_MS = 60_000;

/**
 * Decodes recorded JPEG frames synchronously: PreferenceDataset.get is synchronous (the trainer's contract)
 * and sharp is not, so sharp runs in a worker thread while the caller blocks on an Atomics wait. The
 * pipeline is frameRgb's, so the bytes equal what the pair builder fed the policy.
 */
export class SyncFrameDecoder {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly flag: Int32Array;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    const signal = new SharedArrayBuffer(4);
    this.flag = new Int32Array(signal);
    this.port = port1;
    this.worker = new Worker(frameRgbWorkerSource(require.resolve('sharp')), {
      eval: true,
      workerData: { port: port2, signal },
      transferList: [port2],
    });
    // An idle decoder never keeps the process alive.
    this.worker.unref();
    this.port.unref();
  }

  decode(file: string, widthPx: number, heightPx: number): Uint8Array {
    const before = Atomics.load(this.flag, 0);
    this.worker.postMessage({ file, widthPx, heightPx });
    if (Atomics.wait(this.flag, 0, before, DECODE_TIMEOUT_MS) === 'timed-out')
      throw new Error(`decoding ${file} took over ${DECODE_TIMEOUT_MS / 1000} s; the decoding thread is stuck`);
    const reply = receiveMessageOnPort(this.port)?.message as { rgb?: Uint8Array; error?: string } | undefined;
    if (!reply?.rgb) throw new Error(`cannot decode the frame ${file}: ${reply?.error ?? 'no reply from the decoder'}`);
    if (reply.rgb.length !== widthPx * heightPx * 3)
      throw new Error(`decoding ${file} gave ${reply.rgb.length} bytes, expected ${widthPx}×${heightPx} RGB`);
    return reply.rgb;
  }

  async close(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }
}
