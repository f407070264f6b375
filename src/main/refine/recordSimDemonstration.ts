import { DEFAULT_GRIPPER_MM_PER_RAD, GRIPPER_MAX_STROKE_MM } from '../../shared/robot/a1Spec';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { MAX_DISTRACTORS } from '../../shared/sim/world/sceneGenerator';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../shared/sim/world/tabletopWorld';
import type { TaskTemplate } from '../../shared/sim/world/tasks';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { renderPolicyImages, type ChunkPolicy } from '../evaluation/simAttempt';
import { chunkTarget, rollOutDemo } from '../training/demonstrations/demoRollout';
import { encodeFrames, writeSimEpisode, type SimEpisodeContent } from './recordSimAttempt';

/** The model name a demonstration episode is recorded under. */
export const SIM_EXPERT_MODEL = { name: 'scripted-expert', version: 'sim', path: '' } as const;

/**
 * A demonstration of the simulator's scripted expert recorded as an ordinary successful episode, for the
 * policy `shape` (its camera, chunk length and action space): each of its cameras' pictures at every chunk
 * start and the expert's actions executed in chunks. Labelled good, it gives GTA pairs around the
 * expert's chunks (NORA-1.5's action reward on demonstrations). Returns null when the expert failed.
 */
export async function recordSimDemonstration(
  chain: KinematicChain,
  shape: Pick<ChunkPolicy, 'cameras' | 'action' | 'controlRateHz'>,
  episodes: { root: string; catalog: EpisodeCatalog },
  demo: { template: TaskTemplate; seed: number; distractors?: number; startedAtMs?: number },
): Promise<number | null> {
  const episode = rollOutDemo(
    chain,
    { template: demo.template, seed: demo.seed, distractors: demo.distractors ?? MAX_DISTRACTORS, noiseStd: 0 },
    { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, maxSteps: 400, dtS: 1 / shape.controlRateHz },
  );
  const { cameras, action } = shape;
  if (action.space !== 'ee_delta' || action.dims !== 7)
    throw new Error(
      `the scripted expert acts in ee_delta × 7 (dx … gripper); this policy's actions are ${action.space} × ${action.dims}`,
    );
  if (!episode.success) return null;
  const startedAtMs = demo.startedAtMs ?? Date.now();
  const periodMs = 1000 / shape.controlRateHz;
  const actions = episode.steps.map((step) => step.action);
  const frames: SimEpisodeContent['frames'] = [];
  const steps: SimEpisodeContent['steps'] = [];
  for (const [index, step] of episode.steps.entries()) {
    const atMs = startedAtMs + index * periodMs;
    const chunkIndex = index % action.chunkLength;
    if (chunkIndex === 0) {
      frames.push({ jpegs: await encodeFrames(cameras, renderPolicyImages(step.snapshot, chain, cameras)), atMs });
    }
    const chunk = chunkTarget(actions, index - chunkIndex, action.chunkLength);
    const joints = step.robotState.slice(0, 6);
    const gripperRad = (step.robotState[6]! * GRIPPER_MAX_STROKE_MM) / DEFAULT_GRIPPER_MM_PER_RAD;
    steps.push({
      atMs,
      step: {
        stroke: Math.floor(index / action.chunkLength),
        chunkIndex,
        action: [...step.action],
        jointTargetRad: [...joints, (step.action[6] * GRIPPER_MAX_STROKE_MM) / DEFAULT_GRIPPER_MM_PER_RAD],
        stateRad: [...joints, gripperRad],
        ...(chunkIndex === 0
          ? {
              chunk: Array.from({ length: action.chunkLength }, (_, k) =>
                Array.from(chunk.subarray(k * action.dims, (k + 1) * action.dims)),
              ),
            }
          : {}),
      },
    });
  }
  return writeSimEpisode(episodes, {
    instruction: episode.instruction,
    startedAtMs,
    model: { ...SIM_EXPERT_MODEL },
    seed: demo.seed,
    controlRateHz: shape.controlRateHz,
    action,
    cameras,
    frames,
    steps,
    endedAtMs: startedAtMs + episode.steps.length * periodMs,
    outcome: 'success',
    reason: 'scripted-expert demonstration',
    strokes: Math.ceil(episode.steps.length / action.chunkLength),
  });
}
