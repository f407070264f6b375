import {
  EPISODE_KINDS,
  EPISODE_OUTCOMES,
  labelFilterValueSchema,
  type EpisodeFilter,
} from '../../../../shared/episodes/episodeTypes';

export class EpisodeFlagError extends Error {}

/** parseArgs options shared by `coach episodes list` and `coach export`. */
export const FILTER_FLAG_OPTIONS = {
  task: { type: 'string' },
  outcome: { type: 'string' },
  label: { type: 'string' },
  model: { type: 'string' },
  kind: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  ids: { type: 'string' },
  'include-excluded': { type: 'boolean', default: false },
} as const;

export const FILTER_FLAGS_HELP = `Filters:
  --task TEXT            task contains TEXT (case-insensitive)
  --outcome A,B          ${EPISODE_OUTCOMES.join(', ')}
  --label A,B            good, bad, unsure, unlabeled
  --model VERSION        model version ("1.0.0"), name, or "name version"
  --kind attempt|manual
  --from DATE --to DATE  started on or after / before (YYYY-MM-DD or an ISO time; local time)
  --ids 3,4,9            these episodes
  --include-excluded     include "exclude from training" episodes (export leaves them out by default)`;

function list<T extends string>(flag: string, text: string, allowed: readonly T[]): T[] {
  const values = text
    .split(',')
    .map((value) => value.trim())
    .filter(Boolean);
  const bad = values.filter((value) => !allowed.includes(value as T));
  if (bad.length) throw new EpisodeFlagError(`--${flag}: unknown ${bad.join(', ')} (one of ${allowed.join(', ')})`);
  return values as T[];
}

function dateMs(flag: string, text: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(`${text}T00:00:00`).getTime() : Date.parse(text);
  if (!Number.isFinite(ms)) throw new EpisodeFlagError(`--${flag} must be a date like 2026-12-01, got "${text}"`);
  return ms;
}

export function filterFromFlags(values: Partial<Record<keyof typeof FILTER_FLAG_OPTIONS, string | boolean>>) {
  const filter: EpisodeFilter = {};
  if (typeof values.task === 'string') filter.task = values.task;
  if (typeof values.outcome === 'string') filter.outcomes = list('outcome', values.outcome, EPISODE_OUTCOMES);
  if (typeof values.label === 'string') filter.labels = list('label', values.label, labelFilterValueSchema.options);
  if (typeof values.model === 'string') filter.modelVersion = values.model;
  if (typeof values.kind === 'string') filter.kind = list('kind', values.kind, EPISODE_KINDS)[0];
  if (typeof values.from === 'string') filter.fromMs = dateMs('from', values.from);
  if (typeof values.to === 'string') filter.toMs = dateMs('to', values.to);
  if (typeof values.ids === 'string') filter.ids = parseIds('ids', values.ids);
  if (values['include-excluded'] === true) filter.includeExcluded = true;
  return filter;
}

export function parseIds(flag: string, text: string): number[] {
  const ids = text.split(',').map((value) => Number(value.trim()));
  if (ids.length === 0 || ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new EpisodeFlagError(`${flag} must be episode ids like 3 or 3,4,9, got "${text}"`);
  return ids;
}
