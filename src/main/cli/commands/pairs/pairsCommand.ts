import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  PAIR_SOURCES,
  PAIR_STATUSES,
  type PairFilter,
  type PairSource,
  type PairStatus,
  type PreferencePair,
} from '../../../../shared/refine/pairTypes';
import { defaultDataDir } from '../../../appPaths';
import { PairStore, type PairStatusAction } from '../../../refine/pairs/pairStore';
import { EpisodeFlagError, parseIds } from '../episodes/episodeFilterFlags';
import { openEpisodeStore } from '../episodes/openEpisodeStore';
import { pairsBuild } from './pairsBuildCommand';

export const PAIRS_USAGE = `Usage: coach pairs build [--from labels|gta|all] [--model DIR] [--k 5] [--seed N] [--ids 3,4] [--json] [--data DIR]
                         [--reward gta|wm|wm+gta] [--world-model DIR] [--gta-weight 0.1] [--goal EPISODE[:FRAME]]
       coach pairs list [--source label,gta,wm] [--status active,flipped,discarded] [--task TEXT] [--episode 3,4]
                        [--eligible] [--limit N] [--json] [--data DIR]
       coach pairs flip|discard|restore ID[,ID…] [ID…] [--data DIR]

  build    preference pairs from the recorded attempts (docs/refine.md): operator labels (good/bad attempts and
           time marks) and the action reward (GTA: K samples, best vs worst); the model (default: the one the
           console loads) samples the counterparts, seeded (--seed, default 0) so a build repeats; pairs already
           stored are skipped; excluded episodes never give pairs. --reward ranks the samples: gta (default), wm
           (the world model's energy against a goal frame, docs/world-model.md; needs no ground truth, so every
           attempt gives pairs) or wm+gta (energy + 0.1 · GTA); --goal picks the goal frame (default: the
           attempt's own goal frame when it succeeded, else the latest success's of the same task; an episode's
           goal frame is where it let go of the object, else its last)
  list     stored pairs, newest first, with the summary "Refine policy" shows (eligible by source and task)
  flip     train with chosen and rejected swapped (flip again to undo)
  discard  never train on these pairs
  restore  back to as built (active)
`;

function list<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  const bad = values.filter((value) => !allowed.includes(value as T));
  if (bad.length) throw new EpisodeFlagError(`--${flag}: unknown ${bad.join(', ')} (one of ${allowed.join(', ')})`);
  return values as T[];
}

function parsePairIds(texts: string[]): number[] {
  const ids = texts.flatMap((text) => text.split(',')).map((value) => Number(value.trim()));
  if (ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new EpisodeFlagError(`pair ids are whole numbers like 12 or 12,13, got "${texts.join(' ')}"`);
  return ids;
}

const pad = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

function formatRow(pair: PreferencePair): string {
  return [
    String(pair.id).padStart(5),
    String(pair.episodeId).padStart(7),
    String(pair.stepIndex).padStart(5),
    pad(pair.source, 6),
    pad(pair.status, 9),
    pad(pair.task, 30),
    pad(`${pair.scores.reward} ${pair.scores.chosen.toFixed(4)} / ${pair.scores.rejected.toFixed(4)}`, 26),
    `${pair.modelName} ${pair.modelVersion}`,
    ...(pair.scores.parts ? [formatParts(pair.scores.parts)] : []),
    ...(pair.goal ? [`goal ep ${pair.goal.episodeId} frame ${pair.goal.frameIndex}`] : []),
  ].join('  ');
}

/** A combined reward's components, chosen / rejected each: "wm 0.0123/0.0456 gta 0.0021/0.0101". */
function formatParts(parts: NonNullable<PreferencePair['scores']['parts']>): string {
  return Object.entries(parts)
    .map(([name, part]) => `${name} ${part.chosen.toFixed(4)}/${part.rejected.toFixed(4)}`)
    .join(' ');
}

async function pairsList(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      source: { type: 'string' },
      status: { type: 'string' },
      task: { type: 'string' },
      episode: { type: 'string' },
      eligible: { type: 'boolean', default: false },
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new EpisodeFlagError(`--limit must be a whole number from 1 to 100000, got "${values.limit}"`);
  const filter: PairFilter = { limit };
  if (values.source) filter.sources = list<PairSource>('source', values.source, PAIR_SOURCES);
  if (values.status) filter.statuses = list<PairStatus>('status', values.status, PAIR_STATUSES);
  if (values.task) filter.task = values.task;
  if (values.episode) filter.episodeIds = parseIds('--episode', values.episode);
  if (values.eligible) filter.eligibleOnly = true;
  const { root, catalog } = openEpisodeStore(path.resolve(values.data ?? defaultDataDir()));
  try {
    const store = new PairStore(catalog);
    const { pairs, total } = store.list(filter);
    const summary = store.summary({ ...filter, limit: undefined });
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, total, summary, pairs }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `${'id'.padStart(5)}  episode   step  ${pad('source', 6)}  ${pad('status', 9)}  ${pad('task', 30)}  ` +
        `${pad('reward chosen / rejected', 26)}  model\n`,
    );
    for (const pair of pairs) process.stdout.write(`${formatRow(pair)}\n`);
    const counts = (record: Record<string, number>) =>
      Object.entries(record)
        .map(([key, n]) => `${key} ${n}`)
        .join(', ') || 'none';
    process.stdout.write(
      `${pairs.length} of ${total} pair(s) in ${root}\n  eligible for training: ${summary.eligible} (${counts(summary.bySource)})\n` +
        `  by status: ${counts(summary.byStatus)}\n` +
        summary.byTask.map((row) => `  ${row.task}: ${row.count}\n`).join(''),
    );
    return 0;
  } finally {
    catalog.close();
  }
}

function pairsStatus(action: PairStatusAction) {
  return async (argv: string[]): Promise<number> => {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { data: { type: 'string' } },
    });
    if (positionals.length === 0) throw new EpisodeFlagError(`give the pair id(s), e.g. coach pairs ${action} 12 13`);
    const ids = parsePairIds(positionals);
    const { catalog } = openEpisodeStore(path.resolve(values.data ?? defaultDataDir()));
    try {
      for (const pair of new PairStore(catalog).setStatus(ids, action))
        process.stdout.write(`pair ${pair.id}: ${pair.status}\n`);
      return 0;
    } finally {
      catalog.close();
    }
  };
}

const SUBCOMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  build: pairsBuild,
  list: pairsList,
  flip: pairsStatus('flip'),
  discard: pairsStatus('discard'),
  restore: pairsStatus('restore'),
};

/** `coach pairs …` */
export async function runPairsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(PAIRS_USAGE);
    return sub ? 0 : 2;
  }
  const run = SUBCOMMANDS[sub];
  if (!run) {
    process.stderr.write(`coach pairs: unknown subcommand "${sub}"\n\n${PAIRS_USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (error) {
    const usage = error instanceof EpisodeFlagError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`coach pairs ${sub}: ${(error as Error).message}\n${usage ? `\n${PAIRS_USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}
