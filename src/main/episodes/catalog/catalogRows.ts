import type {
  EpisodeKind,
  EpisodeLabel,
  EpisodeOutcome,
  EpisodeStatus,
  EpisodeSummary,
  TimeMark,
} from '../../../shared/episodes/episodeTypes';

/** An episodes row as SQLite returns it. */
export interface EpisodeRow {
  id: number;
  kind: EpisodeKind;
  instruction: string;
  task: string;
  started_at_ms: number;
  duration_s: number;
  status: EpisodeStatus;
  outcome: EpisodeOutcome | null;
  reason: string | null;
  strokes: number;
  steps: number;
  frames: number;
  cameras: string;
  model_name: string | null;
  model_version: string | null;
  link: string | null;
  seed: number | null;
  label: EpisodeLabel | null;
  note: string;
  excluded: number;
  deleted_at_ms: number | null;
}

export interface MarkRow {
  id: number;
  episode_id: number;
  start_s: number;
  end_s: number;
  label: EpisodeLabel;
  note: string;
}

export const markFromRow = (row: MarkRow): TimeMark => ({
  id: row.id,
  startS: row.start_s,
  endS: row.end_s,
  label: row.label,
  note: row.note,
});

export function summaryFromRow(row: EpisodeRow, marks: TimeMark[]): EpisodeSummary {
  return {
    id: row.id,
    kind: row.kind,
    instruction: row.instruction,
    task: row.task,
    startedAtMs: row.started_at_ms,
    durationS: row.duration_s,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    strokes: row.strokes,
    steps: row.steps,
    cameras: JSON.parse(row.cameras) as string[],
    frames: row.frames,
    modelName: row.model_name,
    modelVersion: row.model_version,
    link: row.link,
    seed: row.seed,
    label: row.label,
    note: row.note,
    excluded: row.excluded !== 0,
    marks,
  };
}

/** The task an instruction belongs to: trimmed, single-spaced, lower case. */
export const taskOf = (instruction: string) => instruction.trim().replace(/\s+/g, ' ').toLowerCase();
