import type {
  PairFilter,
  PairGoal,
  PairScores,
  PairSource,
  PairStatus,
  PreferencePair,
} from '../../../shared/refine/pairTypes';

/** A pairs row as SQLite returns it (JSON columns as text). */
export interface PairRow {
  id: number;
  episode_id: number;
  step_index: number;
  camera: string;
  frame_index: number;
  robot_state: string;
  instruction: string;
  task: string;
  model_name: string;
  model_version: string;
  action_space: string;
  action_names: string;
  chosen: string;
  rejected: string;
  executed_side: 'chosen' | 'rejected' | null;
  source: PairSource;
  reward: string;
  chosen_score: number;
  rejected_score: number;
  /** JSON {name: {chosen, rejected}}; NULL for a single reward (migration 6). */
  score_parts: string | null;
  /** The goal frame a world-model energy measured against; NULL without one (migration 6). */
  goal_episode_id: number | null;
  goal_camera: string | null;
  goal_frame_index: number | null;
  status: PairStatus;
  created_at_ms: number;
  dedup_key: string;
}

/** Absent (not null) when the row has none, so pairs stored without them read back as they were given. */
function partsAndGoalOf(row: PairRow): { parts?: PairScores['parts']; goal?: PairGoal } {
  const out: { parts?: PairScores['parts']; goal?: PairGoal } = {};
  if (row.score_parts !== null) out.parts = JSON.parse(row.score_parts) as PairScores['parts'];
  if (row.goal_episode_id !== null && row.goal_camera !== null && row.goal_frame_index !== null)
    out.goal = { episodeId: row.goal_episode_id, camera: row.goal_camera, frameIndex: row.goal_frame_index };
  return out;
}

export function pairFromRow(row: PairRow): PreferencePair {
  const { parts, goal } = partsAndGoalOf(row);
  return {
    id: row.id,
    episodeId: row.episode_id,
    stepIndex: row.step_index,
    camera: row.camera,
    frameIndex: row.frame_index,
    robotState: JSON.parse(row.robot_state) as number[],
    instruction: row.instruction,
    task: row.task,
    modelName: row.model_name,
    modelVersion: row.model_version,
    actionSpace: row.action_space,
    actionNames: JSON.parse(row.action_names) as string[],
    chosen: JSON.parse(row.chosen) as number[][],
    rejected: JSON.parse(row.rejected) as number[][],
    source: row.source,
    executedSide: row.executed_side,
    scores: {
      reward: row.reward,
      chosen: row.chosen_score,
      rejected: row.rejected_score,
      ...(parts ? { parts } : {}),
    },
    ...(goal ? { goal } : {}),
    status: row.status,
    createdAtMs: row.created_at_ms,
  };
}

/** Pairs of deleted episodes are hidden, as their episodes are, until the rows go with them. */
const VISIBLE = 'e.deleted_at_ms IS NULL';
/** What training uses: not discarded, its episode not excluded from training (nor deleted). */
export const ELIGIBLE = `p.status != 'discarded' AND e.excluded = 0`;

/** FROM … WHERE for a filter over `pairs p JOIN episodes e`. */
export function pairFilterSql(filter: PairFilter): { from: string; params: unknown[] } {
  const clauses = [VISIBLE];
  const params: unknown[] = [];
  const inList = (column: string, values: readonly unknown[]) => {
    clauses.push(values.length ? `${column} IN (${values.map(() => '?').join(', ')})` : '0');
    params.push(...values);
  };
  if (filter.sources) inList('p.source', filter.sources);
  if (filter.statuses) inList('p.status', filter.statuses);
  if (filter.episodeIds) inList('p.episode_id', filter.episodeIds);
  if (filter.task?.trim()) {
    clauses.push(`p.task LIKE ? ESCAPE '\\'`);
    params.push(
      `%${filter.task
        .trim()
        .toLowerCase()
        .replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
    );
  }
  if (filter.modelName) {
    clauses.push('p.model_name = ?');
    params.push(filter.modelName);
  }
  if (filter.eligibleOnly) clauses.push(ELIGIBLE);
  return { from: `pairs p JOIN episodes e ON e.id = p.episode_id WHERE ${clauses.join(' AND ')}`, params };
}
