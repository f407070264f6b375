import Database from 'libsql';
import { CoachError } from '../../../shared/contract/errors';
import type {
  EpisodeCounts,
  EpisodeFilter,
  EpisodeKind,
  EpisodeLabel,
  EpisodeOutcome,
  EpisodeStatus,
  EpisodeSummary,
} from '../../../shared/episodes/episodeTypes';
import type { EvaluationReport } from '../../../shared/evaluation/evaluationTypes';
import { episodeFilterSql } from './episodeFilterSql';
import { markFromRow, summaryFromRow, taskOf, type EpisodeRow, type MarkRow } from './catalogRows';
import { CATALOG_MIGRATIONS, CATALOG_SCHEMA_VERSION } from './migrations';

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface NewEpisode {
  kind: EpisodeKind;
  instruction: string;
  startedAtMs: number;
  cameras: string[];
  modelName: string | null;
  modelVersion: string | null;
  link: string | null;
  seed: number | null;
}

export interface EpisodeEnd {
  status: Exclude<EpisodeStatus, 'recording'>;
  outcome: EpisodeOutcome;
  reason: string | null;
  durationS: number;
  strokes: number;
  steps: number;
  frames: number;
}

/**
 * The SQLite catalog of episodes (libsql, an N-API build Node and Electron share). WAL journal:
 * a crashed writer leaves the last committed state; readers never see half an update.
 */
export class EpisodeCatalog {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    try {
      this.db = new Database(file);
      this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;');
      this.migrate();
    } catch (error) {
      if (error instanceof CoachError) throw error;
      throw new CoachError(
        'catalog_unreadable',
        `the episode catalog ${file} cannot be opened: ${(error as Error).message}. ` +
          'Move it aside to start a new catalog (the episode folders next to it are kept).',
      );
    }
  }

  /** The schema version the file is at. */
  get schemaVersion(): number {
    return (this.db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
  }

  /** The open connection, for stores that keep their tables in this catalog (preference pairs). */
  get database(): Database.Database {
    return this.db;
  }

  close(): void {
    this.db.close();
  }

  insert(episode: NewEpisode): number {
    const result = this.db
      .prepare(
        `INSERT INTO episodes (kind, instruction, task, started_at_ms, status, cameras, model_name, model_version, link, seed, recorder_pid)
         VALUES (?, ?, ?, ?, 'recording', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        episode.kind,
        episode.instruction,
        taskOf(episode.instruction),
        episode.startedAtMs,
        JSON.stringify(episode.cameras),
        episode.modelName,
        episode.modelVersion,
        episode.link,
        episode.seed,
        process.pid,
      );
    return Number(result.lastInsertRowid);
  }

  finish(id: number, end: EpisodeEnd): void {
    this.db
      .prepare(
        `UPDATE episodes SET status = ?, outcome = ?, reason = ?, duration_s = ?, strokes = ?, steps = ?, frames = ?
         WHERE id = ?`,
      )
      .run(end.status, end.outcome, end.reason, end.durationS, end.strokes, end.steps, end.frames, id);
  }

  /**
   * Rows still 'recording' whose recording process is gone: episodes a crash interrupted. A row that
   * another live Coach on the same folder is recording is left alone.
   */
  recordingIds(isAlive: (pid: number) => boolean = processIsAlive): number[] {
    const rows = this.db.prepare(`SELECT id, recorder_pid FROM episodes WHERE status = 'recording'`).all() as {
      id: number;
      recorder_pid: number | null;
    }[];
    return rows
      .filter((row) => row.recorder_pid === null || row.recorder_pid === process.pid || !isAlive(row.recorder_pid))
      .map((row) => row.id);
  }

  get(id: number): EpisodeSummary {
    const row = this.db.prepare('SELECT * FROM episodes WHERE id = ? AND deleted_at_ms IS NULL').get(id) as
      EpisodeRow | undefined;
    if (!row) throw new CoachError('not_found', `episode ${id} does not exist (or was deleted)`);
    return summaryFromRow(row, this.marksOf([id]).get(id) ?? []);
  }

  list(filter: EpisodeFilter, limit = 200, offset = 0): { episodes: EpisodeSummary[]; total: number } {
    const { where, params } = episodeFilterSql(filter);
    const total = (this.db.prepare(`SELECT count(*) AS n FROM episodes WHERE ${where}`).get(...params) as { n: number })
      .n;
    const rows = this.db
      .prepare(`SELECT * FROM episodes WHERE ${where} ORDER BY started_at_ms DESC, id DESC LIMIT ? OFFSET ?`)
      .all(...params, limit, offset) as EpisodeRow[];
    const marks = this.marksOf(rows.map((row) => row.id));
    return { episodes: rows.map((row) => summaryFromRow(row, marks.get(row.id) ?? [])), total };
  }

  /** Every episode matching the filter, oldest first (exports). */
  all(filter: EpisodeFilter): EpisodeSummary[] {
    const { where, params } = episodeFilterSql(filter);
    const rows = this.db
      .prepare(`SELECT * FROM episodes WHERE ${where} ORDER BY started_at_ms ASC, id ASC`)
      .all(...params) as EpisodeRow[];
    const marks = this.marksOf(rows.map((row) => row.id));
    return rows.map((row) => summaryFromRow(row, marks.get(row.id) ?? []));
  }

  counts(filter: EpisodeFilter): EpisodeCounts {
    const { where, params } = episodeFilterSql(filter);
    const grouped = (column: string) =>
      this.db
        .prepare(`SELECT ${column} AS key, count(*) AS n FROM episodes WHERE ${where} GROUP BY ${column}`)
        .all(...params) as { key: string | null; n: number }[];
    const byOutcome: Record<string, number> = {};
    for (const row of grouped('outcome')) byOutcome[row.key ?? 'recording'] = row.n;
    const byLabel: Record<string, number> = { good: 0, bad: 0, unsure: 0, unlabeled: 0 };
    for (const row of grouped('label')) byLabel[row.key ?? 'unlabeled'] = row.n;
    const byTask = this.db
      .prepare(
        `SELECT task, count(*) AS count, sum(outcome = 'success') AS successes FROM episodes WHERE ${where}
         GROUP BY task ORDER BY count DESC, task`,
      )
      .all(...params) as { task: string; count: number; successes: number | null }[];
    const byModelVersion = this.db
      .prepare(
        `SELECT coalesce(model_name || ' ' || model_version, 'none') AS modelVersion, count(*) AS count
         FROM episodes WHERE ${where} GROUP BY modelVersion ORDER BY count DESC`,
      )
      .all(...params) as { modelVersion: string; count: number }[];
    const totals = this.db
      .prepare(`SELECT count(*) AS total, coalesce(sum(excluded), 0) AS excluded FROM episodes WHERE ${where}`)
      .get(...params) as { total: number; excluded: number };
    return {
      total: totals.total,
      byOutcome,
      byLabel,
      byTask: byTask.map((row) => ({ task: row.task, count: row.count, successes: row.successes ?? 0 })),
      byModelVersion,
      excluded: totals.excluded,
    };
  }

  label(ids: readonly number[], label: EpisodeLabel | null): EpisodeSummary[] {
    this.requireAll(ids);
    const statement = this.db.prepare('UPDATE episodes SET label = ?, labeled_at_ms = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) statement.run(label, label === null ? null : Date.now(), id);
    })();
    return ids.map((id) => this.get(id));
  }

  setNote(id: number, note: string): EpisodeSummary {
    this.requireAll([id]);
    this.db.prepare('UPDATE episodes SET note = ? WHERE id = ?').run(note, id);
    return this.get(id);
  }

  setExcluded(ids: readonly number[], excluded: boolean): EpisodeSummary[] {
    this.requireAll(ids);
    const statement = this.db.prepare('UPDATE episodes SET excluded = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) statement.run(excluded ? 1 : 0, id);
    })();
    return ids.map((id) => this.get(id));
  }

  addMark(id: number, startS: number, endS: number, label: EpisodeLabel, note: string): EpisodeSummary {
    const episode = this.get(id);
    if (!(endS > startS))
      throw new CoachError('invalid_mark', `a mark must end after it starts (got ${startS} s to ${endS} s)`);
    if (startS > episode.durationS + 0.5)
      throw new CoachError(
        'invalid_mark',
        `the mark starts at ${startS.toFixed(1)} s, after the episode ends (${episode.durationS.toFixed(1)} s)`,
      );
    this.db
      .prepare('INSERT INTO marks (episode_id, start_s, end_s, label, note) VALUES (?, ?, ?, ?, ?)')
      .run(id, startS, Math.min(endS, Math.max(episode.durationS, startS)), label, note);
    return this.get(id);
  }

  removeMark(id: number, markId: number): EpisodeSummary {
    const result = this.db.prepare('DELETE FROM marks WHERE id = ? AND episode_id = ?').run(markId, id);
    if (result.changes === 0) throw new CoachError('not_found', `episode ${id} has no mark ${markId}`);
    return this.get(id);
  }

  /** Hides episodes (their rows and files stay until purged). */
  softDelete(ids: readonly number[], nowMs = Date.now()): number[] {
    this.requireAll(ids);
    const statement = this.db.prepare('UPDATE episodes SET deleted_at_ms = ? WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) statement.run(nowMs, id);
    })();
    return [...ids];
  }

  restore(ids: readonly number[]): number[] {
    const statement = this.db.prepare(
      'UPDATE episodes SET deleted_at_ms = NULL WHERE id = ? AND deleted_at_ms IS NOT NULL',
    );
    const restored: number[] = [];
    this.db.transaction(() => {
      for (const id of ids) if (statement.run(id).changes > 0) restored.push(id);
    })();
    return restored;
  }

  /** Deleted episodes, for purging their files; `forget` then removes their rows. */
  deletedIds(): number[] {
    return (this.db.prepare('SELECT id FROM episodes WHERE deleted_at_ms IS NOT NULL').all() as { id: number }[]).map(
      (row) => row.id,
    );
  }

  forget(ids: readonly number[]): void {
    const statement = this.db.prepare('DELETE FROM episodes WHERE id = ? AND deleted_at_ms IS NOT NULL');
    this.db.transaction(() => {
      for (const id of ids) statement.run(id);
    })();
  }

  /** Stores a sim evaluation with its model version; returns its id. */
  saveEvaluation(report: EvaluationReport): number {
    const result = this.db
      .prepare(
        `INSERT INTO evaluations (model_name, model_version, model_path, seed_set, started_at_ms, success_rate, report)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        report.model.name,
        report.model.version,
        report.model.path,
        report.request.seedSet,
        report.startedAtMs,
        report.overall.successRate,
        JSON.stringify(report),
      );
    return Number(result.lastInsertRowid);
  }

  /** Stored evaluations, newest first (of one model name when given). */
  evaluations(modelName?: string): EvaluationReport[] {
    const rows = (
      modelName
        ? this.db.prepare('SELECT id, report FROM evaluations WHERE model_name = ? ORDER BY id DESC').all(modelName)
        : this.db.prepare('SELECT id, report FROM evaluations ORDER BY id DESC').all()
    ) as { id: number; report: string }[];
    return rows.map((row) => ({ ...(JSON.parse(row.report) as EvaluationReport), id: row.id }));
  }

  private requireAll(ids: readonly number[]): void {
    const statement = this.db.prepare('SELECT 1 FROM episodes WHERE id = ? AND deleted_at_ms IS NULL');
    const missing = ids.filter((id) => !statement.get(id));
    if (missing.length)
      throw new CoachError('not_found', `no episode ${missing.join(', ')} (it does not exist or was deleted)`);
  }

  private marksOf(ids: readonly number[]): Map<number, ReturnType<typeof markFromRow>[]> {
    const byEpisode = new Map<number, ReturnType<typeof markFromRow>[]>();
    if (ids.length === 0) return byEpisode;
    const rows = this.db
      .prepare(`SELECT * FROM marks WHERE episode_id IN (${ids.map(() => '?').join(', ')}) ORDER BY start_s, id`)
      .all(...ids) as MarkRow[];
    for (const row of rows) {
      const list = byEpisode.get(row.episode_id) ?? [];
      list.push(markFromRow(row));
      byEpisode.set(row.episode_id, list);
    }
    return byEpisode;
  }

  private migrate(): void {
    const current = this.schemaVersion;
    if (current > CATALOG_SCHEMA_VERSION)
      throw new CoachError(
        'catalog_too_new',
        `the episode catalog ${this.file} is at schema version ${current}, newer than this Coach knows ` +
          `(${CATALOG_SCHEMA_VERSION}). Update Coach, or choose another episodes folder.`,
      );
    for (const migration of CATALOG_MIGRATIONS) {
      if (migration.version <= current) continue;
      this.db.transaction(() => {
        this.db.exec(migration.sql);
        this.db.exec(`PRAGMA user_version = ${migration.version}`);
      })();
    }
  }
}
