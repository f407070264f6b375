// The synthetic cameras' worker thread: draws each view of the newest world snapshot at its own rate,
// so drawing never runs on the main thread.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import { ControlTicker } from '../../robot/control/controlTicker';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { renderToJpeg } from './sceneRenderer';
import type { RenderView, RenderWorkerInbound, RenderWorkerOutbound } from './renderWorkerProtocol';

const port = parentPort;
if (!port) throw new Error('renderWorker must run as a worker thread');
// On Linux a nice value belongs to a thread: drawing yields to the control loop and the host when the CPU is short.
const RENDER_THREAD_NICE = 10;
try {
  os.setPriority(RENDER_THREAD_NICE);
} catch {
  // Not permitted here: drawing runs at normal priority.
}
const chain = loadArmChain((workerData as { appRoot: string }).appRoot);
let snapshot: WorldSnapshot | null = null;
/** Changes whenever the world does; views of an unchanged world are not drawn again. */
let snapshotKey = '';
let tickers: ControlTicker[] = [];
/** The last picture per view and size: cameras of a still world (and duplicate cameras) reuse it. */
const drawn = new Map<string, { key: string; jpeg: Uint8Array }>();
const post = (message: RenderWorkerOutbound, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

/**
 * What decides the picture: everything but the clock, with joint angles rounded to 0.1 mrad
 * (far below a pixel) so a holding arm's settling noise does not force a redraw.
 */
function pictureKey(world: WorldSnapshot): string {
  return JSON.stringify({ ...world, timeS: 0, armQRad: world.armQRad.map((q) => Math.round(q * 1e4)) });
}

function startViews(views: RenderView[]): void {
  tickers.forEach((ticker) => ticker.stop());
  tickers = views.map((view) => {
    let seq = 0;
    const ticker = new ControlTicker(view.fps, () => {
      if (!snapshot) return;
      const started = performance.now();
      try {
        const picture = `${view.view}@${view.widthPx}x${view.heightPx}q${view.jpegQuality}`;
        let cached = drawn.get(picture);
        let renderMs: number | null = null;
        if (cached?.key !== snapshotKey) {
          const bytes = renderToJpeg(snapshot, chain, view.view, view.widthPx, view.heightPx, view.jpegQuality);
          renderMs = performance.now() - started;
          cached = { key: snapshotKey, jpeg: new Uint8Array(bytes) };
          drawn.set(picture, cached);
        }
        const jpeg = cached.jpeg.slice();
        post(
          {
            type: 'frame',
            camera: view.camera,
            seq: seq++,
            capturedAtMs: Date.now(),
            widthPx: view.widthPx,
            heightPx: view.heightPx,
            jpeg,
            renderMs,
          },
          [jpeg.buffer as ArrayBuffer],
        );
      } catch (error) {
        post({ type: 'error', camera: view.camera, message: (error as Error).message });
      }
    });
    ticker.start();
    return ticker;
  });
}

port.on('message', (message: RenderWorkerInbound) => {
  if (message.type === 'snapshot') {
    const key = pictureKey(message.snapshot);
    if (key !== snapshotKey) {
      snapshot = message.snapshot;
      snapshotKey = key;
    }
  } else startViews(message.views);
});
