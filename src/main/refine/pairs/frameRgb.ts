import sharp from 'sharp';

/**
 * A recorded JPEG frame as a policy sees it: decoded and stretched to widthPx × heightPx, RGB, 3 bytes a pixel.
 * The same sharp pipeline as inference's (imagePreprocess.ts), so a pair's picture is the one a live policy
 * fed with that JPEG would see.
 */
export async function frameRgb(jpeg: Uint8Array | string, widthPx: number, heightPx: number): Promise<Uint8Array> {
  const rgb = await sharp(jpeg).resize(widthPx, heightPx, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  if (rgb.length !== widthPx * heightPx * 3)
    throw new Error(`expected ${widthPx}×${heightPx} RGB after resizing, got ${rgb.length} bytes`);
  return new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length);
}

/** The same pipeline as source for a worker thread (syncFrameDecoder.ts), with sharp at `sharpPath`. */
export function frameRgbWorkerSource(sharpPath: string): string {
  return `
const { parentPort, workerData } = require('node:worker_threads');
const sharp = require(${JSON.stringify(sharpPath)});
const { port, signal } = workerData;
const flag = new Int32Array(signal);
parentPort.on('message', async ({ file, widthPx, heightPx }) => {
  let reply;
  try {
    const rgb = await sharp(file).resize(widthPx, heightPx, { fit: 'fill' }).removeAlpha().raw().toBuffer();
    reply = { rgb: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length) };
  } catch (error) {
    reply = { error: error && error.message ? error.message : String(error) };
  }
  port.postMessage(reply);
  Atomics.add(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;
}
