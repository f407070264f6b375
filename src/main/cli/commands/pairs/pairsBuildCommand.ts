import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDataDir, findAppPackage } from '../../../appPaths';
import { defaultModelPath } from '../../../policy/defaultModel';
import {
  buildPairs,
  DEFAULT_PAIR_SAMPLES,
  type BuildPairsResult,
  type PairBuildFrom,
} from '../../../refine/pairs/buildPairs';
import { loadPairPolicy } from '../../../refine/pairs/pairPolicy';
import { PairStore } from '../../../refine/pairs/pairStore';
import { SettingsStore } from '../../../settings/settingsStore';
import { openPairReward, PAIR_REWARDS, type PairRewardName } from '../../../worldModel/pairRewardChoice';
import type { GoalChoice } from '../../../worldModel/goalFrames';
import { EpisodeFlagError, parseIds } from '../episodes/episodeFilterFlags';
import { openEpisodeStore } from '../episodes/openEpisodeStore';

const FROM_VALUES: readonly PairBuildFrom[] = ['labels', 'gta', 'all'];

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max)
    throw new EpisodeFlagError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

function formatResult(result: BuildPairsResult, eligible: string): string {
  const sources = Object.entries(result.bySource)
    .filter(([, n]) => n > 0)
    .map(([source, n]) => `${source} ${n}`)
    .join(', ');
  const lines = [
    `built ${result.built} pair(s)${sources ? ` (${sources})` : ''}; ${result.duplicates} already stored (skipped)` +
      (result.replaced ? `; ${result.replaced} rewritten after a relabel` : '') +
      (result.staleDiscarded ? `; ${result.staleDiscarded} discarded (the labels no longer support them)` : '') +
      (result.revived ? `; ${result.revived} active again (the labels support them again)` : ''),
    `episodes used: ${result.episodesUsed.length}${result.episodesUsed.length ? ` (${result.episodesUsed.join(', ')})` : ''}; ` +
      `skipped: ${result.episodesSkipped.length}`,
    ...result.episodesSkipped.map((skip) => `  episode ${skip.id}: ${skip.reason}`),
    eligible,
  ];
  return `${lines.join('\n')}\n`;
}

/** --goal EPISODE or EPISODE:FRAME */
function parseGoal(text: string): GoalChoice {
  const match = /^(\d+)(?::(\d+))?$/.exec(text.trim());
  if (!match || Number(match[1]) < 1)
    throw new EpisodeFlagError(
      `--goal is an episode id, or EPISODE:FRAME (a frame of its policy camera), got "${text}"`,
    );
  return { episodeId: Number(match[1]), ...(match[2] !== undefined ? { frameIndex: Number(match[2]) } : {}) };
}

/** `coach pairs build` */
export async function pairsBuild(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      from: { type: 'string', default: 'all' },
      model: { type: 'string' },
      k: { type: 'string', default: String(DEFAULT_PAIR_SAMPLES) },
      seed: { type: 'string', default: '0' },
      ids: { type: 'string' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
      reward: { type: 'string', default: 'gta' },
      'world-model': { type: 'string' },
      'gta-weight': { type: 'string' },
      goal: { type: 'string' },
    },
  });
  if (!PAIR_REWARDS.includes(values.reward as PairRewardName))
    throw new EpisodeFlagError(`--reward must be one of ${PAIR_REWARDS.join(', ')}, got "${values.reward}"`);
  const gtaWeight = values['gta-weight'] === undefined ? undefined : Number(values['gta-weight']);
  if (gtaWeight !== undefined && !(Number.isFinite(gtaWeight) && gtaWeight >= 0))
    throw new EpisodeFlagError(`--gta-weight must be a number ≥ 0, got "${values['gta-weight']}"`);
  const goal = values.goal === undefined ? undefined : parseGoal(values.goal);
  if (!FROM_VALUES.includes(values.from as PairBuildFrom))
    throw new EpisodeFlagError(`--from must be one of ${FROM_VALUES.join(', ')}, got "${values.from}"`);
  const k = wholeNumber('k', values.k, 2, 64);
  const seed = wholeNumber('seed', values.seed, 0, 2 ** 31 - 1);
  const episodeIds = values.ids ? parseIds('--ids', values.ids) : undefined;
  const dataDir = path.resolve(values.data ?? defaultDataDir());
  const modelPath = path.resolve(
    values.model ??
      new SettingsStore(dataDir).get().policy.modelPath ??
      defaultModelPath(findAppPackage(__dirname).root),
  );
  const { root, catalog } = openEpisodeStore(dataDir);
  const policy = await loadPairPolicy(modelPath).catch((error: Error) => {
    catalog.close();
    throw error;
  });
  const reward = await openPairReward(
    {
      reward: values.reward as PairRewardName,
      ...(values['world-model'] ? { worldModelPath: values['world-model'] } : {}),
      ...(gtaWeight !== undefined ? { gtaWeight } : {}),
      ...(goal ? { goal } : {}),
    },
    { root, catalog },
    findAppPackage(__dirname).root,
  ).catch(async (error: Error) => {
    await policy.release();
    catalog.close();
    throw error;
  });
  const abort = new AbortController();
  const cancel = () => abort.abort(new Error('cancelled (Ctrl+C); the pairs built so far are kept'));
  process.once('SIGINT', cancel);
  try {
    const store = new PairStore(catalog);
    if (!values.json)
      process.stdout.write(
        `model ${policy.model.name} ${policy.model.version} (${policy.action.space}), K = ${k}, seed ${seed}, from ${values.from}, ` +
          `reward ${reward.reward.reward.name}` +
          (reward.worldModel
            ? ` (world model ${reward.worldModel.name} ${reward.worldModel.version} on ${reward.worldModel.provider})`
            : '') +
          '\n',
      );
    const result = await buildPairs(
      { catalog, store, root, policy },
      {
        from: values.from as PairBuildFrom,
        k,
        seed,
        signal: abort.signal,
        reward: reward.reward,
        ...(reward.goals ? { goals: reward.goals } : {}),
        ...(episodeIds ? { episodeIds } : {}),
      },
    );
    const summary = store.summary();
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, model: policy.model, ...result, summary }, null, 2)}\n`);
      return 0;
    }
    const bySource = Object.entries(summary.bySource)
      .map(([source, n]) => `${source} ${n}`)
      .join(', ');
    process.stdout.write(
      formatResult(result, `eligible pairs now: ${summary.eligible}${bySource ? ` (${bySource})` : ''}`),
    );
    return 0;
  } finally {
    process.removeListener('SIGINT', cancel);
    await reward.release();
    await policy.release();
    catalog.close();
  }
}
