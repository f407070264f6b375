import type Database from 'libsql';
import { CoachError } from '../../../shared/contract/errors';
import type { PairFilter, PairSource, PairStatus, PairSummary, PreferencePair } from '../../../shared/refine/pairTypes';
import type { EpisodeCatalog } from '../../episodes/catalog/episodeCatalog';
import { ELIGIBLE, pairFilterSql, pairFromRow, type PairRow } from './pairRows';

/**
 * A pair as a builder makes it: the store gives it its id, status (active) and creation time. scores.parts
 * and goal are stored when given (absent or null: none, and they read back absent).
 */
export type NewPair = Omit<PreferencePair, 'id' | 'status' | 'createdAtMs'>;

export interface InsertPairsResult {
  /** Ids of the pairs stored. */
  inserted: number[];
  /** Pairs already stored under the same key: skipped. */
  duplicates: number;
  /** Label pairs whose episode was relabelled since (the executed chunk changed sides): rewritten, active again. */
  replaced: number[];
  /** Per pair given, in order: what became of it. */
  outcomes: ('inserted' | 'duplicate' | 'replaced')[];
}

export type PairStatusAction = 'flip' | 'discard' | 'restore';

export interface StoredPairKey {
  id: number;
  key: string;
  stepIndex: number;
  source: PairSource;
  executedSide: 'chosen' | 'rejected' | null;
  status: PairStatus;
  /** Discarded by a build because the labels stopped supporting it (not by the operator). */
  stale: boolean;
}

/**
 * A pair is built once per observation, source and model: the same episode, step, source and model
 * (name and version) give the same key, so building again skips what is there.
 */
export function pairDedupKey(pair: Pick<NewPair, 'episodeId' | 'stepIndex' | 'source' | 'modelName' | 'modelVersion'>) {
  return JSON.stringify([pair.episodeId, pair.stepIndex, pair.source, pair.modelName, pair.modelVersion]);
}

const COLUMNS = `episode_id, step_index, camera, frame_index, robot_state, instruction, task, model_name, model_version,
  action_space, action_names, chosen, rejected, executed_side, source, reward, chosen_score, rejected_score,
  score_parts, goal_episode_id, goal_camera, goal_frame_index, status, created_at_ms, dedup_key`;

/** score_parts, goal_episode_id, goal_camera, goal_frame_index (migration 6): NULL for a single reward, no goal. */
function partsAndGoal(pair: Pick<NewPair, 'scores' | 'goal'>): unknown[] {
  const { parts } = pair.scores;
  const goal = pair.goal ?? null;
  return [
    parts ? JSON.stringify(parts) : null,
    goal?.episodeId ?? null,
    goal?.camera ?? null,
    goal?.frameIndex ?? null,
  ];
}

function rowValues(pair: NewPair, createdAtMs: number): unknown[] {
  return [
    pair.episodeId,
    pair.stepIndex,
    pair.camera,
    pair.frameIndex,
    JSON.stringify(pair.robotState),
    pair.instruction,
    pair.task,
    pair.modelName,
    pair.modelVersion,
    pair.actionSpace,
    JSON.stringify(pair.actionNames),
    JSON.stringify(pair.chosen),
    JSON.stringify(pair.rejected),
    pair.executedSide ?? null,
    pair.source,
    pair.scores.reward,
    pair.scores.chosen,
    pair.scores.rejected,
    ...partsAndGoal(pair),
    'active',
    createdAtMs,
    pairDedupKey(pair),
  ];
}

/**
 * Preference pairs in the episode catalog's SQLite file (table `pairs`, migrations 5 and 6), on the catalog's
 * own connection. Pairs of a deleted episode are hidden with it and go when its row is forgotten
 * (ON DELETE CASCADE; the catalog turns foreign keys on).
 */
export class PairStore {
  private readonly db: Database.Database;

  constructor(catalog: EpisodeCatalog) {
    this.db = catalog.database;
  }

  insert(pairs: readonly NewPair[], nowMs = Date.now()): InsertPairsResult {
    const insert = this.db.prepare(
      `INSERT INTO pairs (${COLUMNS}) VALUES (${COLUMNS.split(',')
        .map(() => '?')
        .join(', ')})
       ON CONFLICT (dedup_key) DO NOTHING`,
    );
    const existing = this.db.prepare('SELECT id, executed_side FROM pairs WHERE dedup_key = ?');
    const rewrite = this.db.prepare(
      `UPDATE pairs SET chosen = ?, rejected = ?, executed_side = ?, reward = ?, chosen_score = ?, rejected_score = ?,
       score_parts = ?, goal_episode_id = ?, goal_camera = ?, goal_frame_index = ?,
       status = 'active', stale = 0, created_at_ms = ? WHERE id = ?`,
    );
    const result: InsertPairsResult = { inserted: [], duplicates: 0, replaced: [], outcomes: [] };
    this.db.transaction(() => {
      for (const pair of pairs) {
        const outcome = insert.run(...rowValues(pair, nowMs));
        if (outcome.changes > 0) {
          result.inserted.push(Number(outcome.lastInsertRowid));
          result.outcomes.push('inserted');
          continue;
        }
        const row = existing.get(pairDedupKey(pair)) as { id: number; executed_side: string | null };
        if (pair.executedSide && row.executed_side && pair.executedSide !== row.executed_side) {
          const { chosen, rejected, scores } = pair;
          rewrite.run(
            JSON.stringify(chosen),
            JSON.stringify(rejected),
            pair.executedSide,
            scores.reward,
            scores.chosen,
            scores.rejected,
            ...partsAndGoal(pair),
            nowMs,
            row.id,
          );
          result.replaced.push(row.id);
          result.outcomes.push('replaced');
        } else {
          result.duplicates += 1;
          result.outcomes.push('duplicate');
        }
      }
    })();
    return result;
  }

  /** An episode's stored pairs in brief: a builder skips what is there and discards what went stale. */
  storedOf(episodeId: number): StoredPairKey[] {
    const rows = this.db
      .prepare('SELECT id, dedup_key, step_index, source, executed_side, status, stale FROM pairs WHERE episode_id = ?')
      .all(episodeId) as {
      id: number;
      dedup_key: string;
      step_index: number;
      source: PairSource;
      executed_side: 'chosen' | 'rejected' | null;
      status: PairStatus;
      stale: number;
    }[];
    return rows.map((row) => ({
      id: row.id,
      key: row.dedup_key,
      stepIndex: row.step_index,
      source: row.source,
      executedSide: row.executed_side,
      status: row.status,
      stale: row.stale === 1,
    }));
  }

  /**
   * A build's verdict on stored pairs: `stale` ones (the labels no longer support them) are discarded and marked
   * stale; `revive` ones (stale before, supported again) become active. Operator decisions are left alone: only
   * pairs the build discarded itself are revived. Returns how many changed each way.
   */
  markStale(stale: readonly number[], revive: readonly number[]): { discarded: number; revived: number } {
    const discard = this.db.prepare(
      "UPDATE pairs SET status = 'discarded', stale = 1 WHERE id = ? AND status != 'discarded'",
    );
    const restore = this.db.prepare("UPDATE pairs SET status = 'active', stale = 0 WHERE id = ? AND stale = 1");
    const changed = { discarded: 0, revived: 0 };
    this.db.transaction(() => {
      for (const id of stale) changed.discarded += discard.run(id).changes;
      for (const id of revive) changed.revived += restore.run(id).changes;
    })();
    return changed;
  }

  /** Pairs matching the filter, newest first, and how many match in all. */
  list(filter: PairFilter = {}): { pairs: PreferencePair[]; total: number } {
    const { from, params } = pairFilterSql(filter);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM ${from}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT p.* FROM ${from} ORDER BY p.id DESC LIMIT ? OFFSET ?`)
      .all(...params, filter.limit ?? -1, filter.offset ?? 0) as PairRow[];
    return { pairs: rows.map(pairFromRow), total };
  }

  get(id: number): PreferencePair {
    const row = this.db
      .prepare(
        'SELECT p.* FROM pairs p JOIN episodes e ON e.id = p.episode_id WHERE p.id = ? AND e.deleted_at_ms IS NULL',
      )
      .get(id) as PairRow | undefined;
    if (!row) throw new CoachError('not_found', `pair ${id} does not exist (or its episode was deleted)`);
    return pairFromRow(row);
  }

  /**
   * flip: chosen and rejected swap for training (again: back); discard: never used; restore: as built.
   * A discarded pair is restored before it can be flipped.
   */
  setStatus(ids: readonly number[], action: PairStatusAction): PreferencePair[] {
    const pairs = ids.map((id) => this.lookup(id));
    const missing = ids.filter((_, i) => !pairs[i]);
    if (missing.length)
      throw new CoachError('not_found', `no pair ${missing.join(', ')} (it does not exist or its episode was deleted)`);
    if (action === 'flip') {
      const discarded = pairs.filter((pair) => pair!.status === 'discarded').map((pair) => pair!.id);
      if (discarded.length)
        throw new CoachError(
          'pair_discarded',
          `pair ${discarded.join(', ')} is discarded; restore it first (coach pairs restore ${discarded.join(' ')})`,
        );
    }
    const update = this.db.prepare('UPDATE pairs SET status = ?, stale = 0 WHERE id = ?');
    this.db.transaction(() => {
      for (const pair of pairs) {
        const status =
          action === 'discard'
            ? 'discarded'
            : action === 'restore'
              ? 'active'
              : pair!.status === 'flipped'
                ? 'active'
                : 'flipped';
        update.run(status, pair!.id);
      }
    })();
    return ids.map((id) => this.get(id));
  }

  /**
   * Counts for the "Refine policy" summary: total and byStatus over every pair the filter selects;
   * eligible, bySource and byTask over those training would use.
   */
  summary(filter: PairFilter = {}): PairSummary {
    const { from, params } = pairFilterSql({ ...filter, eligibleOnly: false, limit: undefined, offset: undefined });
    const count = (where: string) =>
      (this.db.prepare(`SELECT count(*) AS n FROM ${from} AND ${where}`).get(...params) as { n: number }).n;
    const grouped = (column: string, where: string) =>
      this.db
        .prepare(
          `SELECT ${column} AS key, count(*) AS n FROM ${from} AND ${where} GROUP BY ${column} ORDER BY n DESC, key`,
        )
        .all(...params) as { key: string; n: number }[];
    const record = (rows: { key: string; n: number }[]) => Object.fromEntries(rows.map((row) => [row.key, row.n]));
    return {
      total: count('1'),
      eligible: count(ELIGIBLE),
      bySource: record(grouped('p.source', ELIGIBLE)),
      byStatus: record(grouped('p.status', '1')),
      byTask: grouped('p.task', ELIGIBLE).map((row) => ({ task: row.key, count: row.n })),
    };
  }

  /** The pairs training uses, oldest first (a stable order for datasets). */
  eligiblePairs(filter: PairFilter = {}): PreferencePair[] {
    const { from, params } = pairFilterSql({ ...filter, eligibleOnly: true });
    const rows = this.db.prepare(`SELECT p.* FROM ${from} ORDER BY p.id ASC`).all(...params) as PairRow[];
    return rows.map(pairFromRow);
  }

  private lookup(id: number): PreferencePair | null {
    try {
      return this.get(id);
    } catch {
      return null;
    }
  }
}
