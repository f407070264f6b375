// The synthetic cameras' worker thread. Each distinct picture (view and size) is drawn once per change of
// the world, when the snapshot arrives; each camera then sends the newest picture at its own rate. Drawing
// never runs on the main thread, and duplicate cameras or a still world cost no drawing.
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import { ControlTicker } from '../../robot/control/controlTicker';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { downscaleToRgb, renderCamera } from './sceneRenderer';
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

interface Picture {
  /** Increases with every drawing, so a camera knows whether it sends a new one. */
  version: number;
  jpeg: Uint8Array;
  policyRgb: { widthPx: number; heightPx: number; data: Uint8Array } | null;
  renderMs: number;
}

let views: RenderView[] = [];
let tickers: ControlTicker[] = [];
let snapshot: WorldSnapshot | null = null;
/** Changes whenever the world does. */
let snapshotKey = '';
let drawings = 0;
let drawPending = false;
const pictures = new Map<string, Picture>();
const post = (message: RenderWorkerOutbound, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const pictureId = (view: RenderView) =>
  `${view.view}@${view.widthPx}x${view.heightPx}q${view.jpegQuality}` +
  (view.policyPx ? `+${view.policyPx.widthPx}x${view.policyPx.heightPx}` : '');

/**
 * What decides the picture: everything but the clock, with joint angles rounded to 0.1 mrad
 * (far below a pixel) so a holding arm's settling noise does not force a redraw.
 */
function worldKey(world: WorldSnapshot): string {
  return JSON.stringify({ ...world, timeS: 0, armQRad: world.armQRad.map((q) => Math.round(q * 1e4)) });
}

function drawAll(): void {
  if (!snapshot) return;
  const done = new Set<string>();
  for (const view of views) {
    const id = pictureId(view);
    if (done.has(id)) continue;
    done.add(id);
    const started = performance.now();
    try {
      const canvas = renderCamera(snapshot, chain, view.view, view.widthPx, view.heightPx);
      const policy = view.policyPx;
      pictures.set(id, {
        version: (drawings += 1),
        jpeg: new Uint8Array(canvas.encodeSync('jpeg', view.jpegQuality)),
        policyRgb: policy ? { ...policy, data: downscaleToRgb(canvas, policy.widthPx, policy.heightPx) } : null,
        renderMs: performance.now() - started,
      });
    } catch (error) {
      pictures.delete(id);
      for (const failed of views.filter((v) => pictureId(v) === id)) {
        post({ type: 'error', camera: failed.camera, message: (error as Error).message });
      }
    }
  }
}

/** Frame numbers per camera, kept when the views change (a camera's sequence never restarts). */
const seqs = new Map<string, number>();
function nextSeq(camera: string): number {
  const seq = seqs.get(camera) ?? 0;
  seqs.set(camera, seq + 1);
  return seq;
}

function startViews(next: RenderView[]): void {
  tickers.forEach((ticker) => ticker.stop());
  views = next;
  drawAll();
  tickers = views.map((view) => {
    let sentVersion = 0;
    const ticker = new ControlTicker(view.fps, () => {
      const picture = pictures.get(pictureId(view));
      if (!picture) return;
      const jpeg = picture.jpeg.slice();
      const policyRgb = picture.policyRgb ? { ...picture.policyRgb, data: picture.policyRgb.data.slice() } : undefined;
      const fresh = picture.version !== sentVersion;
      sentVersion = picture.version;
      post(
        {
          type: 'frame',
          camera: view.camera,
          seq: nextSeq(view.camera),
          capturedAtMs: Date.now(),
          widthPx: view.widthPx,
          heightPx: view.heightPx,
          jpeg,
          policyRgb,
          renderMs: fresh ? picture.renderMs : null,
        },
        policyRgb ? [jpeg.buffer as ArrayBuffer, policyRgb.data.buffer as ArrayBuffer] : [jpeg.buffer as ArrayBuffer],
      );
    });
    ticker.start();
    return ticker;
  });
}

port.on('message', (message: RenderWorkerInbound) => {
  if (message.type === 'views') {
    startViews(message.views);
    return;
  }
  const key = worldKey(message.snapshot);
  if (key === snapshotKey) return;
  snapshot = message.snapshot;
  snapshotKey = key;
  // Draw once after the queued messages: a backlog of snapshots collapses into one drawing of the newest,
  // and the cameras' timers still run between drawings.
  if (drawPending) return;
  drawPending = true;
  setImmediate(() => {
    drawPending = false;
    drawAll();
  });
});
