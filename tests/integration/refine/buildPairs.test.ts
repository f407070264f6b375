import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { cameraDir, CATALOG_FILE, episodeDir, frameFileName } from '../../../src/main/episodes/store/episodeFormat';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { buildPairs, type BuildPairsOptions } from '../../../src/main/refine/pairs/buildPairs';
import { episodeObservations, policyCameraOf } from '../../../src/main/refine/pairs/episodeObservations';
import { frameRgb } from '../../../src/main/refine/pairs/frameRgb';
import { PairDataset } from '../../../src/main/refine/pairs/pairDataset';
import { loadPairPolicy, observationSeed, type PairPolicy } from '../../../src/main/refine/pairs/pairPolicy';
import { PairStore } from '../../../src/main/refine/pairs/pairStore';
import type { PreferencePair } from '../../../src/shared/refine/pairTypes';
import { copyEpisodes, recordAttempts } from './fixtures/recordAttempts';

const APP_ROOT = path.resolve(__dirname, '../../..');
const TEST_MODEL = path.join(APP_ROOT, 'resources/models/coach-test');
const STROKES = 3;
const CHUNK = 5;

let dataDir: string;
let ids: number[];
let policy: PairPolicy;
const temp: string[] = [];
const opened: EpisodeCatalog[] = [];

/** Five attempts of the test model, recorded by the console's recorder in the sim. */
beforeAll(async () => {
  ({ dataDir, ids } = await recordAttempts([31, 32, 33, 34, 35], STROKES));
  temp.push(dataDir);
  policy = await loadPairPolicy(TEST_MODEL, ['cpu']);
}, 180_000);

afterAll(async () => {
  for (const catalog of opened) catalog.close();
  await policy?.release();
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

function workspace(): { root: string; catalog: EpisodeCatalog; store: PairStore } {
  const root = copyEpisodes(dataDir);
  temp.push(path.dirname(root));
  const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
  opened.push(catalog);
  return { root, catalog, store: new PairStore(catalog) };
}

const build = (w: ReturnType<typeof workspace>, options: BuildPairsOptions, with_ = policy) =>
  buildPairs({ catalog: w.catalog, store: w.store, root: w.root, policy: with_ }, options);

const steps = async (root: string, id: number) => (await EpisodeReader.open(episodeDir(root, id), id)).steps();

/** Independent of rewards.ts: mean |a − b| over every value. */
function meanAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
const argmax = (v: number[]) => v.indexOf(Math.max(...v));
const argmin = (v: number[]) => v.indexOf(Math.min(...v));

/** The policy's K samples at a pair's observation, drawn again with the build's seed. */
async function samplesAt(root: string, pair: PreferencePair, k: number, seed: number): Promise<Float32Array[]> {
  const file = path.join(cameraDir(root, pair.episodeId, pair.camera), frameFileName(pair.frameIndex));
  const { name, widthPx, heightPx } = policy.cameras[0]!;
  return policy.sample(
    { [name]: await frameRgb(file, widthPx, heightPx) },
    pair.instruction,
    pair.robotState,
    k,
    observationSeed(seed, pair.episodeId, pair.stepIndex),
  );
}

/** A time mark over the middle of one stroke (chunk) of an episode. */
async function markStroke(w: ReturnType<typeof workspace>, id: number, stroke: number, label: 'good' | 'bad') {
  const times = (await steps(w.root, id)).filter((s) => s.stroke === stroke).map((s) => s.tS);
  w.catalog.addMark(id, Math.min(...times) - 0.01, Math.max(...times) + 0.01, label, '');
}

describe('observations of recorded attempts', () => {
  it('are the chunk starts with the policy camera newest frame at or before them and the arm state the runner feeds', async () => {
    const id = ids[0]!;
    const reader = await EpisodeReader.open(episodeDir(path.join(dataDir, 'episodes'), id), id);
    expect(reader.header.policyCamera).toBe('scene');
    const recorded = await reader.steps();
    expect(recorded).toHaveLength(STROKES * CHUNK);
    const frames = await reader.frameIndex('scene');
    const observations = await episodeObservations(reader, 'scene');
    expect(observations.map((o) => o.stepIndex)).toEqual([0, 5, 10]);
    for (const observation of observations) {
      const step = recorded[observation.stepIndex]!;
      let newest = frames[0]!;
      for (const frame of frames) if (frame.tS <= step.tS) newest = frame;
      expect(observation).toMatchObject({
        camera: 'scene',
        frameIndex: newest.i,
        chunk: step.chunk,
        stroke: step.stroke,
      });
      expect(fs.existsSync(observation.frameFile)).toBe(true);
      const q = step.stateRad;
      expect(observation.robotState).toEqual([q[0], q[1], q[2], q[3], q[4], q[5], (q[6]! * 30) / 60]);
      expect(observation.executedToS).toBe(recorded[observation.stepIndex + CHUNK - 1]!.tS);
    }
  });

  it('of older episodes use the camera named like the model camera, else the first', () => {
    const header = {
      cameras: [
        { name: 'wrist', widthPx: 640, heightPx: 480 },
        { name: 'scene', widthPx: 640, heightPx: 480 },
      ],
    } as Parameters<typeof policyCameraOf>[0];
    expect(policyCameraOf(header, 'scene')).toBe('scene');
    expect(policyCameraOf(header, 'front')).toBe('wrist');
    expect(policyCameraOf({ ...header, policyCamera: 'wrist' }, 'scene')).toBe('wrist');
  });
});

describe('pairs from operator labels', () => {
  it('pair executed chunks of good chunks as chosen and of bad ones as rejected with the farthest sample', async () => {
    const w = workspace();
    const [a, b, c, d, e] = ids as [number, number, number, number, number];
    w.catalog.label([a, e], 'good');
    w.catalog.label([b, d], 'bad');
    w.catalog.label([c], 'unsure');
    w.catalog.setExcluded([e], true);
    await markStroke(w, c, 1, 'bad'); // a bad range inside an unsure attempt
    await markStroke(w, d, 0, 'good'); // a good range inside a bad attempt

    const result = await build(w, { from: 'labels', k: 5, seed: 7 });
    expect(result).toMatchObject({ built: 10, duplicates: 0, replaced: 0, bySource: { label: 10, gta: 0, wm: 0 } });
    expect(result.episodesUsed).toEqual([a, b, c, d]);
    expect(result.episodesSkipped).toEqual([{ id: e, reason: 'excluded from training' }]);

    const expectedSide = (episodeId: number, stroke: number) =>
      episodeId === a || (episodeId === d && stroke === 0) ? 'chosen' : 'rejected';
    const pairs = w.store.list().pairs;
    expect(pairs.map((p) => `${p.episodeId}/${p.stepIndex}`).sort()).toEqual(
      [a, b, d]
        .flatMap((id) => [0, 5, 10].map((s) => `${id}/${s}`))
        .concat(`${c}/5`)
        .sort(),
    );
    for (const pair of pairs) {
      const step = (await steps(w.root, pair.episodeId))[pair.stepIndex]!;
      const side = expectedSide(pair.episodeId, step.stroke);
      expect(pair).toMatchObject({ source: 'label', executedSide: side, status: 'active', camera: 'scene' });
      expect(pair).toMatchObject({ modelName: 'coach-test', modelVersion: '1.0.0', actionSpace: 'ee_delta' });
      expect(pair[side]).toEqual(step.chunk);
      const samples = await samplesAt(w.root, pair, 5, 7);
      const distances = samples.map((sample) => meanAbs(sample, step.chunk!.flat()));
      const far = argmax(distances);
      const counterpart = side === 'chosen' ? pair.rejected : pair.chosen;
      expect(counterpart.flat()).toEqual(Array.from(samples[far]!));
      expect(side === 'chosen' ? pair.scores.rejected : pair.scores.chosen).toBeCloseTo(distances[far]!, 9);
      expect(side === 'chosen' ? pair.scores.chosen : pair.scores.rejected).toBe(0);
    }
  }, 120_000);
});

describe('pairs from the action reward (GTA)', () => {
  it('rank K = 5 samples by their distance to the executed chunk; a second build skips them; the seed repeats them', async () => {
    const setUp = () => {
      const w = workspace();
      const [a, b, c, d] = ids as [number, number, number, number];
      w.catalog.label([a], 'good');
      w.catalog.label([b], 'bad');
      w.catalog.label([d], 'unsure');
      const summary = w.catalog.get(c); // unlabelled; the sim's check said success
      w.catalog.finish(c, { ...summary, status: 'complete', outcome: 'success', frames: summary.frames });
      return w;
    };
    const w = setUp();
    const result = await build(w, { from: 'gta', k: 5, seed: 3 });
    expect(result).toMatchObject({ built: 6, duplicates: 0, bySource: { label: 0, gta: 6, wm: 0 } });
    expect(result.episodesUsed).toEqual([ids[0], ids[2]]);
    expect(result.episodesSkipped.map((s) => s.id).sort()).toEqual([ids[1], ids[3], ids[4]].sort());

    const pairs = w.store.list().pairs;
    for (const pair of pairs) {
      const executed = (await steps(w.root, pair.episodeId))[pair.stepIndex]!.chunk!.flat();
      const samples = await samplesAt(w.root, pair, 5, 3);
      const distances = samples.map((sample) => meanAbs(sample, executed));
      expect(pair).toMatchObject({ source: 'gta', executedSide: null });
      expect(pair.chosen.flat()).toEqual(Array.from(samples[argmin(distances)]!));
      expect(pair.rejected.flat()).toEqual(Array.from(samples[argmax(distances)]!));
      expect(pair.scores.reward).toBe('gta');
      expect(pair.scores.chosen).toBeCloseTo(Math.min(...distances), 9);
      expect(pair.scores.rejected).toBeCloseTo(Math.max(...distances), 9);
      expect(pair.scores.rejected).toBeGreaterThan(pair.scores.chosen);
    }

    const again = await build(w, { from: 'gta', k: 5, seed: 3 });
    expect(again).toMatchObject({ built: 0, duplicates: 6, replaced: 0 });
    expect(w.store.list().total).toBe(6);

    const other = setUp();
    await build(other, { from: 'gta', k: 5, seed: 3 });
    const chunks = (list: PreferencePair[]) =>
      Object.fromEntries(list.map((p) => [`${p.episodeId}/${p.stepIndex}`, [p.chosen, p.rejected]]));
    expect(chunks(other.store.list().pairs)).toEqual(chunks(pairs));
  }, 120_000);
});

describe('all sources together', () => {
  it('build label and GTA pairs; a relabel rewrites label pairs and discards GTA pairs it no longer supports', async () => {
    const w = workspace();
    const [a, b] = ids as [number, number];
    w.catalog.label([a], 'good');
    w.catalog.label([b], 'bad');
    const first = await build(w, { k: 5 });
    expect(first).toMatchObject({ built: 9, bySource: { label: 6, gta: 3, wm: 0 }, staleDiscarded: 0 });

    w.catalog.label([a], 'bad');
    const relabelled = await build(w, { k: 5 });
    expect(relabelled).toMatchObject({ built: 0, replaced: 3, staleDiscarded: 3, duplicates: 3 });
    const ofA = w.store.list({ episodeIds: [a] }).pairs;
    expect(ofA.filter((p) => p.source === 'label').map((p) => p.executedSide)).toEqual([
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(ofA.filter((p) => p.source === 'gta').map((p) => p.status)).toEqual(['discarded', 'discarded', 'discarded']);
    expect(w.store.summary()).toMatchObject({ total: 9, eligible: 6, bySource: { label: 6 } });

    w.catalog.label([a], null);
    expect(await build(w, { from: 'labels', k: 5 })).toMatchObject({ staleDiscarded: 3, duplicates: 3 });
    expect(w.store.summary()).toMatchObject({ eligible: 3 });

    // Good again: the pairs a build discarded come back; one the operator discarded stays discarded.
    const operatorDiscarded = w.store.list({ episodeIds: [b] }).pairs[0]!.id;
    w.store.setStatus([operatorDiscarded], 'discard');
    w.catalog.label([a], 'good');
    const back = await build(w, { k: 5 });
    expect(back).toMatchObject({ built: 0, replaced: 3, revived: 3, staleDiscarded: 0, duplicates: 6 });
    expect(w.store.list({ episodeIds: [a] }).pairs.every((p) => p.status === 'active')).toBe(true);
    expect(w.store.get(operatorDiscarded).status).toBe('discarded');
    expect(w.store.summary()).toMatchObject({ total: 9, eligible: 8 });
  }, 120_000);

  it('give the trainer pictures as the builder fed the policy, swapped chunks for flipped pairs, within a cache budget', async () => {
    const w = workspace();
    w.catalog.label([ids[0]!], 'good');
    await build(w, { k: 5 });
    const pairs = w.store.eligiblePairs();
    expect(pairs).toHaveLength(6);
    const flipped = pairs.find((p) => p.source === 'label')!;
    w.store.setStatus([flipped.id], 'flip');

    const imageBytes = policy.cameras[0]!.widthPx * policy.cameras[0]!.heightPx * 3;
    const dataset = new PairDataset(w.store.eligiblePairs(), {
      root: w.root,
      cameras: policy.cameras,
      imageCacheBytes: imageBytes,
    });
    try {
      expect(dataset.size).toBe(6);
      for (let i = 0; i < dataset.size; i++) {
        const pair = dataset.pairs[i]!;
        const sample = dataset.get(i);
        const file = path.join(cameraDir(w.root, pair.episodeId, pair.camera), frameFileName(pair.frameIndex));
        expect(Buffer.compare(Buffer.from(sample.image), Buffer.from(await frameRgb(file, 224, 224)))).toBe(0);
        const swap = pair.id === flipped.id;
        expect(Array.from(sample.chosen)).toEqual((swap ? pair.rejected : pair.chosen).flat().map(Math.fround));
        expect(Array.from(sample.rejected)).toEqual((swap ? pair.chosen : pair.rejected).flat().map(Math.fround));
        expect(sample).toMatchObject({ instruction: 'put the grape in the plate', robotState: pair.robotState });
        expect(sample.actionNames).toEqual(['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper']);
        expect(dataset.imageCacheBytes).toBeLessThanOrEqual(imageBytes);
      }
      // Label and GTA pairs at one observation share it; an evicted picture decodes to the same bytes.
      const keys = dataset.pairs.map((_, i) => dataset.observationKey(i));
      expect(new Set(keys).size).toBe(3);
      expect(Buffer.compare(Buffer.from(dataset.get(0).image), Buffer.from(dataset.get(0).image))).toBe(0);
    } finally {
      await dataset.close();
    }
  }, 120_000);
});

describe('episodes that give no pairs', () => {
  it('excluded episodes never do; deleted ones lose theirs', async () => {
    const w = workspace();
    const [a, b] = ids as [number, number];
    w.catalog.label([a, b], 'good');
    expect((await build(w, { from: 'labels' })).built).toBe(6);
    w.catalog.setExcluded([b], true);
    expect(w.store.summary()).toMatchObject({ total: 6, eligible: 3 });
    const again = await build(w, { from: 'labels' });
    expect(again).toMatchObject({ built: 0, duplicates: 3 });
    expect(again.episodesSkipped).toContainEqual({ id: b, reason: 'excluded from training' });
    expect(new Set(w.store.eligiblePairs().map((p) => p.episodeId))).toEqual(new Set([a]));

    w.catalog.softDelete([a]);
    expect(w.store.summary()).toMatchObject({ total: 3, eligible: 0 });
    await expect(build(w, { from: 'labels' })).rejects.toMatchObject({ code: 'pairs_no_labels' });
    w.catalog.forget([a]);
    const rows = w.catalog.database.prepare('SELECT count(*) AS n FROM pairs WHERE episode_id = ?').get(a) as {
      n: number;
    };
    expect(rows.n).toBe(0);
  }, 120_000);
});

describe('builds that cannot work', () => {
  it('say there are no labelled attempts and how to label them', async () => {
    const w = workspace();
    await expect(build(w, { from: 'labels' })).rejects.toMatchObject({
      code: 'pairs_no_labels',
      message: expect.stringMatching(/no labelled attempts: label attempts good or bad .*coach episodes label/),
    });
    await expect(build(w, { from: 'gta' })).rejects.toMatchObject({ code: 'pairs_no_episodes' });
    await expect(build(w, { from: 'all' })).rejects.toMatchObject({ code: 'pairs_no_labels' });
    await expect(build(w, { k: 1 })).rejects.toThrow(/must be a whole number from 2 to 64/);
  });

  it('refuse a model whose action space differs from the episodes and say which model to use', async () => {
    const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-joint-model-'));
    temp.push(modelDir);
    fs.cpSync(TEST_MODEL, modelDir, { recursive: true });
    const manifestFile = path.join(modelDir, 'manifest.json');
    const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as {
      action: { space: string; names: string[] };
    };
    manifest.action.space = 'joint_delta';
    manifest.action.names = ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'gripper'];
    fs.writeFileSync(manifestFile, JSON.stringify(manifest));
    const jointPolicy = await loadPairPolicy(modelDir, ['cpu']);
    try {
      const w = workspace();
      w.catalog.label([ids[0]!], 'good');
      await expect(build(w, { from: 'labels' }, jointPolicy)).rejects.toMatchObject({
        code: 'pairs_action_space',
        message: expect.stringMatching(
          /recorded with actions ee_delta, 7 dims \[dx, .*\] × 5; the model acts in joint_delta, 7 dims \[j1, .*--model DIR/,
        ),
      });
      expect(w.store.list().total).toBe(0);
    } finally {
      await jointPolicy.release();
    }
  }, 60_000);

  it('name the missing frame and what to do; other episodes still give their pairs', async () => {
    const w = workspace();
    const [a, b] = ids as [number, number];
    w.catalog.label([a], 'good');
    const reader = await EpisodeReader.open(episodeDir(w.root, a), a);
    const gone = (await episodeObservations(reader, 'scene'))[1]!.frameFile;
    fs.rmSync(gone);
    await expect(build(w, { from: 'labels' })).rejects.toMatchObject({
      code: 'pairs_missing_frames',
      message: expect.stringContaining(`the frame ${gone} (camera "scene", step 5) is missing. Restore the episode`),
    });

    w.catalog.label([b], 'good');
    const result = await build(w, { from: 'labels' });
    expect(result).toMatchObject({ built: 3, episodesUsed: [b] });
    expect(result.episodesSkipped).toContainEqual({
      id: a,
      code: 'pairs_missing_frames',
      reason: expect.stringContaining(gone),
    });
  }, 60_000);
});
