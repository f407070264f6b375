import sharp from 'sharp';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { DEFAULT_GRIPPER_MM_PER_RAD, MOTOR_NAMES } from '../../shared/robot/a1Spec';
import type { EpisodeResult } from '../../shared/evaluation/evaluationTypes';
import type { TaskTemplate } from '../../shared/sim/world/tasks';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { EpisodeWriter } from '../episodes/recording/episodeWriter';
import { EPISODE_FORMAT, type EpisodeHeader } from '../episodes/store/episodeFormat';
import { runSimAttempt, type ChunkPolicy } from '../evaluation/simAttempt';

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
  const camera = policy.camera;
  const pending: { jpeg: Promise<Buffer>; atMs: number; seq: number }[] = [];
  const steps: { step: Parameters<EpisodeWriter['appendStep']>[0]; atMs: number }[] = [];
  let stepIndex = 0;
  let lastChunk: number[][] = [];
  const result = await runSimAttempt(chain, policy, attempt.template, attempt.seed, {
    maxStrokes: attempt.maxStrokes,
    noiseSeed: attempt.noiseSeed,
    withExpert: false,
    observer: {
      onChunk: ({ rgb, chunk }) => {
        const dims = policy.action.dims;
        lastChunk = Array.from({ length: chunk.length / dims }, (_, i) =>
          Array.from(chunk.subarray(i * dims, (i + 1) * dims)),
        );
        const jpeg = sharp(Buffer.from(rgb), { raw: { width: camera.widthPx, height: camera.heightPx, channels: 3 } })
          .jpeg({ quality: 90 })
          .toBuffer();
        pending.push({ jpeg, atMs: startedAtMs + stepIndex * periodMs, seq: pending.length });
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
  const id = episodes.catalog.insert({
    kind: 'attempt',
    instruction: result.instruction,
    startedAtMs,
    cameras: [camera.name],
    modelName: model.name,
    modelVersion: model.version,
    link: 'sim',
    seed: attempt.seed,
  });
  const header: EpisodeHeader = {
    format: EPISODE_FORMAT,
    id,
    kind: 'attempt',
    instruction: result.instruction,
    startedAtMs,
    model,
    link: 'sim',
    seed: attempt.seed,
    controlRateHz: policy.controlRateHz,
    recordingFps: policy.controlRateHz,
    action: {
      space: policy.action.space,
      dims: policy.action.dims,
      names: [...policy.action.names],
      chunkLength: policy.action.chunkLength,
    },
    stateNames: [...MOTOR_NAMES],
    cameras: [{ name: camera.name, widthPx: camera.widthPx, heightPx: camera.heightPx }],
    policyCamera: camera.name,
  };
  const writer = new EpisodeWriter(episodes.root, header);
  // Frames and steps in time order: each chunk's picture lands just before the chunk's first step.
  let frame = 0;
  for (const { step, atMs } of steps) {
    while (frame < pending.length && pending[frame]!.atMs <= atMs) {
      const { jpeg, seq } = pending[frame]!;
      writer.writeFrame(camera.name, await jpeg, seq, pending[frame]!.atMs, camera.widthPx, camera.heightPx);
      frame += 1;
    }
    writer.appendStep(step, atMs);
  }
  const endedAtMs = startedAtMs + stepIndex * periodMs;
  const outcome = result.success ? 'success' : result.reason.startsWith('refused') ? 'refused' : 'max_strokes';
  const end = await writer.close({ endedAtMs, status: 'complete', outcome, reason: result.reason });
  episodes.catalog.finish(id, {
    status: 'complete',
    outcome,
    reason: result.reason,
    durationS: end.durationS,
    strokes: result.strokes,
    steps: end.steps,
    frames: writer.frames,
  });
  return { episodeId: id, result };
}
