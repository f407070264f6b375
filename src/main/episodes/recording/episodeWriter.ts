import fs from 'node:fs';
import path from 'node:path';
import {
  CAMERAS_DIR,
  FRAME_INDEX_FILE,
  HEADER_FILE,
  RECORDING_FLUSH_MS,
  STATE_FILE,
  STATE_RECORD_VALUES,
  STEPS_FILE,
  episodeDir,
  frameFileName,
  type EpisodeHeader,
  type EpisodeHeaderEnd,
  type FrameIndexRecord,
  type StepRecord,
} from '../store/episodeFormat';
import { FEEDBACK_SAMPLE_VALUES } from '../../robot/runtime/feedbackSamples';
import { writeJsonAtomic } from './writeJsonAtomic';

interface CameraTrack {
  dir: string;
  indexFd: number;
  pendingLines: string[];
  frames: number;
  lastTS: number;
  /** Index lines are appended in frame order even when frame files finish out of order. */
  lineOrder: Promise<void>;
}

/**
 * Writes one episode's payload (docs/episodes.md): append-only files, buffered and flushed every
 * RECORDING_FLUSH_MS with plain write()s, so a killed process loses at most that much. Frame files are
 * written before their index lines. Nothing here throws into the control path: a write failure is kept
 * as `failure` and recording of that stream stops (the episode keeps what was written).
 */
export class EpisodeWriter {
  readonly dir: string;
  private readonly stepsFd: number;
  private readonly stateFd: number;
  private pendingSteps: string[] = [];
  private pendingState: number[] = [];
  private readonly cameras = new Map<string, CameraTrack>();
  private readonly frameWrites = new Set<Promise<void>>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;
  private stepCount = 0;
  private strokeCount = 0;
  private lastStepTS = 0;
  private lastStateTS = 0;
  failure: string | null = null;

  constructor(
    root: string,
    private readonly header: EpisodeHeader,
  ) {
    this.dir = episodeDir(root, header.id);
    fs.mkdirSync(this.dir, { recursive: true });
    writeJsonAtomic(path.join(this.dir, HEADER_FILE), header);
    this.stepsFd = fs.openSync(path.join(this.dir, STEPS_FILE), 'a');
    this.stateFd = fs.openSync(path.join(this.dir, STATE_FILE), 'a');
    for (const camera of header.cameras) {
      const dir = path.join(this.dir, CAMERAS_DIR, camera.name);
      fs.mkdirSync(dir, { recursive: true });
      const indexFd = fs.openSync(path.join(dir, FRAME_INDEX_FILE), 'a');
      this.cameras.set(camera.name, {
        dir,
        indexFd,
        pendingLines: [],
        frames: 0,
        lastTS: 0,
        lineOrder: Promise.resolve(),
      });
    }
    this.timer = setInterval(() => this.flush(), RECORDING_FLUSH_MS);
  }

  get id(): number {
    return this.header.id;
  }

  get steps(): number {
    return this.stepCount;
  }

  get strokes(): number {
    return this.strokeCount;
  }

  get frames(): number {
    let total = 0;
    for (const track of this.cameras.values()) total += track.frames;
    return total;
  }

  framesOf(camera: string): number {
    return this.cameras.get(camera)?.frames ?? 0;
  }

  /** Seconds since the episode started, for a wall-clock time in ms. */
  tS(wallMs: number): number {
    return Math.max(0, (wallMs - this.header.startedAtMs) / 1000);
  }

  appendStep(step: Omit<StepRecord, 'i' | 'tS'>, wallMs = Date.now()): void {
    if (this.closed) return;
    const record: StepRecord = { i: this.stepCount, tS: round6(this.tS(wallMs)), ...step };
    this.pendingSteps.push(JSON.stringify(record));
    this.stepCount += 1;
    this.strokeCount = Math.max(this.strokeCount, step.stroke + 1);
    this.lastStepTS = record.tS;
  }

  /** Rows from the arm process (wall ms, pos, vel, torque, setpoint ×7) become state.bin records (tS first). */
  appendSamples(rows: Float64Array): void {
    if (this.closed) return;
    for (let at = 0; at + FEEDBACK_SAMPLE_VALUES <= rows.length; at += FEEDBACK_SAMPLE_VALUES) {
      const wallMs = rows[at]!;
      if (wallMs < this.header.startedAtMs) continue;
      const tS = this.tS(wallMs);
      this.pendingState.push(tS);
      for (let k = 1; k < STATE_RECORD_VALUES; k += 1) this.pendingState.push(rows[at + k]!);
      this.lastStateTS = tS;
    }
  }

  /** Writes a frame's JPEG, then queues its index line. Resolves when the file is written. */
  writeFrame(camera: string, jpeg: Uint8Array, seq: number, wallMs: number, widthPx: number, heightPx: number) {
    const track = this.cameras.get(camera);
    if (!track || this.closed) return Promise.resolve();
    const i = track.frames;
    track.frames += 1;
    const file = frameFileName(i);
    const record: FrameIndexRecord = { i, tS: round6(this.tS(wallMs)), seq, widthPx, heightPx, file };
    const fileWritten = fs.promises.writeFile(path.join(track.dir, file), jpeg);
    const write = track.lineOrder.then(() =>
      fileWritten.then(
        () => {
          track.pendingLines.push(JSON.stringify(record));
          track.lastTS = Math.max(track.lastTS, record.tS);
        },
        (error: Error) => {
          this.failure ??= `could not write ${camera} frame ${file}: ${error.message}`;
        },
      ),
    );
    track.lineOrder = write;
    this.frameWrites.add(write);
    void write.finally(() => this.frameWrites.delete(write));
    return write;
  }

  /** The end of the recorded data, s: the latest step, state sample or frame. */
  get durationS(): number {
    let end = Math.max(this.lastStepTS, this.lastStateTS);
    for (const track of this.cameras.values()) end = Math.max(end, track.lastTS);
    return end;
  }

  flush(): void {
    try {
      if (this.pendingSteps.length) {
        fs.writeSync(this.stepsFd, this.pendingSteps.join('\n') + '\n');
        this.pendingSteps = [];
      }
      if (this.pendingState.length) {
        const bytes = Buffer.from(new Float64Array(this.pendingState).buffer);
        fs.writeSync(this.stateFd, bytes);
        this.pendingState = [];
      }
      for (const track of this.cameras.values()) {
        if (!track.pendingLines.length) continue;
        fs.writeSync(track.indexFd, track.pendingLines.join('\n') + '\n');
        track.pendingLines = [];
      }
    } catch (error) {
      this.failure ??= `could not write to ${this.dir}: ${(error as Error).message}`;
    }
  }

  /** Waits for frame files in flight, flushes, syncs to disk, closes, and stamps the header's end. */
  async close(end: Omit<EpisodeHeaderEnd, 'steps' | 'strokes' | 'durationS'>): Promise<EpisodeHeaderEnd> {
    if (this.closed) throw new Error(`episode ${this.id} is already closed`);
    await Promise.all([...this.frameWrites]);
    this.closed = true;
    clearInterval(this.timer);
    this.flush();
    for (const fd of [this.stepsFd, this.stateFd, ...[...this.cameras.values()].map((track) => track.indexFd)]) {
      try {
        fs.fsyncSync(fd);
      } catch {
        // fsync is best effort (some filesystems refuse it); the data was written.
      }
      fs.closeSync(fd);
    }
    const fullEnd: EpisodeHeaderEnd = {
      ...end,
      steps: this.stepCount,
      strokes: this.strokeCount,
      durationS: round6(this.durationS),
    };
    writeJsonAtomic(path.join(this.dir, HEADER_FILE), { ...this.header, end: fullEnd });
    return fullEnd;
  }
}

const round6 = (value: number) => Math.round(value * 1e6) / 1e6;
