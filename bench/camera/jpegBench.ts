/** JPEG encode time for display frames: `npx tsx bench/camera/jpegBench.ts`. */
import { encodeJpeg } from '../../src/main/camera/jpegEncoder';
import type { CameraFrame } from '../../src/main/camera/frameTypes';
import { formatMsSummary } from '../stats';

function noisyGradient(widthPx: number, heightPx: number): CameraFrame {
  const data = new Uint8Array(widthPx * heightPx * 3);
  let noise = 12345;
  for (let i = 0; i < data.length; i += 1) {
    noise = (noise * 1103515245 + 12345) & 0x7fffffff;
    const pixel = Math.floor(i / 3);
    data[i] = (((pixel % widthPx) + Math.floor(pixel / widthPx)) & 255) ^ (noise & 15);
  }
  return { camera: 'bench', seq: 0, capturedAtMs: Date.now(), widthPx, heightPx, format: 'rgb24', data };
}

async function main(): Promise<void> {
  for (const [widthPx, heightPx] of [
    [640, 480],
    [1280, 720],
  ] as const) {
    const frame = noisyGradient(widthPx, heightPx);
    for (let i = 0; i < 10; i += 1) await encodeJpeg(frame, 80); // warm-up
    for (const quality of [60, 80, 90]) {
      const samples: number[] = [];
      let bytes = 0;
      for (let i = 0; i < 200; i += 1) {
        const { frame: jpeg, encodeMs } = await encodeJpeg(frame, quality);
        samples.push(encodeMs);
        bytes = jpeg.data.byteLength;
      }
      console.log(
        `${formatMsSummary(`jpeg ${widthPx}x${heightPx} q${quality} (${(bytes / 1024).toFixed(0)} KiB)`, samples)}`,
      );
    }
  }
}

void main();
