import path from 'node:path';
import type { ActionSpace } from '../../../shared/policy/modelManifest';
import type { ExecutedStep } from '../../../shared/policy/policyTypes';
import type { EpisodeKind, EpisodeOutcome, EpisodeStatus } from '../../../shared/episodes/episodeTypes';

/** The on-disk layout of one episode (docs/episodes.md). */
export const EPISODE_FORMAT = 'coach.episode/1';
export const CATALOG_FILE = 'catalog.sqlite';
export const HEADER_FILE = 'episode.json';
export const STEPS_FILE = 'steps.jsonl';
export const STATE_FILE = 'state.bin';
export const CAMERAS_DIR = 'cameras';
export const FRAME_INDEX_FILE = 'index.jsonl';
/** Buffered payload reaches the files at least this often: what a crash can lose. */
export const RECORDING_FLUSH_MS = 250;
/** state.bin: tS, positions ×7, velocities ×7, torques ×7, setpoints ×7. */
export const STATE_MOTORS = 7;
export const STATE_RECORD_VALUES = 1 + 4 * STATE_MOTORS;
export const STATE_RECORD_BYTES = STATE_RECORD_VALUES * 8;

export interface EpisodeHeaderEnd {
  endedAtMs: number;
  status: Exclude<EpisodeStatus, 'recording'>;
  outcome: EpisodeOutcome;
  reason: string | null;
  strokes: number;
  steps: number;
  durationS: number;
}

export interface EpisodeHeader {
  format: typeof EPISODE_FORMAT;
  id: number;
  kind: EpisodeKind;
  instruction: string;
  startedAtMs: number;
  model: { name: string; version: string; path: string } | null;
  link: string | null;
  seed: number | null;
  controlRateHz: number;
  recordingFps: number;
  action: { space: ActionSpace; dims: number; names: string[]; chunkLength: number };
  stateNames: string[];
  cameras: { name: string; widthPx: number; heightPx: number }[];
  /** The camera the policy observed (attempts, when known; absent in episodes recorded before it was written). */
  policyCamera?: string;
  end?: EpisodeHeaderEnd;
}

/** A line of steps.jsonl: an executed step with its index and time. */
export interface StepRecord extends ExecutedStep {
  i: number;
  tS: number;
}

export interface FrameIndexRecord {
  i: number;
  tS: number;
  seq: number;
  widthPx: number;
  heightPx: number;
  file: string;
}

/** One 200 Hz arm sample, as decoded from state.bin. */
export interface StateSample {
  tS: number;
  posRad: number[];
  velRadS: number[];
  tauNm: number[];
  setpointRad: number[];
}

export const episodeDirName = (id: number) => String(id).padStart(6, '0');
export const frameFileName = (index: number) => `${String(index).padStart(6, '0')}.jpg`;
export const episodeDir = (root: string, id: number) => path.join(root, episodeDirName(id));
export const cameraDir = (root: string, id: number, camera: string) =>
  path.join(episodeDir(root, id), CAMERAS_DIR, camera);
