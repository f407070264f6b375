import type { EpisodeKind, EpisodeOutcome, RecordingSettings } from '../../../shared/episodes/episodeTypes';
import type { RunStatus } from '../../../shared/policy/policyTypes';
import { MOTOR_NAMES } from '../../../shared/robot/a1Spec';
import type { ArmService } from '../../robot/armService';
import type { CameraService } from '../../camera/cameraService';
import type { CameraFrame } from '../../camera/frameTypes';
import { encodeJpeg } from '../../camera/jpegEncoder';
import type { PolicyService } from '../../policy/policyService';
import type { RunnerStep, TaskRunner } from '../../runner/taskRunner';
import type { EpisodeCatalog } from '../catalog/episodeCatalog';
import { EPISODE_FORMAT, type EpisodeHeader } from '../store/episodeFormat';
import { EpisodeWriter } from './episodeWriter';
import { FramePace } from './framePace';

/** A manual session samples the governor's setpoints at this rate as its "actions". */
const MANUAL_STEP_HZ = 10;
const RECORDING_JPEG_QUALITY = 90;
/** Frames of one camera being encoded or written at once: a slow write never makes the next frame wait. */
const RECORDING_FRAMES_IN_FLIGHT = 4;

export interface RecorderPorts {
  root: string;
  catalog: EpisodeCatalog;
  arm: Pick<ArmService, 'state' | 'samplesTopic'>;
  cameras: Pick<CameraService, 'bus' | 'list' | 'policyCameraName'>;
  runner: Pick<TaskRunner, 'onStarted' | 'onFinished' | 'stepTopic' | 'controlRateHz'>;
  policy: Pick<PolicyService, 'info'>;
  settings: () => RecordingSettings;
  /** An episode started (id) or ended (id, its end). */
  onStarted: (id: number) => void;
  onEnded: (id: number, problem: string | null) => void;
}

interface ActiveRecording {
  kind: EpisodeKind;
  writer: EpisodeWriter;
  runId: number | null;
  stops: (() => void)[];
}

/**
 * Records every attempt the runner makes (and manual sessions on request): the runner's steps, the
 * arm's 200 Hz samples and every selected camera at the recording rate, into an EpisodeWriter, with a
 * catalog row that exists before the first byte and is closed when the episode ends.
 */
export class EpisodeRecorder {
  private active: ActiveRecording | null = null;
  private ending: Promise<void> = Promise.resolve();
  private readonly unsubscribe: (() => void)[];
  /** Frames per camera the last recording did not keep: the bus's drops (recorder busy) + frames thinned to the rate. */
  lastDrops: Record<string, number> = {};
  /** Of those, the frames the bus replaced because the recorder was still busy with earlier ones. */
  lastBusDrops: Record<string, number> = {};

  constructor(private readonly ports: RecorderPorts) {
    this.unsubscribe = [
      ports.runner.onStarted((status) => this.onRunStarted(status)),
      ports.runner.onFinished((status) => this.onRunFinished(status)),
      ports.runner.stepTopic.subscribe((step) => this.onRunStep(step)),
    ];
  }

  get recordingId(): number | null {
    return this.active?.writer.id ?? null;
  }

  get recordingKind(): EpisodeKind | null {
    return this.active?.kind ?? null;
  }

  /** Resolves when the episode being closed (if any) is fully written. */
  settled(): Promise<void> {
    return this.ending;
  }

  startManual(instruction: string): number {
    if (this.active?.kind === 'attempt')
      throw new Error('an attempt is being recorded; a manual session can start when it ends');
    if (this.active) throw new Error(`manual session ${this.active.writer.id} is already recording`);
    const recording = this.begin('manual', instruction, null, null);
    const timer = setInterval(() => this.sampleManualStep(recording.writer), 1000 / MANUAL_STEP_HZ);
    recording.stops.push(() => clearInterval(timer));
    return recording.writer.id;
  }

  async stopManual(): Promise<number> {
    const active = this.active;
    if (active?.kind !== 'manual') throw new Error('no manual session is recording');
    await this.end(active, 'manual', 'manual session stopped');
    return active.writer.id;
  }

  /** Ends whatever records (Coach is closing): the episode is kept, its outcome says why. */
  async close(): Promise<void> {
    for (const stop of this.unsubscribe) stop();
    const active = this.active;
    if (active) await this.end(active, active.kind === 'manual' ? 'manual' : 'stopped', 'Coach closed while recording');
    await this.ending;
  }

  private onRunStarted(status: RunStatus): void {
    if (!this.ports.settings().enabled) return;
    void (async () => {
      if (this.active?.kind === 'manual') await this.end(this.active, 'manual', 'an attempt started');
      const info = this.ports.policy.info();
      const recording = this.begin(
        'attempt',
        status.instruction ?? '',
        info ? { name: info.name, version: info.version, path: info.path } : null,
        status.seed,
        info
          ? {
              // The rate the attempt runs at (an option or the console's setting may differ from the package's).
              controlRateHz: this.ports.runner.controlRateHz ?? info.controlRateHz,
              action: {
                space: info.actionSpace,
                dims: info.actionDims,
                names: info.actionNames,
                chunkLength: info.chunkLength,
              },
            }
          : undefined,
      );
      recording.runId = status.runId;
    })().catch((error: Error) => this.ports.onEnded(-1, `recording could not start: ${error.message}`));
  }

  private onRunStep(step: RunnerStep): void {
    if (this.active?.kind !== 'attempt') return;
    this.active.writer.appendStep(step);
  }

  private onRunFinished(status: RunStatus): void {
    const active = this.active;
    if (active?.kind !== 'attempt' || active.runId !== status.runId) return;
    void this.end(active, status.outcome ?? 'error', status.reason, status.strokes);
  }

  private begin(
    kind: EpisodeKind,
    instruction: string,
    model: EpisodeHeader['model'],
    seed: number | null,
    policy?: Pick<EpisodeHeader, 'controlRateHz' | 'action'>,
  ): ActiveRecording {
    const settings = this.ports.settings();
    const cameras = this.ports.cameras
      .list()
      .filter((camera) => settings.cameras === null || settings.cameras.includes(camera.name))
      .map((camera) => ({ name: camera.name, widthPx: camera.widthPx, heightPx: camera.heightPx }));
    const state = this.ports.arm.state();
    const startedAtMs = Date.now();
    const link = state.link?.kind ?? null;
    const id = this.ports.catalog.insert({
      kind,
      instruction,
      startedAtMs,
      cameras: cameras.map((camera) => camera.name),
      modelName: model?.name ?? null,
      modelVersion: model?.version ?? null,
      link,
      seed,
    });
    const header: EpisodeHeader = {
      format: EPISODE_FORMAT,
      id,
      kind,
      instruction,
      startedAtMs,
      model,
      link,
      seed,
      controlRateHz: policy?.controlRateHz ?? MANUAL_STEP_HZ,
      recordingFps: settings.fps,
      action: policy?.action ?? { space: 'joint_abs', dims: 7, names: [...MOTOR_NAMES], chunkLength: 1 },
      stateNames: [...MOTOR_NAMES],
      cameras,
    };
    const policyCamera = kind === 'attempt' ? this.ports.cameras.policyCameraName : null;
    if (policyCamera) header.policyCamera = policyCamera;
    const writer = new EpisodeWriter(this.ports.root, header);
    const recording: ActiveRecording = { kind, writer, runId: null, stops: [] };
    recording.stops.push(this.ports.arm.samplesTopic.subscribe((rows) => writer.appendSamples(rows)));
    for (const camera of cameras) recording.stops.push(this.recordCamera(writer, camera.name, settings.fps));
    this.active = recording;
    this.lastDrops = {};
    this.lastBusDrops = {};
    this.ports.onStarted(id);
    return recording;
  }

  /** The camera's frames at most `fps` per second, each written before the next is taken. */
  private recordCamera(writer: EpisodeWriter, camera: string, fps: number): () => void {
    const pace = new FramePace(fps);
    const consumer = `recorder-${writer.id}`;
    const unsubscribe = this.ports.cameras.bus.subscribe(
      camera,
      consumer,
      (frame: CameraFrame, done) => {
        if (!pace.take(frame.capturedAtMs)) return done();
        const jpeg =
          frame.format === 'jpeg'
            ? Promise.resolve(frame.data)
            : encodeJpeg(frame, RECORDING_JPEG_QUALITY).then((encoded) => encoded.frame.data);
        jpeg
          .then((data) => writer.writeFrame(camera, data, frame.seq, frame.capturedAtMs, frame.widthPx, frame.heightPx))
          .then(done, done);
      },
      { maxInFlight: RECORDING_FRAMES_IN_FLIGHT },
    );
    return () => {
      this.lastBusDrops[camera] = this.ports.cameras.bus.cameraStats(camera)?.dropsByConsumer[consumer] ?? 0;
      this.lastDrops[camera] = this.lastBusDrops[camera] + pace.skipped;
      unsubscribe();
    };
  }

  private sampleManualStep(writer: EpisodeWriter): void {
    const state = this.ports.arm.state();
    if (state.joints.length === 0) return;
    const stateRad = state.joints.map((joint) => joint.posRad);
    const setpoint = state.governor.setpointRad ?? stateRad;
    writer.appendStep({ stroke: 0, chunkIndex: 0, action: [...setpoint], jointTargetRad: [...setpoint], stateRad });
  }

  /** `strokes`: the runner's count (chunks executed to the end); by default, the chunks the steps came from. */
  private end(
    recording: ActiveRecording,
    outcome: EpisodeOutcome,
    reason: string | null,
    strokes?: number,
  ): Promise<void> {
    if (this.active !== recording) return this.ending;
    this.active = null;
    for (const stop of recording.stops) stop();
    const { writer } = recording;
    this.ending = this.ending.then(async () => {
      let problem: string | null = null;
      try {
        const end = await writer.close({ endedAtMs: Date.now(), status: 'complete', outcome, reason });
        this.ports.catalog.finish(writer.id, {
          status: 'complete',
          outcome,
          reason,
          durationS: end.durationS,
          strokes: recording.kind === 'manual' ? 0 : (strokes ?? end.strokes),
          steps: end.steps,
          frames: writer.frames,
        });
        problem = writer.failure;
      } catch (error) {
        problem = `episode ${writer.id} could not be closed: ${(error as Error).message}`;
      }
      this.ports.onEnded(writer.id, problem);
    });
    return this.ending;
  }
}
