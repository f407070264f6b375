// The display client of the camera stream benchmark, in its own process like a browser tab:
// subscribes to camera.frames for each camera through the headless host and reports what arrived.
import WebSocket from 'ws';
import type { CoachContract } from '../../src/shared/contract/api';
import { createWsBridge, type WebSocketLike } from '../../src/shared/contract/wsBridge';
import { summarize } from '../stats';

const [url, camerasArg, secondsArg] = process.argv.slice(2);
const cameras = (camerasArg ?? '').split(',');
const seconds = Number(secondsArg ?? 10);

const bridge = createWsBridge<CoachContract>({
  url: url!,
  createSocket: (address) => new WebSocket(address) as unknown as WebSocketLike,
});
const warmupMs = 2000;
const started = Date.now();
const results = new Map<string, { frames: number; latenciesMs: number[]; bytes: number }>();
for (const camera of cameras) {
  const result = { frames: 0, latenciesMs: [] as number[], bytes: 0 };
  results.set(camera, result);
  bridge.subscribe('camera.frames', { camera, maxFps: 30 }, (frame) => {
    const now = Date.now();
    if (now - started < warmupMs) return;
    result.frames += 1;
    result.bytes += frame.jpeg.byteLength;
    result.latenciesMs.push(now - frame.capturedAtMs);
  });
}
setTimeout(
  () => {
    const report = Object.fromEntries(
      [...results].map(([camera, r]) => {
        const s = summarize(r.latenciesMs);
        const sorted = [...r.latenciesMs].sort((a, b) => a - b);
        const p95 = sorted[Math.max(0, Math.ceil(0.95 * sorted.length) - 1)] ?? NaN;
        return [camera, { fps: r.frames / seconds, p50: s.p50, p95, kib: r.bytes / Math.max(1, r.frames) / 1024 }];
      }),
    );
    process.stdout.write(`${JSON.stringify(report)}\n`);
    bridge.close();
    process.exit(0);
  },
  warmupMs + seconds * 1000,
);
