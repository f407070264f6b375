import { CoachError } from '../../../shared/contract/errors';
import type { EpisodeSummary } from '../../../shared/episodes/episodeTypes';
import type { PairSource } from '../../../shared/refine/pairTypes';
import { episodeDir } from '../../episodes/store/episodeFormat';
import { EpisodeReader } from '../../episodes/store/episodeReader';
import type { CameraImages } from '../../evaluation/simAttempt';
import { judgeChunk, takesGtaPair, type ChunkJudgement } from './chunkJudgement';
import { episodeObservations, type EpisodeObservation } from './episodeObservations';
import { observationImages } from './observationImages';
import { labelPair, pairBase, rewardPair, type PairBase } from './observationPairs';
import { actionSpaceMismatch, observationSeed, type PairPolicy } from './pairPolicy';
import { pairDedupKey, type NewPair, type PairStore, type StoredPairKey } from './pairStore';
import { meanAbsDifference, scoreWithParts, type ActionReward, type GoalFrame, type RewardContext } from './rewards';

export interface EpisodePairsOptions {
  /** The sources this build makes (and may find stale). */
  sources: readonly PairSource[];
  k: number;
  seed: number;
  reward: { reward: ActionReward; source: Exclude<PairSource, 'label'> };
  /** The goal frame of this episode, for a reward that needs one (null: none found, no reward pairs). */
  goal?: GoalFrame | null;
  signal?: AbortSignal;
}

export interface EpisodePairs {
  /** Pairs to store (new ones, and label pairs whose executed chunk changed sides). */
  built: NewPair[];
  /** Wanted pairs already stored as they are: no sampling needed. */
  alreadyStored: number;
  /** Stored pairs the labels no longer support (relabelled, marked, another model's relabelled pair). */
  staleIds: number[];
  /** Pairs a build discarded as stale that the labels support again. */
  reviveIds: number[];
  /** Why the episode gave nothing, when it gave nothing. */
  emptyReason: string;
}

type Want = { source: PairSource; side: 'chosen' | 'rejected' | null };

/**
 * Whether the reward ranks samples at a chunk: one that compares with the executed chunk (GTA) only where
 * that chunk is ground truth (takesGtaPair); one that needs no ground truth (the world model alone) at
 * every chunk, given a goal frame.
 */
function rewardApplies(episode: EpisodeSummary, judgement: ChunkJudgement, options: EpisodePairsOptions): boolean {
  const { needs } = options.reward.reward;
  if (needs.goal && !options.goal) return false;
  return needs.groundTruth ? takesGtaPair(episode, judgement) : true;
}

function wantedAt(episode: EpisodeSummary, judgement: ChunkJudgement, options: EpisodePairsOptions): Want[] {
  const wanted: Want[] = [];
  if (options.sources.includes('label') && (judgement === 'good' || judgement === 'bad'))
    wanted.push({ source: 'label', side: judgement === 'good' ? 'chosen' : 'rejected' });
  if (options.sources.includes(options.reward.source) && rewardApplies(episode, judgement, options))
    wanted.push({ source: options.reward.source, side: null });
  return wanted;
}

/** Stored pairs at this step of the sources in scope that the current labels no longer support. */
function staleAt(stored: StoredPairKey[], base: PairBase, wanted: Want[], options: EpisodePairsOptions): number[] {
  return stored
    .filter((row) => row.stepIndex === base.stepIndex && row.status !== 'discarded')
    .filter((row) => options.sources.includes(row.source))
    .filter((row) => {
      const want = wanted.find((w) => w.source === row.source);
      if (!want) return true;
      // This model's own pair with the wrong side is rewritten on insert; another model's is stale.
      return want.side !== null && row.executedSide !== want.side && row.key !== pairDedupKey({ ...base, ...want });
    })
    .map((row) => row.id);
}

/** The pairs one recorded attempt gives with `policy` sampling the counterparts (see buildPairs). */
export async function episodePairs(
  root: string,
  store: PairStore,
  policy: PairPolicy,
  episode: EpisodeSummary,
  options: EpisodePairsOptions,
): Promise<EpisodePairs> {
  const reader = await EpisodeReader.open(episodeDir(root, episode.id), episode.id);
  const mismatch = actionSpaceMismatch(reader.header.action, policy.action);
  if (mismatch) throw new CoachError('pairs_action_space', mismatch);
  const [policyCamera, ...moreCameras] = policy.cameras;
  const observations = await episodeObservations(
    reader,
    policyCamera!.name,
    moreCameras.map((camera) => camera.name),
  );
  const out: EpisodePairs = {
    built: [],
    alreadyStored: 0,
    staleIds: [],
    reviveIds: [],
    emptyReason: observations.length
      ? 'none of its chunks is judged good or bad (unsure marks?)'
      : 'no step recorded the chunk it started (recorded before chunks were written?)',
  };
  const stored = store.storedOf(episode.id);
  const storedByKey = new Map(stored.map((row) => [row.key, row]));
  for (const observation of observations) {
    options.signal?.throwIfAborted();
    const judgement = judgeChunk(episode, observation.executedFromS, observation.executedToS);
    const wanted = wantedAt(episode, judgement, options);
    const base = pairBase(observation, reader.header.instruction, policy);
    out.staleIds.push(...staleAt(stored, base, wanted, options));
    const missing = wanted.filter((want) => {
      const row = storedByKey.get(pairDedupKey({ ...base, source: want.source }));
      if (!row || (want.side !== null && row.executedSide !== want.side)) return true;
      if (row.stale) out.reviveIds.push(row.id);
      return false;
    });
    out.alreadyStored += wanted.length - missing.length;
    if (missing.length === 0) continue;
    const { samples, executed, images } = await sampleAt(policy, observation, base.instruction, options);
    const distances = samples.map((sample) => meanAbsDifference(sample, executed));
    for (const want of missing) {
      const { dims } = policy.action;
      let pair: NewPair | null;
      if (want.source === 'label') {
        pair = labelPair(base, executed, samples, distances, judgement as 'good' | 'bad', dims);
      } else {
        const { reward } = options.reward;
        // The world model encodes the policy camera's picture only.
        const { widthPx, heightPx } = policyCamera!;
        const context: RewardContext = {
          observation: { rgb: images[policyCamera!.name]!, widthPx, heightPx, robotState: observation.robotState },
          instruction: base.instruction,
          ...(reward.needs.groundTruth ? { groundTruth: executed } : {}),
          ...(options.goal ? { goal: options.goal } : {}),
        };
        const scores = await scoreWithParts(reward, context, samples);
        pair = rewardPair(base, samples, scores, { name: reward.name, source: want.source }, dims, context.goal?.ref);
      }
      if (pair) out.built.push(pair);
    }
  }
  return out;
}

async function sampleAt(
  policy: PairPolicy,
  observation: EpisodeObservation,
  instruction: string,
  options: { k: number; seed: number },
): Promise<{ samples: Float32Array[]; executed: Float32Array; images: CameraImages }> {
  const executed = Float32Array.from(observation.chunk.flat());
  if (executed.length !== policy.action.chunkLength * policy.action.dims)
    throw new CoachError(
      'pairs_action_space',
      `step ${observation.stepIndex} recorded a chunk of ${executed.length} values; the model's chunks have ` +
        `${policy.action.chunkLength} × ${policy.action.dims}`,
    );
  const images = await observationImages(observation, policy.cameras);
  const seed = observationSeed(options.seed, observation.episodeId, observation.stepIndex);
  const samples = await policy.sample(images, instruction, observation.robotState, options.k, seed);
  return { samples, executed, images };
}
