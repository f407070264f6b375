import fs from 'node:fs/promises';
import path from 'node:path';
import {
  CAMERAS_DIR,
  EPISODE_FORMAT,
  FRAME_INDEX_FILE,
  HEADER_FILE,
  STATE_FILE,
  STATE_MOTORS,
  STATE_RECORD_BYTES,
  STATE_RECORD_VALUES,
  STEPS_FILE,
  type EpisodeHeader,
  type FrameIndexRecord,
  type StateSample,
  type StepRecord,
} from './episodeFormat';

/** A missing or unreadable payload file of one episode, in words that name the episode, the file and the problem. */
export class EpisodeFileError extends Error {
  constructor(
    readonly episodeId: number | null,
    readonly file: string,
    readonly problem: string,
  ) {
    super(`episode ${episodeId ?? '?'}: ${file}: ${problem}`);
    this.name = 'EpisodeFileError';
  }
}

/** Parses JSON lines, ignoring a torn tail: a last line without its newline, or a last line that does not parse. */
export function parseJsonLines<T>(text: string): T[] {
  const lines = text.split('\n');
  lines.pop(); // '' after the final newline, or a line torn before its newline
  const out: T[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      if (i === lines.length - 1) break;
      throw new Error(`line ${i + 1} is not valid JSON`);
    }
  }
  return out;
}

/** Decodes state.bin; a short last record (torn by a crash) is ignored. */
export function decodeStateRecords(bytes: Uint8Array): StateSample[] {
  const count = Math.floor(bytes.byteLength / STATE_RECORD_BYTES);
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * STATE_RECORD_BYTES);
  const samples: StateSample[] = [];
  for (let r = 0; r < count; r++) {
    const values = new Array<number>(STATE_RECORD_VALUES);
    for (let v = 0; v < STATE_RECORD_VALUES; v++) values[v] = view.getFloat64((r * STATE_RECORD_VALUES + v) * 8, true);
    const block = (k: number) => values.slice(1 + k * STATE_MOTORS, 1 + (k + 1) * STATE_MOTORS);
    samples.push({ tS: values[0]!, posRad: block(0), velRadS: block(1), tauNm: block(2), setpointRad: block(3) });
  }
  return samples;
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** Reads one episode folder (docs/episodes.md). Never writes to it. */
export class EpisodeReader {
  private constructor(
    readonly dir: string,
    readonly header: EpisodeHeader,
  ) {}

  /** Opens the folder and reads its header; throws EpisodeFileError when episode.json is missing or corrupt. */
  static async open(dir: string, expectedId?: number): Promise<EpisodeReader> {
    const id = expectedId ?? idFromDirName(dir);
    const file = path.join(dir, HEADER_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (err) {
      if (isMissing(err)) throw new EpisodeFileError(id, file, 'the file is missing (is this an episode folder?)');
      throw new EpisodeFileError(id, file, `cannot be read: ${(err as Error).message}`);
    }
    let header: unknown;
    try {
      header = JSON.parse(text);
    } catch (err) {
      throw new EpisodeFileError(id, file, `is not valid JSON (${(err as Error).message})`);
    }
    const problem = headerProblem(header);
    if (problem) throw new EpisodeFileError(id, file, problem);
    return new EpisodeReader(dir, header as EpisodeHeader);
  }

  get id(): number {
    return this.header.id;
  }

  get cameraNames(): string[] {
    return this.header.cameras.map((c) => c.name);
  }

  async steps(): Promise<StepRecord[]> {
    return this.readJsonLines<StepRecord>(path.join(this.dir, STEPS_FILE));
  }

  async state(): Promise<StateSample[]> {
    return decodeStateRecords(await this.readOptionalBytes(path.join(this.dir, STATE_FILE)));
  }

  async frameIndex(camera: string): Promise<FrameIndexRecord[]> {
    return this.readJsonLines<FrameIndexRecord>(this.framePath(camera, FRAME_INDEX_FILE));
  }

  framePath(camera: string, file: string): string {
    return path.join(this.dir, CAMERAS_DIR, camera, file);
  }

  /** The JPEG bytes of one recorded frame; throws EpisodeFileError naming the file when it is gone. */
  async frameJpeg(camera: string, record: FrameIndexRecord): Promise<Buffer> {
    const file = this.framePath(camera, record.file);
    try {
      return await fs.readFile(file);
    } catch (err) {
      throw new EpisodeFileError(this.id, file, isMissing(err) ? 'the frame file is missing' : (err as Error).message);
    }
  }

  /** Frames the index lists whose file is gone: their index records. */
  async missingFrames(camera: string, index?: FrameIndexRecord[]): Promise<FrameIndexRecord[]> {
    const records = index ?? (await this.frameIndex(camera));
    let present: Set<string>;
    try {
      present = new Set(await fs.readdir(path.join(this.dir, CAMERAS_DIR, camera)));
    } catch (err) {
      if (!isMissing(err)) throw err;
      present = new Set();
    }
    return records.filter((r) => !present.has(r.file));
  }

  private async readJsonLines<T>(file: string): Promise<T[]> {
    const text = (await this.readOptionalBytes(file)).toString('utf8');
    try {
      return parseJsonLines<T>(text);
    } catch (err) {
      throw new EpisodeFileError(this.id, file, (err as Error).message);
    }
  }

  /** A payload file that was never written (no steps yet, no camera) reads as empty. */
  private async readOptionalBytes(file: string): Promise<Buffer> {
    try {
      return await fs.readFile(file);
    } catch (err) {
      if (isMissing(err)) return Buffer.alloc(0);
      throw new EpisodeFileError(this.id, file, `cannot be read: ${(err as Error).message}`);
    }
  }
}

export interface PayloadSummary {
  steps: number;
  /** Distinct strokes (chunks) among the steps. */
  strokes: number;
  framesByCamera: Record<string, number>;
  /** Time of the last step, frame or state sample, s since the start. */
  durationS: number;
}

/** Counts and duration read back from an episode's files (crash recovery). */
export async function summarizePayload(dir: string): Promise<PayloadSummary> {
  const reader = await EpisodeReader.open(dir);
  const steps = await reader.steps();
  let lastS = steps.at(-1)?.tS ?? 0;
  const state = await reader.state();
  lastS = Math.max(lastS, state.at(-1)?.tS ?? 0);
  const framesByCamera: Record<string, number> = {};
  for (const camera of reader.cameraNames) {
    const index = await reader.frameIndex(camera);
    framesByCamera[camera] = index.length;
    lastS = Math.max(lastS, index.at(-1)?.tS ?? 0);
  }
  return { steps: steps.length, strokes: new Set(steps.map((s) => s.stroke)).size, framesByCamera, durationS: lastS };
}

function idFromDirName(dir: string): number | null {
  const name = path.basename(dir);
  return /^\d+$/.test(name) ? Number(name) : null;
}

function headerProblem(value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'is not a JSON object';
  const h = value as Partial<EpisodeHeader>;
  if (h.format !== EPISODE_FORMAT) return `has format ${JSON.stringify(h.format)}, expected "${EPISODE_FORMAT}"`;
  if (typeof h.id !== 'number') return 'has no numeric "id"';
  if (typeof h.startedAtMs !== 'number') return 'has no numeric "startedAtMs"';
  if (typeof h.controlRateHz !== 'number' || !(h.controlRateHz > 0)) return 'has no positive "controlRateHz"';
  if (!h.action || typeof h.action.dims !== 'number' || !Array.isArray(h.action.names)) return 'has no valid "action"';
  if (!Array.isArray(h.cameras)) return 'has no "cameras" list';
  if (!Array.isArray(h.stateNames)) return 'has no "stateNames" list';
  return null;
}
