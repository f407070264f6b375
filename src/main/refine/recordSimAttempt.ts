import sharp from 'sharp';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { DEFAULT_GRIPPER_MM_PER_RAD, MOTOR_NAMES } from '../../shared/robot/a1Spec';
import type { EpisodeResult } from '../../shared/evaluation/evaluationTypes';
import type { TaskTemplate } from '../../shared/sim/world/tasks';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { EpisodeWriter } from '../episodes/recording/episodeWriter';
import { EPISODE_FORMAT, type EpisodeHeader } from '../episodes/store/episodeFormat';
import type { EpisodeOutcome } from '../../shared/episodes/episodeTypes';
import { cameraSizes, type PolicyCameraSize } from '../../shared/policy/modelManifest';
import { runSimAttempt, type CameraImages, type ChunkPolicy } from '../evaluation/simAttempt';

export interface RecordedSimAttempt {
  episodeId: number;
  result: EpisodeResult;
}

/**
 * One kinematic sim attempt (as `coach eval` runs them) recorded as an ordinary episode: the policy
 * camera's picture at every chunk (JPEG, as the live recorder writes them), every executed step with its
 * chunk and the measured joints, in the catalog with the attempt's outcome. Time is simulated: the
 * episode's clock advances one control period a step, so a 30 s attempt is recorded in well under a
 * second of rendering. Used to collect attempts for refinement without the live arm (bench/refine).
 */
export async function recordSimAttempt(
  chain: KinematicChain,
  policy: ChunkPolicy,
  model: { name: string; version: string; path: string },
  episodes: { root: string; catalog: EpisodeCatalog },
  attempt: { template: TaskTemplate; seed: number; maxStrokes: number; noiseSeed: number; startedAtMs?: number },
): Promise<RecordedSimAttempt> {
  const startedAtMs = attempt.startedAtMs ?? Date.now();
  const periodMs = 1000 / policy.controlRateHz;
  const cameras = policy.cameras;
  const pending: { jpegs: Promise<Record<string, Buffer>>; atMs: number }[] = [];
  const steps: { step: Parameters<EpisodeWriter['appendStep']>[0]; atMs: number }[] = [];
  let stepIndex = 0;
  let lastChunk: number[][] = [];
  const result = await runSimAttempt(chain, policy, attempt.template, attempt.seed, {
    maxStrokes: attempt.maxStrokes,
    noiseSeed: attempt.noiseSeed,
    withExpert: false,
    observer: {
      onChunk: ({ images, chunk }) => {
        const dims = policy.action.dims;
        lastChunk = Array.from({ length: chunk.length / dims }, (_, i) =>
          Array.from(chunk.subarray(i * dims, (i + 1) * dims)),
        );
        pending.push({ jpegs: encodeFrames(cameras, images), atMs: startedAtMs + stepIndex * periodMs });
      },
      onStep: (event) => {
        const gripperRad = event.gripperOpeningMm / DEFAULT_GRIPPER_MM_PER_RAD;
        steps.push({
          atMs: startedAtMs + stepIndex * periodMs,
          step: {
            stroke: event.stroke,
            chunkIndex: event.chunkIndex,
            action: event.action,
            jointTargetRad: [...event.targetJointsRad, event.targetGripperStrokeMm / DEFAULT_GRIPPER_MM_PER_RAD],
            stateRad: [...event.jointsRad, gripperRad],
            ...(event.chunkIndex === 0 ? { chunk: lastChunk } : {}),
          },
        });
        stepIndex += 1;
      },
    },
  });
  const id = await writeSimEpisode(episodes, {
    instruction: result.instruction,
    startedAtMs,
    model,
    seed: attempt.seed,
    controlRateHz: policy.controlRateHz,
    action: policy.action,
    cameras,
    frames: await Promise.all(pending.map(async (frame) => ({ jpegs: await frame.jpegs, atMs: frame.atMs }))),
    steps,
    endedAtMs: startedAtMs + stepIndex * periodMs,
    outcome: result.success ? 'success' : result.reason.startsWith('refused') ? 'refused' : 'max_strokes',
    reason: result.reason,
    strokes: result.strokes,
  });
  return { episodeId: id, result };
}

export interface SimEpisodeContent {
  instruction: string;
  startedAtMs: number;
  model: { name: string; version: string; path: string };
  seed: number;
  controlRateHz: number;
  action: Pick<ChunkPolicy['action'], 'space' | 'dims' | 'names' | 'chunkLength'>;
  /** The policy's cameras; the first is the episode's policy camera. */
  cameras: readonly PolicyCameraSize[];
  /** Each camera's picture (JPEG) at the same moments, and when they were taken, in time order. */
  frames: { jpegs: Record<string, Buffer>; atMs: number }[];
  steps: { step: Parameters<EpisodeWriter['appendStep']>[0]; atMs: number }[];
  endedAtMs: number;
  outcome: EpisodeOutcome;
  reason: string;
  strokes: number;
}

/** Writes a simulated attempt or demonstration as an ordinary episode (files and catalog row); returns its id. */
export async function writeSimEpisode(
  episodes: { root: string; catalog: EpisodeCatalog },
  content: SimEpisodeContent,
): Promise<number> {
  const { cameras } = content;
  const id = episodes.catalog.insert({
    kind: 'attempt',
    instruction: content.instruction,
    startedAtMs: content.startedAtMs,
    cameras: cameras.map((camera) => camera.name),
    modelName: content.model.name,
    modelVersion: content.model.version,
    link: 'sim',
    seed: content.seed,
  });
  const header: EpisodeHeader = {
    format: EPISODE_FORMAT,
    id,
    kind: 'attempt',
    instruction: content.instruction,
    startedAtMs: content.startedAtMs,
    model: content.model,
    link: 'sim',
    seed: content.seed,
    controlRateHz: content.controlRateHz,
    recordingFps: content.controlRateHz,
    action: {
      space: content.action.space,
      dims: content.action.dims,
      names: [...content.action.names],
      chunkLength: content.action.chunkLength,
    },
    stateNames: [...MOTOR_NAMES],
    cameras: cameraSizes(cameras),
    policyCamera: cameras[0]!.name,
  };
  const writer = new EpisodeWriter(episodes.root, header);
  // Frames and steps in time order: each chunk's picture lands just before the chunk's first step.
  let frame = 0;
  for (const { step, atMs } of content.steps) {
    while (frame < content.frames.length && content.frames[frame]!.atMs <= atMs) {
      const { jpegs, atMs: frameAtMs } = content.frames[frame]!;
      for (const camera of cameras)
        writer.writeFrame(camera.name, jpegs[camera.name]!, frame, frameAtMs, camera.widthPx, camera.heightPx);
      frame += 1;
    }
    writer.appendStep(step, atMs);
  }
  const { outcome, reason } = content;
  const end = await writer.close({ endedAtMs: content.endedAtMs, status: 'complete', outcome, reason });
  episodes.catalog.finish(id, {
    status: 'complete',
    outcome,
    reason,
    durationS: end.durationS,
    strokes: content.strokes,
    steps: end.steps,
    frames: writer.frames,
  });
  return id;
}

/** One JPEG per camera (quality 90, as the live recorder writes them) of the policy's RGB pictures. */
export async function encodeFrames(
  cameras: readonly PolicyCameraSize[],
  images: CameraImages,
): Promise<Record<string, Buffer>> {
  const entries = await Promise.all(
    cameras.map(async (camera) => {
      const jpeg = await sharp(Buffer.from(images[camera.name]!), {
        raw: { width: camera.widthPx, height: camera.heightPx, channels: 3 },
      })
        .jpeg({ quality: 90 })
        .toBuffer();
      return [camera.name, jpeg] as const;
    }),
  );
  return Object.fromEntries(entries);
}
