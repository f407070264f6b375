import path from 'node:path';
import { parseArgs } from 'node:util';
import { EPISODE_LABELS, type EpisodeLabel, type EpisodeSummary } from '../../../../shared/episodes/episodeTypes';
import { defaultDataDir } from '../../../appPaths';
import {
  EpisodeFlagError,
  FILTER_FLAGS_HELP,
  FILTER_FLAG_OPTIONS,
  filterFromFlags,
  parseIds,
} from './episodeFilterFlags';
import { openEpisodeStore } from './openEpisodeStore';

export const EPISODES_USAGE = `Usage: coach episodes list [filters] [--limit N] [--json] [--data DIR]
       coach episodes label ID[,ID…] good|bad|unsure|none [--note TEXT] [--data DIR]

  list    recorded episodes, newest first, with counts by outcome and label
  label   label episodes (none clears the label); --note sets their note

${FILTER_FLAGS_HELP}
`;

const pad = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);

function formatRow(episode: EpisodeSummary): string {
  const started = new Date(episode.startedAtMs).toISOString().replace('T', ' ').slice(0, 19);
  return [
    String(episode.id).padStart(5),
    started,
    pad(episode.task, 34),
    pad(episode.outcome ?? episode.status, 12),
    pad(episode.label ?? '–', 7),
    String(episode.strokes).padStart(7),
    `${episode.durationS.toFixed(1)} s`.padStart(8),
    pad(episode.modelVersion ? `${episode.modelName} ${episode.modelVersion}` : '–', 20),
    episode.excluded ? 'excluded' : '',
  ].join('  ');
}

async function list(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...FILTER_FLAG_OPTIONS,
      limit: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      data: { type: 'string' },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    throw new EpisodeFlagError(`--limit must be a whole number from 1 to 1000, got "${values.limit}"`);
  const filter = filterFromFlags(values);
  const { root, catalog } = openEpisodeStore(path.resolve(values.data ?? defaultDataDir()));
  try {
    const { episodes, total } = catalog.list(filter, limit, 0);
    const counts = catalog.counts(filter);
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ root, total, counts, episodes }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `${'id'.padStart(5)}  ${'started (UTC)'.padEnd(19)}  ${pad('task', 34)}  ${pad('outcome', 12)}  ${pad('label', 7)}  strokes  duration  model\n`,
    );
    for (const episode of episodes) process.stdout.write(`${formatRow(episode)}\n`);
    const outcomes = Object.entries(counts.byOutcome)
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ');
    const labels = Object.entries(counts.byLabel)
      .map(([label, n]) => `${label} ${n}`)
      .join(', ');
    process.stdout.write(
      `${episodes.length} of ${total} episode(s) in ${root}\n  outcomes: ${outcomes || 'none'}\n  labels: ${labels}\n` +
        (counts.excluded ? `  excluded from training: ${counts.excluded}\n` : ''),
    );
    return 0;
  } finally {
    catalog.close();
  }
}

async function label(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { note: { type: 'string' }, data: { type: 'string' } },
  });
  if (positionals.length !== 2)
    throw new EpisodeFlagError('give the episode id(s) and a label, e.g. coach episodes label 12 good');
  const ids = parseIds('the episode id', positionals[0]!);
  const text = positionals[1]!;
  if (text !== 'none' && !EPISODE_LABELS.includes(text as EpisodeLabel))
    throw new EpisodeFlagError(`the label must be good, bad, unsure or none, got "${text}"`);
  const { catalog } = openEpisodeStore(path.resolve(values.data ?? defaultDataDir()));
  try {
    const episodes = catalog.label(ids, text === 'none' ? null : (text as EpisodeLabel));
    if (values.note !== undefined) for (const id of ids) catalog.setNote(id, values.note);
    for (const episode of episodes)
      process.stdout.write(
        `episode ${episode.id}: ${episode.label ?? 'unlabeled'}${values.note !== undefined ? ` — note "${values.note}"` : ''}\n`,
      );
    return 0;
  } finally {
    catalog.close();
  }
}

/** `coach episodes …` */
export async function runEpisodesCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (!sub || sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(EPISODES_USAGE);
    return sub ? 0 : 2;
  }
  const run = sub === 'list' ? list : sub === 'label' ? label : null;
  if (!run) {
    process.stderr.write(`coach episodes: unknown subcommand "${sub}"\n\n${EPISODES_USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (error) {
    const usage = error instanceof EpisodeFlagError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`coach episodes ${sub}: ${(error as Error).message}\n${usage ? `\n${EPISODES_USAGE}` : ''}`);
    return usage ? 2 : 1;
  }
}
