import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../../../src/main/camera/jpegEncoder';
import type { CameraFrame } from '../../../../src/main/camera/frameTypes';

function gradientFrame(widthPx: number, heightPx: number): CameraFrame {
  const data = new Uint8Array(widthPx * heightPx * 3);
  for (let y = 0; y < heightPx; y += 1) {
    for (let x = 0; x < widthPx; x += 1) {
      const i = (y * widthPx + x) * 3;
      data[i] = x & 255;
      data[i + 1] = y & 255;
      data[i + 2] = (x + y) & 255;
    }
  }
  return { camera: 'scene', seq: 42, capturedAtMs: 1_700_000_000_000, widthPx, heightPx, format: 'rgb24', data };
}

describe('encodeJpeg', () => {
  it('turns a 640×480 rgb24 frame into a JPEG of the same picture and says how long it took', async () => {
    const source = gradientFrame(640, 480);
    const { frame, encodeMs } = await encodeJpeg(source, 80);
    expect(frame).toMatchObject({ camera: 'scene', seq: 42, capturedAtMs: source.capturedAtMs, format: 'jpeg' });
    expect([...frame.data.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(frame.data.byteLength).toBeLessThan(source.data.byteLength / 4);
    expect(encodeMs).toBeGreaterThan(0);
    const decoded = await sharp(frame.data).metadata();
    expect(decoded).toMatchObject({ format: 'jpeg', width: 640, height: 480 });
  });

  it('gets smaller with lower quality and refuses bad input', async () => {
    const source = gradientFrame(320, 240);
    const high = await encodeJpeg(source, 95);
    const low = await encodeJpeg(source, 30);
    expect(low.frame.data.byteLength).toBeLessThan(high.frame.data.byteLength);
    await expect(encodeJpeg(source, 0)).rejects.toThrow(/quality/);
    await expect(encodeJpeg({ ...source, data: new Uint8Array(10) })).rejects.toThrow(/expected 230400/);
    await expect(encodeJpeg(high.frame)).rejects.toThrow(/needs an rgb24 frame/);
  });
});
