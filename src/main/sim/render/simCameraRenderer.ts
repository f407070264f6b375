import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../system/spawnWorker';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import type { FrameBus } from '../../camera/frameBus';
import type { RenderView, RenderWorkerInbound, RenderWorkerOutbound } from './renderWorkerProtocol';

function spawnRenderWorker(appRoot: string): Worker {
  return spawnWorker(appRoot, 'src/main/sim/render/renderWorker.ts', 'renderWorker', { appRoot });
}

/**
 * The simulated bench's cameras: a worker thread draws each view of the
 * newest world snapshot and the frames (JPEG) go onto the frame bus.
 */
export class SimCameraRenderer {
  private worker: Worker | null = null;
  private views: RenderView[] = [];
  /** Recent times to draw and encode a picture anew, per camera, ms (the last 300). */
  readonly renderMs = new Map<string, number[]>();

  constructor(
    private readonly appRoot: string,
    private readonly bus: FrameBus,
  ) {}

  setViews(views: RenderView[]): void {
    const before = new Set(this.views.map((view) => view.camera));
    this.views = views;
    for (const view of views) if (!before.has(view.camera)) this.bus.setState(view.camera, 'starting');
    if (views.length === 0) {
      void this.stop();
      return;
    }
    this.send({ type: 'views', views });
  }

  get cameras(): string[] {
    return this.views.map((view) => view.camera);
  }

  setSnapshot(snapshot: WorldSnapshot): void {
    if (this.views.length) this.send({ type: 'snapshot', snapshot });
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private send(message: RenderWorkerInbound): void {
    if (!this.worker) {
      const worker = spawnRenderWorker(this.appRoot);
      worker.on('message', (reply: RenderWorkerOutbound) => this.receive(reply));
      worker.on('error', (error) => {
        for (const view of this.views)
          this.bus.setState(view.camera, 'failed', `sim camera renderer failed: ${error.message}`);
        this.worker = null;
      });
      this.worker = worker;
      if (message.type === 'snapshot')
        worker.postMessage({ type: 'views', views: this.views } satisfies RenderWorkerInbound);
    }
    this.worker.postMessage(message);
  }

  private receive(message: RenderWorkerOutbound): void {
    if (message.type === 'error') {
      this.bus.setState(message.camera, 'failed', message.message);
      return;
    }
    if (message.renderMs !== null) {
      const samples = this.renderMs.get(message.camera) ?? [];
      samples.push(message.renderMs);
      if (samples.length > 300) samples.shift();
      this.renderMs.set(message.camera, samples);
    }
    this.bus.publish({
      camera: message.camera,
      seq: message.seq,
      capturedAtMs: message.capturedAtMs,
      widthPx: message.widthPx,
      heightPx: message.heightPx,
      format: 'jpeg',
      data: message.jpeg,
      ...(message.policyRgb ? { policyRgb: message.policyRgb } : {}),
    });
  }
}
