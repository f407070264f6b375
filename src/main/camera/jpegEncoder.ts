import sharp from 'sharp';
import type { CameraFrame } from './frameTypes';

export interface EncodedJpeg {
  /** The same picture as a 'jpeg' frame (same camera, seq and capture time). */
  frame: CameraFrame;
  encodeMs: number;
}

/**
 * Encodes an rgb24 frame as JPEG for the display stream. sharp works on libuv's thread pool,
 * so the encode itself stays off the event loop that runs control.
 */
export async function encodeJpeg(frame: CameraFrame, qualityPct = 80): Promise<EncodedJpeg> {
  if (frame.format !== 'rgb24') throw new Error(`encodeJpeg needs an rgb24 frame, got ${frame.format}`);
  if (!Number.isInteger(qualityPct) || qualityPct < 1 || qualityPct > 100) {
    throw new RangeError(`JPEG quality must be a whole number from 1 to 100, got ${qualityPct}`);
  }
  const expectedBytes = frame.widthPx * frame.heightPx * 3;
  if (frame.data.byteLength !== expectedBytes) {
    throw new Error(
      `frame ${frame.camera}#${frame.seq} has ${frame.data.byteLength} bytes, expected ${expectedBytes} for ${frame.widthPx}×${frame.heightPx} rgb24`,
    );
  }
  const startedMs = performance.now();
  const pixels = Buffer.from(frame.data.buffer, frame.data.byteOffset, frame.data.byteLength);
  const jpeg = await sharp(pixels, { raw: { width: frame.widthPx, height: frame.heightPx, channels: 3 } })
    .jpeg({ quality: qualityPct })
    .toBuffer();
  return {
    frame: { ...frame, format: 'jpeg', data: new Uint8Array(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength) },
    encodeMs: performance.now() - startedMs,
  };
}
