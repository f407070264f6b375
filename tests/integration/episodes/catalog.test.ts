import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog, type NewEpisode } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_MIGRATIONS, CATALOG_SCHEMA_VERSION } from '../../../src/main/episodes/catalog/migrations';

const dirs: string[] = [];
const catalogs: EpisodeCatalog[] = [];
function catalogFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-catalog-'));
  dirs.push(dir);
  return path.join(dir, 'catalog.sqlite');
}
function open(file = catalogFile()): EpisodeCatalog {
  const catalog = new EpisodeCatalog(file);
  catalogs.push(catalog);
  return catalog;
}
afterEach(() => {
  for (const catalog of catalogs.splice(0)) {
    try {
      catalog.close();
    } catch {
      // already closed by the test
    }
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const DAY_MS = 86_400_000;
const episode = (overrides: Partial<NewEpisode> = {}): NewEpisode => ({
  kind: 'attempt',
  instruction: 'Put the grape in the plate',
  startedAtMs: Date.UTC(2026, 11, 1, 10),
  cameras: ['scene', 'wrist'],
  modelName: 'coach-test',
  modelVersion: '1.0.0',
  link: 'sim',
  seed: 7,
  ...overrides,
});
const end = (outcome: 'success' | 'timeout' | 'stopped' = 'success') => ({
  status: 'complete' as const,
  outcome,
  reason: outcome,
  durationS: 12.5,
  strokes: 4,
  steps: 20,
  frames: 700,
});

describe('the episode catalog', () => {
  it('creates the schema at the newest version, and a version-1 file migrates keeping its rows', () => {
    const fresh = open();
    expect(fresh.schemaVersion).toBe(CATALOG_SCHEMA_VERSION);
    expect(CATALOG_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);

    // A catalog written by the first release: only migration 1 applied, one episode in it.
    const file = catalogFile();
    const old = new Database(file);
    old.exec(CATALOG_MIGRATIONS[0]!.sql);
    old.exec('PRAGMA user_version = 1');
    old
      .prepare(
        `INSERT INTO episodes (kind, instruction, task, started_at_ms, status, label) VALUES ('attempt', 'Pick up the orange', 'pick up the orange', 1, 'complete', 'good')`,
      )
      .run();
    old.close();
    const migrated = open(file);
    expect(migrated.schemaVersion).toBe(CATALOG_SCHEMA_VERSION);
    const [kept] = migrated.list({}).episodes;
    expect(kept).toMatchObject({ instruction: 'Pick up the orange', task: 'pick up the orange', label: 'good' });
    // The column migration 2 added works.
    migrated.label([kept!.id], 'bad');
    expect(migrated.get(kept!.id).label).toBe('bad');
  });

  it('refuses a catalog from a newer Coach, and a corrupt file, in words that say what to do', () => {
    const file = catalogFile();
    const db = new Database(file);
    db.exec(`PRAGMA user_version = ${CATALOG_SCHEMA_VERSION + 5}`);
    db.close();
    expect(() => open(file)).toThrow(/schema version \d+, newer than this Coach knows.*Update Coach/);

    const corrupt = catalogFile();
    fs.writeFileSync(corrupt, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    expect(() => open(corrupt)).toThrow(/cannot be opened: .*Move it aside/);
  });

  it('stores, finishes, labels, notes, marks and excludes episodes', () => {
    const catalog = open();
    const id = catalog.insert(episode());
    expect(catalog.get(id)).toMatchObject({ status: 'recording', outcome: null, task: 'put the grape in the plate' });
    expect(catalog.recordingIds()).toEqual([id]);
    catalog.finish(id, end());
    expect(catalog.recordingIds()).toEqual([]);
    expect(catalog.get(id)).toMatchObject({
      status: 'complete',
      outcome: 'success',
      strokes: 4,
      steps: 20,
      frames: 700,
    });

    expect(catalog.label([id], 'good')[0]!.label).toBe('good');
    expect(catalog.setNote(id, 'clean grasp').note).toBe('clean grasp');
    const marked = catalog.addMark(id, 3.2, 5.0, 'bad', 'grasped the eggplant');
    expect(marked.marks).toEqual([
      { id: expect.any(Number), startS: 3.2, endS: 5.0, label: 'bad', note: 'grasped the eggplant' },
    ]);
    expect(() => catalog.addMark(id, 5, 3, 'bad', '')).toThrow(/must end after it starts/);
    expect(() => catalog.addMark(id, 30, 31, 'bad', '')).toThrow(/after the episode ends/);
    expect(catalog.removeMark(id, marked.marks[0]!.id).marks).toEqual([]);
    expect(() => catalog.removeMark(id, 999)).toThrow(/has no mark 999/);
    expect(catalog.setExcluded([id], true)[0]!.excluded).toBe(true);
    expect(catalog.label([id], null)[0]!.label).toBeNull();
    expect(() => catalog.label([id, 4242], 'good')).toThrow(/no episode 4242/);
  });

  it('filters by task, outcome, label, model version, date and exclusion, and counts for dashboards', () => {
    const catalog = open();
    const day0 = Date.UTC(2026, 10, 1);
    const make = (instruction: string, outcome: 'success' | 'timeout' | 'stopped', day: number, version = '1.0.0') => {
      const id = catalog.insert(episode({ instruction, startedAtMs: day0 + day * DAY_MS, modelVersion: version }));
      catalog.finish(id, end(outcome));
      return id;
    };
    const a = make('put the grape in the plate', 'success', 0);
    const b = make('Put the grape in the plate', 'timeout', 1);
    const c = make('pick up the orange', 'success', 2, '1.1.0');
    const d = make('pick up the orange', 'stopped', 3, '1.1.0');
    catalog.label([a, c], 'good');
    catalog.label([b], 'bad');
    catalog.setExcluded([d], true);

    const ids = (filter: Parameters<EpisodeCatalog['list']>[0]) => catalog.list(filter).episodes.map((e) => e.id);
    expect(ids({})).toEqual([d, c, b, a]); // newest first
    expect(ids({ task: 'GRAPE' })).toEqual([b, a]);
    expect(ids({ outcomes: ['success'] })).toEqual([c, a]);
    expect(ids({ labels: ['good'] })).toEqual([c, a]);
    expect(ids({ labels: ['unlabeled'] })).toEqual([d]);
    expect(ids({ labels: ['bad', 'unlabeled'] })).toEqual([d, b]);
    expect(ids({ modelVersion: '1.1.0' })).toEqual([d, c]);
    expect(ids({ modelVersion: 'coach-test 1.0.0' })).toEqual([b, a]);
    expect(ids({ fromMs: day0 + DAY_MS, toMs: day0 + 3 * DAY_MS })).toEqual([c, b]);
    expect(ids({ includeExcluded: false })).toEqual([c, b, a]);
    expect(ids({ task: '100%_' })).toEqual([]);
    expect(catalog.list({}, 2, 1)).toMatchObject({ total: 4, episodes: [{ id: c }, { id: b }] });

    const counts = catalog.counts({});
    expect(counts.total).toBe(4);
    expect(counts.byOutcome).toEqual({ success: 2, timeout: 1, stopped: 1 });
    expect(counts.byLabel).toEqual({ good: 2, bad: 1, unsure: 0, unlabeled: 1 });
    expect(counts.byTask).toEqual([
      { task: 'pick up the orange', count: 2, successes: 1 },
      { task: 'put the grape in the plate', count: 2, successes: 1 },
    ]);
    expect(counts.byModelVersion).toEqual(
      expect.arrayContaining([
        { modelVersion: 'coach-test 1.0.0', count: 2 },
        { modelVersion: 'coach-test 1.1.0', count: 2 },
      ]),
    );
    expect(counts.excluded).toBe(1);
    expect(catalog.counts({ task: 'orange' }).total).toBe(2);
  });

  it('a delete hides episodes until restored; forgetting removes them for good', () => {
    const catalog = open();
    const a = catalog.insert(episode());
    const b = catalog.insert(episode());
    catalog.softDelete([a]);
    expect(catalog.list({}).episodes.map((e) => e.id)).toEqual([b]);
    expect(() => catalog.get(a)).toThrow(/does not exist \(or was deleted\)/);
    expect(catalog.deletedIds()).toEqual([a]);
    expect(catalog.restore([a, b])).toEqual([a]);
    expect(catalog.list({}).total).toBe(2);
    catalog.softDelete([a, b]);
    catalog.forget([a]);
    expect(catalog.restore([a, b])).toEqual([b]);
    expect(catalog.deletedIds()).toEqual([]);
  });

  it('keeps every committed change when the process holding it is gone (WAL file reopened)', () => {
    const file = catalogFile();
    const first = open(file);
    const id = first.insert(episode());
    first.label([id], 'unsure');
    // A second connection (as after a crash, before the first closed) sees the committed state.
    const second = open(file);
    expect(second.get(id)).toMatchObject({ label: 'unsure', status: 'recording' });
  });
});

describe('recovery candidates', () => {
  it('are the rows still recording whose process is gone, never a live recording of another Coach', () => {
    const catalog = open();
    const mine = catalog.insert(episode());
    expect(catalog.recordingIds(() => true)).toEqual([mine]); // this process's own rows: it is not recording them now
    const file = catalog.file;
    const db = new Database(file);
    db.prepare(`UPDATE episodes SET recorder_pid = 999999 WHERE id = ?`).run(mine);
    db.close();
    expect(catalog.recordingIds(() => true)).toEqual([]);
    expect(catalog.recordingIds(() => false)).toEqual([mine]);
  });
});
