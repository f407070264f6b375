// The synthetic cameras' worker thread: draws each view of the newest world snapshot at its own rate,
// so drawing never runs on the main thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import { ControlTicker } from '../../robot/control/controlTicker';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { renderToJpeg } from './sceneRenderer';
import type { RenderView, RenderWorkerInbound, RenderWorkerOutbound } from './renderWorkerProtocol';

const port = parentPort;
if (!port) throw new Error('renderWorker must run as a worker thread');
const chain = loadArmChain((workerData as { appRoot: string }).appRoot);
let snapshot: WorldSnapshot | null = null;
let tickers: ControlTicker[] = [];
const post = (message: RenderWorkerOutbound, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

function startViews(views: RenderView[]): void {
  tickers.forEach((ticker) => ticker.stop());
  tickers = views.map((view) => {
    let seq = 0;
    const ticker = new ControlTicker(view.fps, () => {
      if (!snapshot) return;
      const started = performance.now();
      try {
        const jpeg = new Uint8Array(
          renderToJpeg(snapshot, chain, view.view, view.widthPx, view.heightPx, view.jpegQuality),
        );
        post(
          {
            type: 'frame',
            camera: view.camera,
            seq: seq++,
            capturedAtMs: Date.now(),
            widthPx: view.widthPx,
            heightPx: view.heightPx,
            jpeg,
            renderMs: performance.now() - started,
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
  if (message.type === 'snapshot') snapshot = message.snapshot;
  else startViews(message.views);
});
