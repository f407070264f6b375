import { CoachError } from '../../../shared/contract/errors';
import { ARM_JOINT_COUNT, DEFAULT_GRIPPER_MM_PER_RAD, GRIPPER_MAX_STROKE_MM } from '../../../shared/robot/a1Spec';
import type { EpisodeHeader, StepRecord } from '../../episodes/store/episodeFormat';
import type { EpisodeReader } from '../../episodes/store/episodeReader';
import { CameraFrames, moreCameraFrames, type CameraFrame } from './cameraFrames';

/** One observation of a recorded attempt: where a chunk started, what the policy saw, and the chunk it produced. */
export interface EpisodeObservation {
  episodeId: number;
  /** steps.jsonl `i` of the chunk's first step. */
  stepIndex: number;
  stroke: number;
  tS: number;
  camera: string;
  /** The frame's `i` in the camera's index, and its file (absolute path). */
  frameIndex: number;
  frameFile: string;
  /** The model's other cameras' frames (a wrist camera), by camera name, chosen the same way. */
  moreFrames: Record<string, CameraFrame>;
  /** ROBOT_STATE_NAMES: six measured joints (rad), gripper opening fraction. */
  robotState: number[];
  /** The whole physical chunk the policy produced here, [chunkLength][dims]. */
  chunk: number[][];
  /** Times of the chunk's first and last executed step, s since the start (for time marks). */
  executedFromS: number;
  executedToS: number;
}

/**
 * ROBOT_STATE_NAMES from the 7 motor positions (rad) steps.jsonl records: what the runner feeds the policy
 * (taskRunner.robotState: the arm's gripper stroke, posRad × DEFAULT_GRIPPER_MM_PER_RAD, over the full stroke).
 */
export function robotStateFromMotorsRad(stateRad: readonly number[]): number[] {
  return [
    ...stateRad.slice(0, ARM_JOINT_COUNT),
    (stateRad[ARM_JOINT_COUNT]! * DEFAULT_GRIPPER_MM_PER_RAD) / GRIPPER_MAX_STROKE_MM,
  ];
}

/**
 * The camera the policy observed: the header's `policyCamera`; for episodes recorded before it was written,
 * a recorded camera named like the model's camera, else the first recorded camera.
 */
export function policyCameraOf(header: EpisodeHeader, modelCameraName?: string): string | null {
  const names = header.cameras.map((camera) => camera.name);
  if (header.policyCamera) return header.policyCamera;
  if (modelCameraName && names.includes(modelCameraName)) return modelCameraName;
  return names[0] ?? null;
}

function executedSpans(steps: StepRecord[]): Map<number, [number, number]> {
  const spans = new Map<number, [number, number]>();
  for (const step of steps) {
    const span = spans.get(step.stroke);
    if (span) span[1] = Math.max(span[1], step.tS);
    else spans.set(step.stroke, [step.tS, step.tS]);
  }
  return spans;
}

/**
 * The observations of a recorded attempt: each step that starts a chunk (chunkIndex 0, with its `chunk`
 * recorded) with the policy camera's newest frame at or before the step's time, and the same of each of
 * `moreCameras` (the model's other cameras, by name). Throws (code `pairs_missing_frames`) when the policy
 * camera recorded no frames or a frame file it needs is gone, and (code `pairs_missing_camera`) when one of
 * `moreCameras` recorded no frames.
 */
export async function episodeObservations(
  reader: EpisodeReader,
  modelCameraName?: string,
  moreCameras: readonly string[] = [],
): Promise<EpisodeObservation[]> {
  const { header } = reader;
  const steps = (await reader.steps()).slice().sort((a, b) => a.i - b.i);
  const starts = steps.filter((step) => step.chunkIndex === 0 && Array.isArray(step.chunk) && step.chunk.length > 0);
  if (starts.length === 0) return [];
  const camera = policyCameraOf(header, modelCameraName);
  const frames = camera ? await CameraFrames.open(reader, camera) : null;
  if (!camera || !frames)
    throw new CoachError(
      'pairs_missing_frames',
      `episode ${header.id}: the policy camera "${camera ?? 'none'}" recorded no frames, so its observations are ` +
        'unknown. Exclude the episode from training (or delete it).',
    );
  const more = await moreCameraFrames(reader, moreCameras);
  const spans = executedSpans(steps);
  return starts.map((step) => {
    const span = spans.get(step.stroke)!;
    return {
      episodeId: header.id,
      stepIndex: step.i,
      stroke: step.stroke,
      tS: step.tS,
      camera,
      ...frames.at(step.tS, step.i),
      moreFrames: Object.fromEntries([...more].map(([name, cameraFrames]) => [name, cameraFrames.at(step.tS, step.i)])),
      robotState: robotStateFromMotorsRad(step.stateRad),
      chunk: step.chunk!,
      executedFromS: span[0],
      executedToS: span[1],
    };
  });
}
