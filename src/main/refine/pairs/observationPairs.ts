import type { PairGoal, PairSource } from '../../../shared/refine/pairTypes';
import { taskOf } from '../../episodes/catalog/catalogRows';
import type { EpisodeObservation } from './episodeObservations';
import type { PairPolicy } from './pairPolicy';
import type { NewPair } from './pairStore';
import { bestAndWorst, type RewardScores } from './rewards';

/** What every pair at one observation shares. */
export type PairBase = Omit<NewPair, 'chosen' | 'rejected' | 'source' | 'scores' | 'executedSide' | 'goal'>;

export function pairBase(observation: EpisodeObservation, instruction: string, policy: PairPolicy): PairBase {
  return {
    episodeId: observation.episodeId,
    stepIndex: observation.stepIndex,
    camera: observation.camera,
    frameIndex: observation.frameIndex,
    robotState: observation.robotState,
    instruction,
    task: taskOf(instruction),
    modelName: policy.model.name,
    modelVersion: policy.model.version,
    actionSpace: policy.action.space,
    actionNames: [...policy.action.names],
  };
}

/** [chunkLength × dims] flat → [chunkLength][dims]. */
export function chunkRows(flat: Float32Array, dims: number): number[][] {
  return Array.from({ length: flat.length / dims }, (_, row) =>
    Array.from(flat.subarray(row * dims, (row + 1) * dims)),
  );
}

function farthest(distances: readonly number[]): number | null {
  const { worst } = bestAndWorst(distances);
  return distances[worst]! > 0 ? worst : null;
}

/**
 * An operator-label pair. Good chunk: chosen = the executed chunk, rejected = the policy's sample farthest
 * from it. Bad chunk: rejected = the executed chunk, chosen = the sample farthest from it: with no reward
 * that knows better, the sample least like the mistake is the best guess at what should have happened.
 * Scores: each side's GTA distance to the executed chunk (0 for the executed one). Null when every sample
 * equals the executed chunk (nothing to prefer).
 */
export function labelPair(
  base: PairBase,
  executed: Float32Array,
  samples: Float32Array[],
  distances: number[],
  judgement: 'good' | 'bad',
  dims: number,
): NewPair | null {
  const index = farthest(distances);
  if (index === null) return null;
  const executedRows = chunkRows(executed, dims);
  const sampleRows = chunkRows(samples[index]!, dims);
  const good = judgement === 'good';
  return {
    ...base,
    chosen: good ? executedRows : sampleRows,
    rejected: good ? sampleRows : executedRows,
    source: 'label',
    executedSide: good ? 'chosen' : 'rejected',
    scores: { reward: 'gta', chosen: good ? 0 : distances[index]!, rejected: good ? distances[index]! : 0 },
  };
}

/**
 * A reward pair (NORA-1.5): chosen = the best-scored sample, rejected = the worst (by the total); null when
 * all tie. A combined reward's components are kept for both (scores.parts: each part's value at the chosen
 * and at the rejected sample); a single reward, its own only part, keeps none. `goal`: the goal frame the
 * reward measured against (null without one).
 */
export function rewardPair(
  base: PairBase,
  samples: Float32Array[],
  scores: RewardScores,
  reward: { name: string; source: Exclude<PairSource, 'label'> },
  dims: number,
  goal: PairGoal | null = null,
): NewPair | null {
  const { total } = scores;
  const { best, worst } = bestAndWorst(total);
  if (!(total[worst]! > total[best]!)) return null;
  const names = Object.keys(scores.parts);
  const single = names.length === 0 || (names.length === 1 && names[0] === reward.name);
  const parts = Object.fromEntries(
    names.map((name) => {
      const values = scores.parts[name]!;
      if (values.length !== total.length)
        throw new Error(`reward part ${name} scored ${values.length} candidates, the total ${total.length}`);
      return [name, { chosen: values[best]!, rejected: values[worst]! }];
    }),
  );
  return {
    ...base,
    chosen: chunkRows(samples[best]!, dims),
    rejected: chunkRows(samples[worst]!, dims),
    source: reward.source,
    executedSide: null,
    scores: { reward: reward.name, chosen: total[best]!, rejected: total[worst]!, ...(single ? {} : { parts }) },
    goal: goal ? { episodeId: goal.episodeId, camera: goal.camera, frameIndex: goal.frameIndex } : null,
  };
}
