import { DEFAULT_GRIPPER_MM_PER_RAD } from '../../../shared/robot/a1Spec';
import { EpisodeReader } from '../store/episodeReader';
import type { EpisodeHeader, FrameIndexRecord, StepRecord } from '../store/episodeFormat';
import { ExportError, type ExportEpisodeInput } from './exportTypes';

export const STATE_FEATURE_NAMES = [
  'arm_joint1_rad',
  'arm_joint2_rad',
  'arm_joint3_rad',
  'arm_joint4_rad',
  'arm_joint5_rad',
  'arm_joint6_rad',
  'gripper_mm',
];

export interface CameraRows {
  records: FrameIndexRecord[];
  /** Per row: the index into records of the frame the video shows (newest at or before the row's time). */
  rowFrames: number[];
}

/** One episode ready to export: header, steps (= rows) and, per camera, the frames the rows show. */
export interface ExportEpisode {
  input: ExportEpisodeInput;
  reader: EpisodeReader;
  header: EpisodeHeader;
  steps: StepRecord[];
  cameras: Map<string, CameraRows>;
  /** LeRobot's task string: the instruction as given to the policy. */
  task: string;
}

export interface SkippedEpisode {
  id: number;
  reason: string;
}

/** observation.state: the six measured joints (rad), then the gripper stroke (mm). */
export function observationState(step: StepRecord): number[] {
  const q = step.stateRad;
  return [q[0]!, q[1]!, q[2]!, q[3]!, q[4]!, q[5]!, q[6]! * DEFAULT_GRIPPER_MM_PER_RAD];
}

/** Per row time, the newest frame at or before it (the first frame when none is before). Records sorted by tS. */
export function selectRowFrames(records: FrameIndexRecord[], rowTimesS: number[]): number[] {
  let j = 0;
  return rowTimesS.map((tS) => {
    while (j + 1 < records.length && records[j + 1]!.tS <= tS) j++;
    return j;
  });
}

/**
 * Opens every episode and keeps those that can be exported; the others are returned as skipped with the reason.
 * withFrames: also check the camera frames (LeRobot exports need every frame file).
 */
export async function loadExportEpisodes(
  inputs: ExportEpisodeInput[],
  withFrames: boolean,
  signal?: AbortSignal,
): Promise<{ episodes: ExportEpisode[]; skipped: SkippedEpisode[] }> {
  const episodes: ExportEpisode[] = [];
  const skipped: SkippedEpisode[] = [];
  for (const input of inputs) {
    signal?.throwIfAborted();
    const id = input.summary.id;
    try {
      const loaded = await loadOne(input, withFrames);
      if (typeof loaded === 'string') skipped.push({ id, reason: loaded });
      else episodes.push(loaded);
    } catch (err) {
      skipped.push({ id, reason: (err as Error).message });
    }
  }
  return { episodes, skipped };
}

async function loadOne(input: ExportEpisodeInput, withFrames: boolean): Promise<ExportEpisode | string> {
  const reader = await EpisodeReader.open(input.dir, input.summary.id);
  const header = reader.header;
  const steps = (await reader.steps()).slice().sort((a, b) => a.i - b.i);
  if (steps.length === 0) return 'it has no executed steps (steps.jsonl is empty)';
  for (const step of steps) {
    if (step.action?.length !== header.action.dims) {
      return `step ${step.i} has ${step.action?.length ?? 0} action values, the header says ${header.action.dims}`;
    }
    if (!(step.stateRad?.length >= 7)) return `step ${step.i} has no measured state of the 7 motors`;
  }
  const cameras = new Map<string, CameraRows>();
  if (withFrames) {
    const rowTimesS = steps.map((s) => s.tS);
    for (const camera of reader.cameraNames) {
      const records = (await reader.frameIndex(camera)).slice().sort((a, b) => a.tS - b.tS);
      if (records.length === 0) return `camera ${camera} recorded no frames`;
      const missing = await reader.missingFrames(camera, records);
      if (missing.length > 0) {
        const files = missing.slice(0, 3).map((r) => reader.framePath(camera, r.file));
        const more = missing.length > 3 ? ` and ${missing.length - 3} more` : '';
        return `camera ${camera}: frame file ${files.join(', ')}${more} is missing`;
      }
      cameras.set(camera, { records, rowFrames: selectRowFrames(records, rowTimesS) });
    }
  }
  return { input, reader, header, steps, cameras, task: header.instruction.trim() };
}

/** All episodes of one LeRobot dataset must share fps, action dims and cameras; refuses otherwise. */
export function checkSameShape(episodes: ExportEpisode[]): void {
  const first = episodes[0];
  if (!first) return;
  const shape = (e: ExportEpisode) =>
    `${e.header.controlRateHz} Hz, ${e.header.action.dims} action dims, cameras [${[...e.cameras.keys()].sort().join(', ')}]`;
  const expected = shape(first);
  const odd = episodes.filter((e) => shape(e) !== expected);
  if (odd.length === 0) return;
  const examples = odd
    .slice(0, 5)
    .map((e) => `episode ${e.header.id}: ${shape(e)}`)
    .join('; ');
  throw new ExportError(
    `the episodes do not share one fps, action size and camera set, which one LeRobot dataset needs: ` +
      `episode ${first.header.id} has ${expected}, but episodes ${odd.map((e) => e.header.id).join(', ')} differ ` +
      `(${examples}). Narrow the filter (e.g. by model version or ids) and export them separately.`,
  );
}
