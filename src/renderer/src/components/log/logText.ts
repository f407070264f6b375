import type { EpisodeEvent } from '../../../../shared/episodes/episodeTypes';
import type { RunStatus } from '../../../../shared/policy/policyTypes';

/** How bad (or good) a log line is; the list colours it. */
export type LogTone = 'fault' | 'error' | 'warn' | 'info' | 'ok';
/** Where a log line came from (the list's filter chips would use it). */
export type LogSource = 'fault' | 'error' | 'run' | 'episode' | 'layout';

export interface LogEntry {
  id: number;
  atMs: number;
  tone: LogTone;
  source: LogSource;
  text: string;
}

/** Lines kept: the oldest goes first. */
export const MAX_LOG_ENTRIES = 200;

/** Adds a line at the top (newest first) and drops the oldest past `max`. */
export function prependEntry(entries: LogEntry[], entry: LogEntry, max = MAX_LOG_ENTRIES): LogEntry[] {
  return [entry, ...entries].slice(0, max);
}

const OUTCOME_TONE: Record<string, LogTone> = {
  success: 'ok',
  stopped: 'info',
  timeout: 'warn',
  max_strokes: 'warn',
  fault: 'fault',
  refused: 'error',
  error: 'error',
};

export function runStartedText(status: RunStatus): string {
  const model = status.model ? ` with ${status.model}` : '';
  return `Attempt #${status.runId} started: “${status.instruction ?? ''}”${model}`;
}

export function runEnded(status: RunStatus): { tone: LogTone; text: string } {
  const outcome = status.outcome ? status.outcome.replace('_', ' ') : 'ended';
  const reason = status.reason ? ` (${status.reason})` : '';
  return {
    tone: status.outcome ? (OUTCOME_TONE[status.outcome] ?? 'info') : 'info',
    text: `Attempt #${status.runId} ended: ${outcome}${reason} · ${status.strokes} strokes · ${status.elapsedS.toFixed(1)} s`,
  };
}

/** "Episode #3", "Episodes #3, #4", "12 episodes". */
function idList(ids: number[]): string {
  if (ids.length > 5) return `${ids.length} episodes`;
  return `${ids.length === 1 ? 'Episode' : 'Episodes'} ${ids.map((id) => `#${id}`).join(', ')}`;
}

/** The line for an episode event the operator cares about; null for the ones that are noise ('recording'). */
export function episodeEventText(event: EpisodeEvent): { tone: LogTone; text: string } | null {
  const episode = event.episode;
  switch (event.kind) {
    case 'recorded':
      return episode
        ? { tone: 'info', text: `Episode #${episode.id} recorded (${episode.outcome ?? 'no outcome'})` }
        : { tone: 'info', text: `${idList(event.ids)} recorded` };
    case 'updated':
      if (episode?.label) return { tone: 'info', text: `Episode #${episode.id} labelled ${episode.label}` };
      return { tone: 'info', text: `${idList(event.ids)} updated` };
    case 'deleted':
      return { tone: 'warn', text: `${idList(event.ids)} deleted` };
    case 'restored':
      return { tone: 'info', text: `${idList(event.ids)} restored` };
    case 'recovered':
      return { tone: 'warn', text: `${idList(event.ids)} recovered after an interrupted recording` };
    default:
      return null;
  }
}
