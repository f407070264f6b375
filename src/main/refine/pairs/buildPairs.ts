import { CoachError } from '../../../shared/contract/errors';
import type { EpisodeSummary } from '../../../shared/episodes/episodeTypes';
import type { PairSource } from '../../../shared/refine/pairTypes';
import type { EpisodeCatalog } from '../../episodes/catalog/episodeCatalog';
import { EpisodeFileError } from '../../episodes/store/episodeReader';
import { hasLabels, mayTakeGtaPairs } from './chunkJudgement';
import { episodePairs, type EpisodePairsOptions } from './episodePairs';
import { loadPairPolicy, type PairPolicy } from './pairPolicy';
import type { PairStore } from './pairStore';
import { gtaReward, type ActionReward, type GoalFrame } from './rewards';

export type PairBuildFrom = 'labels' | 'gta' | 'all';

export interface BuildPairsOptions {
  /** Which sources to build (default all). */
  from?: PairBuildFrom;
  /** Samples drawn per observation (default 5, as NORA-1.5). */
  k?: number;
  /** Seeds the samples (default 0): the same seed, model and episodes build the same pairs. */
  seed?: number;
  /** Only these episodes (default: every attempt in the catalog). */
  episodeIds?: number[];
  /** The reward that ranks samples for reward pairs (default GTA, source 'gta'; the world model's: 'wm'). */
  reward?: { reward: ActionReward; source: Exclude<PairSource, 'label'> };
  /** Goal frames per attempt, for a reward that needs them (the world model's; see GoalFrames). */
  goals?: { forEpisode(episode: EpisodeSummary): Promise<GoalFrame | null> };
  signal?: AbortSignal;
  onProgress?: (progress: { episodesDone: number; episodesTotal: number }) => void;
}

export interface BuildPairsResult {
  built: number;
  /** Pairs already stored (same episode, step, source and model): skipped. */
  duplicates: number;
  /** Label pairs rewritten because their episode was relabelled since. */
  replaced: number;
  /** Stored pairs discarded because the labels no longer support them (relabelled, newly marked). */
  staleDiscarded: number;
  /** Pairs discarded that way before that the labels support again: active again. */
  revived: number;
  /** New and rewritten pairs by source. */
  bySource: Record<PairSource, number>;
  pairIds: number[];
  episodesUsed: number[];
  episodesSkipped: { id: number; reason: string; code?: string }[];
}

export interface PairBuildContext {
  catalog: EpisodeCatalog;
  store: PairStore;
  /** The episodes folder. */
  root: string;
  policy: PairPolicy;
}

export const DEFAULT_PAIR_SAMPLES = 5;

function noCandidatesError(from: PairBuildFrom): CoachError {
  if (from === 'gta')
    return new CoachError(
      'pairs_no_episodes',
      'no attempt labelled good (or unlabelled and successful) to sample around. Label good attempts ' +
        '(G after an attempt, or coach episodes label ID good), then build again.',
    );
  return new CoachError(
    'pairs_no_labels',
    `no labelled attempts${from === 'all' ? ' and no unlabelled successes' : ''}: label attempts good or bad ` +
      '(G / B after an attempt, or coach episodes label ID good|bad) or mark good and bad time ranges, ' +
      'and leave them included in training; then build again.',
  );
}

/** Why an episode has nothing for this build's sources; null when it may give pairs. */
function nothingToBuild(episode: EpisodeSummary, from: PairBuildFrom, reward: ActionReward): string | null {
  // A reward that needs no ground truth (the world model alone) ranks samples in any attempt.
  const rewardPairs = reward.needs.groundTruth ? mayTakeGtaPairs(episode) : true;
  if ((from !== 'gta' && hasLabels(episode)) || (from !== 'labels' && rewardPairs)) return null;
  if (from === 'labels') return 'not labelled good or bad, and no good or bad time marks';
  if (from === 'gta') return 'neither labelled good (nor marked good) nor an unlabelled success';
  return 'not labelled good or bad (no good or bad marks), and not an unlabelled success';
}

function sourcesOf(from: PairBuildFrom, rewardSource: PairSource): PairSource[] {
  if (from === 'labels') return ['label'];
  if (from === 'gta') return [rewardSource];
  return ['label', rewardSource];
}

/**
 * Builds preference pairs from the catalog's attempts with `policy` sampling the counterparts, and stores
 * them (docs/refine.md, "Preference pairs"). Label pairs from chunks judged good or bad (chunkJudgement.ts),
 * reward pairs (K samples ranked by the reward against the executed chunk) from good chunks and unlabelled
 * successes; stored pairs the labels no longer support are discarded (and revived when they support them again). Excluded episodes never give pairs.
 * Throws a CoachError saying what to do when nothing could be built: no labelled attempts, the model's action
 * space differs from the episodes', frames are missing.
 */
export async function buildPairs(
  context: PairBuildContext,
  options: BuildPairsOptions = {},
): Promise<BuildPairsResult> {
  const from = options.from ?? 'all';
  const k = options.k ?? DEFAULT_PAIR_SAMPLES;
  if (!(Number.isInteger(k) && k >= 2 && k <= 64))
    throw new CoachError(
      'invalid_arguments',
      `K (samples per observation) must be a whole number from 2 to 64, got ${k}`,
    );
  const reward = options.reward ?? { reward: gtaReward, source: 'gta' as const };
  const perEpisode: EpisodePairsOptions = {
    sources: sourcesOf(from, reward.source),
    k,
    seed: options.seed ?? 0,
    reward,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const result: BuildPairsResult = {
    built: 0,
    duplicates: 0,
    replaced: 0,
    staleDiscarded: 0,
    revived: 0,
    bySource: { label: 0, gta: 0, wm: 0 },
    pairIds: [],
    episodesUsed: [],
    episodesSkipped: [],
  };
  const skip = (id: number, reason: string, code?: string) =>
    result.episodesSkipped.push({ id, reason, ...(code ? { code } : {}) });
  const episodes = context.catalog.all({ kind: 'attempt', ...(options.episodeIds ? { ids: options.episodeIds } : {}) });
  let candidates = 0;
  const visit = episodes.filter((episode) => {
    let reason: string | null = null;
    if (episode.excluded) reason = 'excluded from training';
    else if (episode.status === 'recording') reason = 'still recording';
    else {
      reason = nothingToBuild(episode, from, reward.reward);
      if (reason === null) candidates += 1;
      // Episodes with nothing to build are still visited when they hold pairs, which may have gone stale.
      else if (context.store.storedOf(episode.id).length > 0) reason = null;
    }
    if (reason) skip(episode.id, reason);
    return reason === null;
  });
  if (candidates === 0) throw noCandidatesError(from);

  for (const [done, episode] of visit.entries()) {
    options.signal?.throwIfAborted();
    try {
      const goal = reward.reward.needs.goal && from !== 'labels' ? await goalOf(episode, options) : undefined;
      const pairs = await episodePairs(context.root, context.store, context.policy, episode, {
        ...perEpisode,
        ...(goal !== undefined ? { goal } : {}),
      });
      if (goal === null && pairs.built.length + pairs.alreadyStored === 0)
        pairs.emptyReason = `no goal frame for the world model: no successful attempt of "${episode.task}" to take one from (record one, or choose a goal frame)`;
      const stored = context.store.insert(pairs.built);
      const marked = context.store.markStale(pairs.staleIds, pairs.reviveIds);
      result.staleDiscarded += marked.discarded;
      result.revived += marked.revived;
      result.duplicates += pairs.alreadyStored + stored.duplicates;
      result.replaced += stored.replaced.length;
      result.built += stored.inserted.length;
      result.pairIds.push(...stored.inserted, ...stored.replaced);
      stored.outcomes.forEach((outcome, i) => {
        if (outcome !== 'duplicate') result.bySource[pairs.built[i]!.source] += 1;
      });
      if (pairs.built.length || pairs.alreadyStored) result.episodesUsed.push(episode.id);
      else skip(episode.id, nothingToBuild(episode, from, reward.reward) ?? pairs.emptyReason);
    } catch (error) {
      if (!(error instanceof CoachError || error instanceof EpisodeFileError)) throw error;
      skip(episode.id, error.message, error instanceof CoachError ? error.code : 'episode_unreadable');
    }
    options.onProgress?.({ episodesDone: done + 1, episodesTotal: visit.length });
  }
  if (result.built + result.duplicates + result.replaced === 0) throw nothingBuiltError(result, context.policy);
  return result;
}

async function goalOf(episode: EpisodeSummary, options: BuildPairsOptions): Promise<GoalFrame | null> {
  if (!options.goals)
    throw new CoachError(
      'invalid_arguments',
      'the reward needs goal frames (a world model): pass the goal frames to build with (GoalFrames)',
    );
  return options.goals.forEpisode(episode);
}

/** buildPairs with the package at modelPath sampling (its sessions released after). */
export async function buildPairsWithModel(
  context: Omit<PairBuildContext, 'policy'>,
  modelPath: string,
  options: BuildPairsOptions = {},
): Promise<BuildPairsResult> {
  const policy = await loadPairPolicy(modelPath);
  try {
    return await buildPairs({ ...context, policy }, options);
  } finally {
    await policy.release();
  }
}

function nothingBuiltError(result: BuildPairsResult, policy: PairPolicy): CoachError {
  const reasons = result.episodesSkipped.map((s) => `episode ${s.id}: ${s.reason}`).join('; ');
  if (result.episodesSkipped.some((s) => s.code === 'pairs_action_space'))
    return new CoachError(
      'pairs_action_space',
      `no pairs built: the model ${policy.model.name} ${policy.model.version} cannot pair with these episodes ` +
        `(${reasons}). Build with a model of the same action space (--model DIR: the model that recorded them, ` +
        'or a version of it).',
    );
  const coded = result.episodesSkipped.find((s) => s.code);
  return new CoachError(coded?.code ?? 'pairs_none', `no pairs built: ${reasons}`);
}
