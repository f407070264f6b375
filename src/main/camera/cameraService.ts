import type { CameraFrame as DisplayFrame, CameraInfo, CameraSource } from '../../shared/camera';
import { CoachError } from '../../shared/contract/errors';
import type { PolicyCameraSize } from '../../shared/policy/modelManifest';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';
import { SimCameraRenderer } from '../sim/render/simCameraRenderer';
import { Topic } from '../system/topic';
import { checkInputBeforeStart, FfmpegCameraSource, type CameraInput } from './ffmpegCameraSource';
import { FrameBus } from './frameBus';
import type { CameraFrame } from './frameTypes';
import { encodeJpeg } from './jpegEncoder';

export const DISPLAY_SIZE_PX = { widthPx: 640, heightPx: 480 } as const;
const SIM_FPS = 30;
const DISPLAY_JPEG_QUALITY = 80;
const STATS_INTERVAL_MS = 500;

/** The simulated bench's cameras, named after the views they show. */
export const SIM_CAMERA_NAMES = ['scene', 'wrist'] as const;

interface CameraEntry {
  source: CameraSource;
  ffmpeg: FfmpegCameraSource | null;
}

/**
 * Every camera Coach knows: real ones through ffmpeg, the simulated bench's
 * views through the render worker. All publish onto one frame bus; the
 * display stream, the recorder and the policy's observation read the newest
 * frame at their own rates.
 */
export class CameraService {
  readonly bus = new FrameBus();
  readonly statsTopic = new Topic<CameraInfo[]>();
  private readonly cameras = new Map<string, CameraEntry>();
  private readonly sim: SimCameraRenderer;
  private policyCamera: string | null = null;
  private policyImageSizes: readonly PolicyCameraSize[] = [];
  private displayConsumers = 0;
  private statsTimer: NodeJS.Timeout | null = null;

  constructor(appRoot: string) {
    this.sim = new SimCameraRenderer(appRoot, this.bus);
    this.statsTimer = setInterval(() => {
      if (this.statsTopic.subscriberCount) this.statsTopic.publish(this.list());
    }, STATS_INTERVAL_MS);
    this.statsTimer.unref();
  }

  list(): CameraInfo[] {
    return [...this.cameras].map(([name, entry]) => {
      const stats = this.bus.cameraStats(name);
      const latest = this.bus.latest(name);
      return {
        name,
        source: entry.source,
        isPolicyCamera: name === this.policyCamera,
        state: stats?.state ?? 'starting',
        fps: stats?.fps ?? 0,
        lastFrameAgeMs: stats?.lastFrameAgeMs ?? null,
        widthPx: latest?.widthPx ?? 0,
        heightPx: latest?.heightPx ?? 0,
        framesPublished: stats?.framesPublished ?? 0,
        lastError: entry.ffmpeg?.lastError ?? stats?.lastError ?? null,
      };
    });
  }

  add(name: string, source: CameraSource): CameraInfo[] {
    if (this.cameras.has(name))
      throw new CoachError('camera_exists', `a camera named "${name}" exists; remove it first`);
    const entry: CameraEntry = { source, ffmpeg: null };
    if (source.kind !== 'sim') {
      const input: CameraInput =
        source.kind === 'v4l2'
          ? { kind: 'v4l2', device: source.device, frameRateHz: source.fps }
          : source.kind === 'url'
            ? { kind: 'url', url: source.url }
            : { kind: 'file', path: source.path, loop: source.loop };
      // What can be known before starting ffmpeg (a missing device or file) is refused at once.
      const problem = checkInputBeforeStart(input);
      if (problem) throw new CoachError('camera_unavailable', problem);
      entry.ffmpeg = new FfmpegCameraSource({
        camera: name,
        input,
        widthPx: source.widthPx,
        heightPx: source.heightPx,
        bus: this.bus,
      });
    }
    this.cameras.set(name, entry);
    this.policyCamera ??= name;
    if (entry.ffmpeg) entry.ffmpeg.start();
    else this.updateSimViews();
    return this.list();
  }

  async remove(name: string): Promise<CameraInfo[]> {
    const entry = this.requireCamera(name);
    this.cameras.delete(name);
    if (this.policyCamera === name) this.policyCamera = this.cameras.keys().next().value ?? null;
    if (entry.ffmpeg) await entry.ffmpeg.stop();
    else this.updateSimViews();
    this.bus.setState(name, 'stopped');
    return this.list();
  }

  setPolicyCamera(name: string): CameraInfo[] {
    this.requireCamera(name);
    this.policyCamera = name;
    this.updateSimViews();
    return this.list();
  }

  /**
   * The images the loaded policy takes (none without a policy): the first comes from the policy camera, each
   * other one from the camera of its name. A simulated camera among them also delivers an RGB copy at its size.
   */
  setPolicyImageSizes(sizes: readonly PolicyCameraSize[]): void {
    this.policyImageSizes = sizes;
    this.updateSimViews();
  }

  get policyCameraName(): string | null {
    return this.policyCamera;
  }

  /**
   * The policy camera's newest frame for an observation (the control loop's consumer of the bus),
   * with the sim view it shows when it is a simulated camera. Refused when there is no policy
   * camera, no frame yet, or only a stale one: the policy must not act on an old picture.
   */
  policyFrame(maxAgeMs = 500): { camera: string; frame: CameraFrame; simView: string | null } {
    const camera = this.policyCamera;
    if (!camera) throw new CoachError('no_camera', 'no policy camera: add a camera and choose it as the policy camera');
    const frame = this.freshFrame(camera, `the policy camera "${camera}"`, maxAgeMs);
    const source = this.cameras.get(camera)?.source;
    return { camera, frame, simView: source?.kind === 'sim' ? source.view : null };
  }

  /**
   * A named camera's newest frame for an observation, refused as policyFrame's is (and when no camera has
   * the name).
   */
  cameraFrame(name: string, maxAgeMs = 500): CameraFrame {
    this.requireCamera(name);
    return this.freshFrame(name, `the camera "${name}"`, maxAgeMs);
  }

  /** The simulated bench moved: the sim cameras draw this from now on. */
  setWorldSnapshot(snapshot: WorldSnapshot): void {
    this.sim.setSnapshot(snapshot);
  }

  /** Render times of the sim cameras (ms, recent), for benchmarks and diagnostics. */
  simRenderTimesMs(): Map<string, number[]> {
    return this.sim.renderMs;
  }

  /**
   * The display stream of one camera: JPEG frames, at most maxFps, newest first.
   * Raw frames are encoded off the main thread (sharp's pool); a client still busy
   * with the previous frame skips to the newest.
   */
  subscribeDisplay(camera: string, maxFps: number, emit: (frame: DisplayFrame) => void): () => void {
    this.requireCamera(camera);
    const minIntervalMs = 1000 / maxFps;
    // A frame budget, not a minimum gap: a source at maxFps with jittery arrivals keeps its full rate.
    let nextAllowedAtMs = -Infinity;
    const consumer = `display-${(this.displayConsumers += 1)}`;
    return this.bus.subscribe(camera, consumer, (frame, done) => {
      const now = performance.now();
      if (now < nextAllowedAtMs) return done();
      nextAllowedAtMs = Math.max(nextAllowedAtMs + minIntervalMs, now - minIntervalMs / 2);
      const send = (jpeg: Uint8Array) =>
        emit({
          camera,
          seq: frame.seq,
          capturedAtMs: frame.capturedAtMs,
          widthPx: frame.widthPx,
          heightPx: frame.heightPx,
          jpeg: jpeg as Uint8Array<ArrayBuffer>,
        });
      if (frame.format === 'jpeg') {
        send(frame.data);
        done();
        return;
      }
      encodeJpeg(frame, DISPLAY_JPEG_QUALITY).then(
        ({ frame: encoded }) => {
          send(encoded.data);
          done();
        },
        () => done(),
      );
    });
  }

  /** The cameras the operator added (not the sim's views), for saving in the settings. */
  saved(): { added: { name: string; source: CameraSource }[]; policyCamera: string | null } {
    const added = [...this.cameras]
      .filter(([, entry]) => entry.source.kind !== 'sim')
      .map(([name, entry]) => ({ name, source: entry.source }));
    return { added, policyCamera: this.policyCamera };
  }

  /** Re-adds saved cameras at start; one that cannot open is reported and skipped, the rest still start. */
  restore(saved: { added: { name: string; source: CameraSource }[]; policyCamera: string | null }): string[] {
    const problems: string[] = [];
    for (const { name, source } of saved.added) {
      try {
        this.add(name, source);
      } catch (error) {
        problems.push(`camera ${name}: ${(error as Error).message}`);
      }
    }
    if (saved.policyCamera && this.cameras.has(saved.policyCamera)) this.policyCamera = saved.policyCamera;
    return problems;
  }

  /** The simulated bench's standard cameras. */
  addSimCameras(): void {
    for (const view of SIM_CAMERA_NAMES) if (!this.cameras.has(view)) this.add(view, { kind: 'sim', view });
    if (!this.policyCamera || this.cameras.get(this.policyCamera)?.source.kind === 'sim') this.policyCamera = 'scene';
    this.updateSimViews();
  }

  /** The sim is gone (another link was chosen): its views must not keep showing the last scene. */
  async removeSimCameras(): Promise<void> {
    for (const [name, entry] of [...this.cameras]) if (entry.source.kind === 'sim') await this.remove(name);
  }

  async close(): Promise<void> {
    if (this.statsTimer) clearInterval(this.statsTimer);
    await Promise.all([...this.cameras.values()].map((entry) => entry.ffmpeg?.stop()));
    await this.sim.stop();
  }

  private requireCamera(name: string): CameraEntry {
    const entry = this.cameras.get(name);
    if (!entry) {
      const known = [...this.cameras.keys()].join(', ') || 'none';
      throw new CoachError('unknown_camera', `no camera named "${name}" (cameras: ${known})`);
    }
    return entry;
  }

  private freshFrame(camera: string, label: string, maxAgeMs: number): CameraFrame {
    const frame = this.bus.latest(camera);
    if (!frame) throw new CoachError('no_frame', `${label} has not delivered a picture yet`);
    const ageMs = Date.now() - frame.capturedAtMs;
    if (ageMs > maxAgeMs)
      throw new CoachError(
        'stale_frame',
        `${label} last delivered a picture ${Math.round(ageMs)} ms ago; check the camera`,
      );
    return frame;
  }

  /** The size the loaded policy takes a camera's picture at, or null when it takes none from it. */
  private policySizeOf(camera: string): { widthPx: number; heightPx: number } | null {
    const [first, ...others] = this.policyImageSizes;
    const size = camera === this.policyCamera ? first : others.find((other) => other.name === camera);
    return size ? { widthPx: size.widthPx, heightPx: size.heightPx } : null;
  }

  private updateSimViews(): void {
    const views = [...this.cameras]
      .filter(([, entry]) => entry.source.kind === 'sim')
      .map(([camera, entry]) => {
        const policyPx = this.policySizeOf(camera);
        return {
          camera,
          view: (entry.source as Extract<CameraSource, { kind: 'sim' }>).view,
          ...DISPLAY_SIZE_PX,
          fps: SIM_FPS,
          jpegQuality: DISPLAY_JPEG_QUALITY,
          ...(policyPx ? { policyPx } : {}),
        };
      });
    this.sim.setViews(views);
  }
}
