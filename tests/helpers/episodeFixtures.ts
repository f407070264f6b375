import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { EpisodeSummary } from '../../src/shared/episodes/episodeTypes';
import {
  CAMERAS_DIR,
  EPISODE_FORMAT,
  FRAME_INDEX_FILE,
  HEADER_FILE,
  STATE_FILE,
  STATE_MOTORS,
  STATE_RECORD_VALUES,
  STEPS_FILE,
  episodeDir,
  frameFileName,
  type EpisodeHeader,
  type FrameIndexRecord,
  type StepRecord,
} from '../../src/main/episodes/store/episodeFormat';

export interface FixtureCamera {
  name: string;
  widthPx: number;
  heightPx: number;
}

export interface FixtureEpisodeOptions {
  id: number;
  instruction?: string;
  steps?: number;
  controlRateHz?: number;
  recordingFps?: number;
  actionDims?: number;
  cameras?: FixtureCamera[];
  /** Feedback samples per second written to state.bin. */
  stateHz?: number;
  outcome?: EpisodeSummary['outcome'];
  label?: EpisodeSummary['label'];
  note?: string;
  strokeLength?: number;
  /** Append a torn tail to every payload file, as a crash would leave it. */
  tornTails?: boolean;
}

export interface FixtureEpisode {
  dir: string;
  header: EpisodeHeader;
  summary: EpisodeSummary;
  steps: StepRecord[];
  frames: Record<string, FrameIndexRecord[]>;
}

export const FIXTURE_CAMERAS: FixtureCamera[] = [
  { name: 'scene', widthPx: 96, heightPx: 72 },
  { name: 'wrist', widthPx: 80, heightPx: 64 },
];

/** The solid colour of a fixture frame: distinct per episode, camera and frame, far apart in RGB. */
export function frameColour(episodeId: number, camera: string, frame: number): { r: number; g: number; b: number } {
  const c = camera === 'scene' ? 0 : 1;
  return {
    r: (frame * 67 + episodeId * 29) % 256,
    g: (frame * 23 + c * 128 + 40) % 256,
    b: (frame * 151 + episodeId * 71 + c * 60) % 256,
  };
}

/** The step's measured joints: simple functions of the step, so exported rows can be checked exactly. */
export function fixtureStateRad(episodeId: number, step: number): number[] {
  return Array.from({ length: STATE_MOTORS }, (_, j) =>
    j === 6 ? 0.5 + 0.01 * step : 0.1 * j + 0.001 * step + 0.01 * episodeId,
  );
}

export function fixtureAction(episodeId: number, step: number, dims: number): number[] {
  return Array.from({ length: dims }, (_, j) => 0.001 * (j + 1) * (step + 1) + episodeId * 0.1);
}

/** Writes one episode folder exactly per docs/episodes.md, with real JPEG frames. */
export async function writeFixtureEpisode(root: string, options: FixtureEpisodeOptions): Promise<FixtureEpisode> {
  const id = options.id;
  const controlRateHz = options.controlRateHz ?? 10;
  const recordingFps = options.recordingFps ?? 30;
  const stepCount = options.steps ?? 12;
  const dims = options.actionDims ?? 7;
  const cameras = options.cameras ?? FIXTURE_CAMERAS;
  const strokeLength = options.strokeLength ?? 5;
  const startedAtMs = Date.UTC(2025, 11, 2, 10, 0, 0) + id * 60_000;
  const dir = episodeDir(root, id);
  fs.mkdirSync(dir, { recursive: true });

  // Steps start a little after the first frame, with a few ms of jitter, as on the real recorder.
  const steps: StepRecord[] = Array.from({ length: stepCount }, (_, i) => ({
    i,
    tS: 0.05 + i / controlRateHz + ((i * 7) % 5) * 0.002,
    stroke: Math.floor(i / strokeLength),
    chunkIndex: i % strokeLength,
    action: fixtureAction(id, i, dims),
    jointTargetRad: fixtureStateRad(id, i + 1),
    stateRad: fixtureStateRad(id, i),
  }));
  const durationS = (steps.at(-1)?.tS ?? 0) + 1 / controlRateHz;

  const header: EpisodeHeader = {
    format: EPISODE_FORMAT,
    id,
    kind: 'attempt',
    instruction: options.instruction ?? 'put the grape in the plate',
    startedAtMs,
    model: { name: 'coach-test', version: '1.0.0', path: '/models/coach-test' },
    link: 'sim',
    seed: 1234,
    controlRateHz,
    recordingFps,
    action: {
      space: 'ee_delta',
      dims,
      names: Array.from({ length: dims }, (_, j) => (j === dims - 1 ? 'gripper' : `a${j}`)),
      chunkLength: strokeLength,
    },
    stateNames: ['arm_joint1', 'arm_joint2', 'arm_joint3', 'arm_joint4', 'arm_joint5', 'arm_joint6', 'gripper'],
    cameras,
    end: {
      endedAtMs: startedAtMs + durationS * 1000,
      status: 'complete',
      outcome: 'success',
      reason: null,
      strokes: new Set(steps.map((s) => s.stroke)).size,
      steps: stepCount,
      durationS,
    },
  };
  fs.writeFileSync(path.join(dir, HEADER_FILE), JSON.stringify(header, null, 2));
  const torn = options.tornTails ? '{"i": 999, "tS": 99' : '';
  fs.writeFileSync(path.join(dir, STEPS_FILE), steps.map((s) => `${JSON.stringify(s)}\n`).join('') + torn);

  const stateHz = options.stateHz ?? 200;
  const samples = Math.ceil(durationS * stateHz);
  const state = new Float64Array(samples * STATE_RECORD_VALUES);
  for (let k = 0; k < samples; k++) {
    state[k * STATE_RECORD_VALUES] = k / stateHz;
    for (let v = 1; v < STATE_RECORD_VALUES; v++) state[k * STATE_RECORD_VALUES + v] = v * 0.01 + k * 1e-4;
  }
  const stateBytes = Buffer.from(state.buffer);
  fs.writeFileSync(
    path.join(dir, STATE_FILE),
    options.tornTails ? Buffer.concat([stateBytes, Buffer.alloc(40, 1)]) : stateBytes,
  );

  const frames: Record<string, FrameIndexRecord[]> = {};
  for (const camera of cameras) {
    const camDir = path.join(dir, CAMERAS_DIR, camera.name);
    fs.mkdirSync(camDir, { recursive: true });
    const count = Math.floor(durationS * recordingFps);
    const records: FrameIndexRecord[] = [];
    for (let i = 0; i < count; i++) {
      const file = frameFileName(i);
      const jpeg = await sharp({
        create: {
          width: camera.widthPx,
          height: camera.heightPx,
          channels: 3,
          background: frameColour(id, camera.name, i),
        },
      })
        .jpeg({ quality: 90 })
        .toBuffer();
      fs.writeFileSync(path.join(camDir, file), jpeg);
      records.push({
        i,
        tS: (i + 1) / recordingFps,
        seq: 1000 + i * 2,
        widthPx: camera.widthPx,
        heightPx: camera.heightPx,
        file,
      });
    }
    fs.writeFileSync(
      path.join(camDir, FRAME_INDEX_FILE),
      records.map((r) => `${JSON.stringify(r)}\n`).join('') + (options.tornTails ? '{"i": 4' : ''),
    );
    frames[camera.name] = records;
  }

  const summary: EpisodeSummary = {
    id,
    kind: 'attempt',
    instruction: header.instruction,
    task: header.instruction.trim().toLowerCase(),
    startedAtMs,
    durationS,
    status: 'complete',
    outcome: options.outcome ?? 'success',
    reason: null,
    strokes: header.end!.strokes,
    steps: stepCount,
    cameras: cameras.map((c) => c.name),
    frames: Object.values(frames).reduce((n, r) => n + r.length, 0),
    modelName: 'coach-test',
    modelVersion: '1.0.0',
    link: 'sim',
    seed: 1234,
    label: options.label ?? null,
    note: options.note ?? '',
    excluded: false,
    marks: [],
  };
  return { dir, header, summary, steps, frames };
}

/** A hash over every file (path, size, bytes) and every folder under dir: proves a folder was left untouched. */
export function hashTree(dir: string): string {
  const hash = crypto.createHash('sha256');
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, entry.name);
      const stat = fs.statSync(p);
      hash.update(`${path.relative(dir, p)}:${stat.mode}:${stat.mtimeMs}\n`);
      if (entry.isDirectory()) walk(p);
      else hash.update(fs.readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}
