import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'libsql';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog, type NewEpisode } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_MIGRATIONS, CATALOG_SCHEMA_VERSION } from '../../../src/main/episodes/catalog/migrations';
import { PairStore, pairDedupKey, type NewPair } from '../../../src/main/refine/pairs/pairStore';

const dirs: string[] = [];
const catalogs: EpisodeCatalog[] = [];
function catalogFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-pairs-'));
  dirs.push(dir);
  return path.join(dir, 'catalog.sqlite');
}
function open(file = catalogFile()): { catalog: EpisodeCatalog; store: PairStore } {
  const catalog = new EpisodeCatalog(file);
  catalogs.push(catalog);
  return { catalog, store: new PairStore(catalog) };
}
afterEach(() => {
  for (const catalog of catalogs.splice(0)) {
    try {
      catalog.close();
    } catch {
      // closed by the test
    }
  }
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const episode = (instruction = 'Put the grape in the plate'): NewEpisode => ({
  kind: 'attempt',
  instruction,
  startedAtMs: Date.UTC(2026, 11, 1, 10),
  cameras: ['scene', 'wrist'],
  modelName: 'coach-test',
  modelVersion: '1.0.0',
  link: 'sim',
  seed: 7,
});

function pair(episodeId: number, stepIndex: number, overrides: Partial<NewPair> = {}): NewPair {
  const chunk = (v: number) => [
    [v, 0, 0, 0, 0, 0, 1],
    [v, 0.001, 0, 0, 0, 0, 1],
  ];
  return {
    episodeId,
    stepIndex,
    camera: 'scene',
    frameIndex: stepIndex * 3,
    robotState: [0, 1.48, -1.74, 0, 1.3, 0, 0.95],
    instruction: 'Put the grape in the plate',
    task: 'put the grape in the plate',
    modelName: 'coach-test',
    modelVersion: '1.0.0',
    actionSpace: 'ee_delta',
    actionNames: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
    chosen: chunk(0.001 * (stepIndex + 1)),
    rejected: chunk(-0.002),
    source: 'gta',
    executedSide: null,
    scores: { reward: 'gta', chosen: 0.01, rejected: 0.04 },
    ...overrides,
  };
}

describe('catalog migration 5', () => {
  it('adds the pairs table to a version-4 catalog, keeping its episodes and evaluations', () => {
    const file = catalogFile();
    const old = new Database(file);
    for (const migration of CATALOG_MIGRATIONS.filter((m) => m.version <= 4)) old.exec(migration.sql);
    old.exec('PRAGMA user_version = 4');
    old
      .prepare(
        `INSERT INTO episodes (kind, instruction, task, started_at_ms, status, label) VALUES ('attempt', 'Pick up the orange', 'pick up the orange', 1, 'complete', 'good')`,
      )
      .run();
    old
      .prepare(
        `INSERT INTO evaluations (model_name, model_version, model_path, seed_set, started_at_ms, success_rate, report) VALUES ('m', '1', '/m', 'heldout', 1, 0.5, '{}')`,
      )
      .run();
    expect(old.prepare("SELECT name FROM sqlite_master WHERE name = 'pairs'").get()).toBeUndefined();
    old.close();

    const { catalog, store } = open(file);
    expect(CATALOG_SCHEMA_VERSION).toBeGreaterThanOrEqual(5);
    expect(catalog.schemaVersion).toBe(CATALOG_SCHEMA_VERSION);
    const [kept] = catalog.list({}).episodes;
    expect(kept).toMatchObject({ task: 'pick up the orange', label: 'good' });
    expect(catalog.evaluations()).toHaveLength(1);
    const { inserted } = store.insert([pair(kept!.id, 0)]);
    expect(store.get(inserted[0]!)).toMatchObject({ episodeId: kept!.id, status: 'active', source: 'gta' });
    const indexes = (
      catalog.database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pairs'").all() as {
        name: string;
      }[]
    ).map((row) => row.name);
    expect(indexes).toEqual(expect.arrayContaining(['pairs_episode', 'pairs_source_status', 'pairs_task']));
  });
});

describe('catalog migration 6', () => {
  it("adds score parts and the goal frame to a version-5 catalog's pairs, keeping the pairs there", () => {
    const file = catalogFile();
    const old = new Database(file);
    for (const migration of CATALOG_MIGRATIONS.filter((m) => m.version <= 5)) old.exec(migration.sql);
    old.exec('PRAGMA user_version = 5');
    const episodeId = Number(
      old
        .prepare(
          `INSERT INTO episodes (kind, instruction, task, started_at_ms, status, label) VALUES ('attempt', 'Put the grape in the plate', 'put the grape in the plate', 1, 'complete', 'good')`,
        )
        .run().lastInsertRowid,
    );
    const before = pair(episodeId, 4, { source: 'label', executedSide: 'chosen' });
    old
      .prepare(
        `INSERT INTO pairs (episode_id, step_index, camera, frame_index, robot_state, instruction, task, model_name,
          model_version, action_space, action_names, chosen, rejected, executed_side, source, reward, chosen_score,
          rejected_score, status, created_at_ms, dedup_key)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'flipped', 77, ?)`,
      )
      .run(
        before.episodeId,
        before.stepIndex,
        before.camera,
        before.frameIndex,
        JSON.stringify(before.robotState),
        before.instruction,
        before.task,
        before.modelName,
        before.modelVersion,
        before.actionSpace,
        JSON.stringify(before.actionNames),
        JSON.stringify(before.chosen),
        JSON.stringify(before.rejected),
        before.executedSide,
        before.source,
        before.scores.reward,
        before.scores.chosen,
        before.scores.rejected,
        pairDedupKey(before),
      );
    old.close();

    const { catalog, store } = open(file);
    expect(CATALOG_SCHEMA_VERSION).toBeGreaterThanOrEqual(6);
    expect(catalog.schemaVersion).toBe(CATALOG_SCHEMA_VERSION);
    const columns = (catalog.database.prepare('PRAGMA table_info(pairs)').all() as { name: string }[]).map(
      (column) => column.name,
    );
    expect(columns).toEqual(
      expect.arrayContaining(['score_parts', 'goal_episode_id', 'goal_camera', 'goal_frame_index']),
    );
    const [kept] = store.list().pairs;
    expect(kept).toEqual({ ...before, id: kept!.id, status: 'flipped', createdAtMs: 77 });
    expect(store.insert([before]).duplicates).toBe(1);

    const withParts = pair(episodeId, 8, {
      source: 'wm',
      scores: { reward: 'wm+0.1*gta', chosen: 0.2, rejected: 0.7, parts: { wm: { chosen: 0.1, rejected: 0.6 } } },
      goal: { episodeId, camera: 'scene', frameIndex: 90 },
    });
    const [id] = store.insert([withParts], 5).inserted;
    expect(store.get(id!)).toEqual({ ...withParts, id, status: 'active', createdAtMs: 5 });
  });
});

describe('the pair store', () => {
  it('stores pairs whole and skips one with the same episode, step, source and model', () => {
    const { catalog, store } = open();
    const a = catalog.insert(episode());
    const first = pair(a, 0, {
      source: 'label',
      executedSide: 'chosen',
      scores: { reward: 'gta', chosen: 0, rejected: 0.03 },
    });
    const result = store.insert([first, pair(a, 0), pair(a, 5)], 1234);
    expect(result).toMatchObject({ duplicates: 0, replaced: [], outcomes: ['inserted', 'inserted', 'inserted'] });
    const stored = store.get(result.inserted[0]!);
    expect(stored).toEqual({ ...first, id: result.inserted[0], status: 'active', createdAtMs: 1234 });

    // Same key again (even with other chunks): skipped. Another model version or step: a new pair.
    const again = store.insert([
      pair(a, 0, { chosen: [[9, 9, 9, 9, 9, 9, 9]] }),
      pair(a, 5),
      pair(a, 5, { modelVersion: '1.1.0' }),
      pair(a, 10),
    ]);
    expect(again.duplicates).toBe(2);
    expect(again.outcomes).toEqual(['duplicate', 'duplicate', 'inserted', 'inserted']);
    expect(store.list().total).toBe(5);
    expect(store.get(result.inserted[1]!).chosen[0]![0]).toBe(0.001);
  });

  it("stores a combined reward's parts and the goal frame, and reads back a pair without them as given", () => {
    const { catalog, store } = open();
    const a = catalog.insert(episode());
    const goalEpisode = catalog.insert(episode());
    const combined = pair(a, 0, {
      source: 'wm',
      scores: {
        reward: 'wm+0.1*gta',
        chosen: 0.125,
        rejected: 0.5,
        parts: { wm: { chosen: 0.1, rejected: 0.45 }, gta: { chosen: 0.25, rejected: 0.5 } },
      },
      goal: { episodeId: goalEpisode, camera: 'scene', frameIndex: 212 },
    });
    const plain = pair(a, 5);
    const noGoal = pair(a, 10, { goal: null });
    const ids = store.insert([combined, plain, noGoal], 99).inserted;
    expect(store.get(ids[0]!)).toEqual({ ...combined, id: ids[0], status: 'active', createdAtMs: 99 });
    expect(store.get(ids[1]!)).toEqual({ ...plain, id: ids[1], status: 'active', createdAtMs: 99 });
    // A null goal is stored as none: it reads back absent.
    const readNoGoal = store.get(ids[2]!);
    expect(readNoGoal).not.toHaveProperty('goal');
    expect(readNoGoal.scores).not.toHaveProperty('parts');
    expect(store.list().pairs.find((p) => p.id === ids[0])).toEqual(store.get(ids[0]!));
    expect(store.eligiblePairs()[0]).toEqual(store.get(ids[0]!));
  });

  it('rewrites parts and goal with the rest when a relabelled pair is replaced', () => {
    const { catalog, store } = open();
    const a = catalog.insert(episode());
    const good = pair(a, 0, {
      source: 'label',
      executedSide: 'chosen',
      scores: { reward: 'gta', chosen: 0, rejected: 0.03, parts: { gta: { chosen: 0, rejected: 0.03 } } },
      goal: { episodeId: a, camera: 'scene', frameIndex: 3 },
    });
    const [id] = store.insert([good]).inserted;
    const bad = pair(a, 0, {
      source: 'label',
      executedSide: 'rejected',
      chosen: good.rejected,
      rejected: good.chosen,
      scores: { reward: 'gta', chosen: 0.03, rejected: 0 },
    });
    expect(store.insert([bad], 7).replaced).toEqual([id]);
    expect(store.get(id!)).toEqual({ ...bad, id, status: 'active', createdAtMs: 7 });
  });

  it('rewrites a label pair whose episode was relabelled (the executed chunk changed sides)', () => {
    const { catalog, store } = open();
    const a = catalog.insert(episode());
    const good = pair(a, 0, { source: 'label', executedSide: 'chosen' });
    const [id] = store.insert([good]).inserted;
    store.setStatus([id!], 'discard');
    const bad = pair(a, 0, {
      source: 'label',
      executedSide: 'rejected',
      chosen: good.rejected,
      rejected: good.chosen,
      scores: { reward: 'gta', chosen: 0.03, rejected: 0 },
    });
    expect(store.insert([bad])).toMatchObject({ inserted: [], replaced: [id], duplicates: 0 });
    expect(store.get(id!)).toMatchObject({
      executedSide: 'rejected',
      chosen: good.rejected,
      rejected: good.chosen,
      status: 'active',
    });
    expect(store.insert([bad]).duplicates).toBe(1);
  });

  it('flips, discards and restores; the summary counts only what training would use', () => {
    const { catalog, store } = open();
    const grape = catalog.insert(episode());
    const orange = catalog.insert(episode('Pick up the orange'));
    const ids = store.insert([
      pair(grape, 0, { source: 'label', executedSide: 'chosen' }),
      pair(grape, 5),
      pair(grape, 10),
      pair(orange, 0, { instruction: 'Pick up the orange', task: 'pick up the orange' }),
    ]).inserted;
    expect(store.summary()).toEqual({
      total: 4,
      eligible: 4,
      bySource: { gta: 3, label: 1 },
      byStatus: { active: 4 },
      byTask: [
        { task: 'put the grape in the plate', count: 3 },
        { task: 'pick up the orange', count: 1 },
      ],
    });

    expect(store.setStatus([ids[1]!], 'flip')[0]!.status).toBe('flipped');
    expect(store.setStatus([ids[2]!], 'discard')[0]!.status).toBe('discarded');
    expect(() => store.setStatus([ids[2]!], 'flip')).toThrow(/is discarded; restore it first/);
    expect(() => store.setStatus([ids[0]!, 999], 'discard')).toThrow(/no pair 999/);
    expect(store.get(ids[0]!).status).toBe('active'); // the failed call changed nothing
    expect(store.summary()).toMatchObject({
      total: 4,
      eligible: 3,
      bySource: { gta: 2, label: 1 },
      byStatus: { active: 2, flipped: 1, discarded: 1 },
    });
    expect(store.eligiblePairs().map((p) => p.id)).toEqual([ids[0], ids[1], ids[3]]);
    expect(store.list({ statuses: ['flipped'] }).pairs.map((p) => p.id)).toEqual([ids[1]]);
    expect(store.list({ sources: ['label'] }).pairs.map((p) => p.id)).toEqual([ids[0]]);
    expect(store.list({ task: 'ORANGE' }).pairs.map((p) => p.id)).toEqual([ids[3]]);
    expect(store.list({ limit: 2, offset: 1 })).toMatchObject({ total: 4, pairs: [{ id: ids[2] }, { id: ids[1] }] });

    expect(store.setStatus([ids[1]!], 'flip')[0]!.status).toBe('active'); // flip again: back
    expect(store.setStatus([ids[2]!], 'restore')[0]!.status).toBe('active');
    expect(store.summary().eligible).toBe(4);
  });

  it('discards stale pairs for a build and revives only those, never what the operator discarded', () => {
    const { catalog, store } = open();
    const a = catalog.insert(episode());
    const [p, q, r] = store.insert([pair(a, 0), pair(a, 5), pair(a, 10)]).inserted as [number, number, number];
    store.setStatus([r], 'discard');
    expect(store.markStale([p, q, r], [])).toEqual({ discarded: 2, revived: 0 });
    expect(store.storedOf(a).map((row) => [row.status, row.stale])).toEqual([
      ['discarded', true],
      ['discarded', true],
      ['discarded', false],
    ]);
    store.setStatus([q], 'restore'); // the operator's word clears the mark
    expect(store.markStale([], [p, q, r])).toEqual({ discarded: 0, revived: 1 });
    expect([p, q, r].map((id) => store.get(id).status)).toEqual(['active', 'active', 'discarded']);
  });

  it('excluded episodes give no eligible pairs; deleted ones hide theirs, and forgetting them removes the rows', () => {
    const { catalog, store } = open();
    const kept = catalog.insert(episode());
    const excluded = catalog.insert(episode());
    const deleted = catalog.insert(episode());
    store.insert([pair(kept, 0), pair(excluded, 0), pair(excluded, 5), pair(deleted, 0)]);
    catalog.setExcluded([excluded], true);
    catalog.softDelete([deleted]);

    expect(store.summary()).toMatchObject({ total: 3, eligible: 1 });
    expect(store.eligiblePairs().map((p) => p.episodeId)).toEqual([kept]);
    expect(store.list({ eligibleOnly: true }).total).toBe(1);
    expect(
      store
        .list()
        .pairs.map((p) => p.episodeId)
        .sort(),
    ).toEqual([kept, excluded, excluded].sort());
    const count = () => (catalog.database.prepare('SELECT count(*) AS n FROM pairs').get() as { n: number }).n;
    expect(count()).toBe(4);

    // Undo brings them back whole; forgetting (the purge at close) takes the rows with the episode.
    catalog.restore([deleted]);
    expect(store.summary().eligible).toBe(2);
    catalog.softDelete([deleted]);
    catalog.forget([deleted]);
    expect(count()).toBe(3);
    catalog.setExcluded([excluded], false);
    expect(store.summary()).toMatchObject({ total: 3, eligible: 3 });
  });
});
