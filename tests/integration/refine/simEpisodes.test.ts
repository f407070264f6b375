import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE, episodeDir } from '../../../src/main/episodes/store/episodeFormat';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { buildPairsWithModel } from '../../../src/main/refine/pairs/buildPairs';
import { PairStore } from '../../../src/main/refine/pairs/pairStore';
import { recordSimAttempt } from '../../../src/main/refine/recordSimAttempt';
import { recordSimDemonstration, SIM_EXPERT_MODEL } from '../../../src/main/refine/recordSimDemonstration';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import { MAX_DISTRACTORS } from '../../../src/shared/sim/world/sceneGenerator';
import { rollOutDemo } from '../../../src/main/training/demonstrations/demoRollout';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../../src/shared/sim/world/tabletopWorld';

const repoRoot = path.resolve(__dirname, '../../..');
const TEST_MODEL = path.join(repoRoot, 'resources/models/coach-test');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function episodesFolder() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-sim-episodes-'));
  dirs.push(root);
  return { root, catalog: new EpisodeCatalog(path.join(root, CATALOG_FILE)) };
}

describe('sim attempts and demonstrations recorded as episodes', () => {
  it('an attempt keeps every executed step, a picture per chunk and its outcome', async () => {
    const episodes = episodesFolder();
    const chain = loadArmChain(repoRoot);
    const loaded = await loadPackagePolicy(TEST_MODEL);
    try {
      const seed = sceneSeed('train', 'pick_up', 3);
      const { episodeId, result } = await recordSimAttempt(chain, loaded.policy, loaded.model, episodes, {
        template: 'pick_up',
        seed,
        maxStrokes: 4,
        noiseSeed: 0,
      });
      const summary = episodes.catalog.get(episodeId);
      expect(summary).toMatchObject({ seed, strokes: result.strokes, steps: result.steps, modelName: 'coach-test' });
      const reader = await EpisodeReader.open(episodeDir(episodes.root, episodeId), episodeId);
      const steps = await reader.steps();
      expect(steps).toHaveLength(result.steps);
      expect(steps.filter((step) => step.chunk).length).toBe(result.strokes);
      expect(reader.header.policyCamera).toBe(loaded.policy.cameras[0]!.name);
      expect(await reader.frameIndex(loaded.policy.cameras[0]!.name)).toHaveLength(result.strokes);
    } finally {
      await loaded.release();
      episodes.catalog.close();
    }
  });

  it("a demonstration is the scripted expert's successful episode, and gives GTA pairs around its chunks", async () => {
    const episodes = episodesFolder();
    const chain = loadArmChain(repoRoot);
    const loaded = await loadPackagePolicy(TEST_MODEL);
    await loaded.release();
    const seed = sceneSeed('train', 'pick_up', 1000);
    const id = await recordSimDemonstration(chain, loaded.policy, episodes, { template: 'pick_up', seed });
    expect(id).not.toBeNull();
    const expert = rollOutDemo(
      chain,
      { template: 'pick_up', seed, distractors: MAX_DISTRACTORS, noiseStd: 0 },
      { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, maxSteps: 400, dtS: 0.1 },
    );
    expect(expert.success).toBe(true);
    const summary = episodes.catalog.get(id!);
    expect(summary).toMatchObject({ outcome: 'success', modelName: SIM_EXPERT_MODEL.name });
    expect(summary.steps).toBe(expert.steps.length);
    episodes.catalog.label([id!], 'good');
    const store = new PairStore(episodes.catalog);
    const built = await buildPairsWithModel({ ...episodes, store }, TEST_MODEL, { from: 'gta' });
    expect(built.bySource.gta).toBe(Math.ceil(expert.steps.length / 5));
    const reader = await EpisodeReader.open(episodeDir(episodes.root, id!), id!);
    const recorded = await reader.steps();
    expect(recorded.map((step) => step.action)).toEqual(expert.steps.map((step) => [...step.action]));
    const firstChunk = recorded[0]!.chunk!;
    const pair = store.eligiblePairs().find((p) => p.stepIndex === 0)!;
    // GTA ranks samples by their distance to the expert's chunk: the chosen one is the nearer.
    const distance = (chunk: number[][]) =>
      chunk.flat().reduce((sum, value, i) => sum + Math.abs(value - firstChunk.flat()[i]!), 0);
    expect(distance(pair.chosen)).toBeLessThan(distance(pair.rejected));
    episodes.catalog.close();
  });
});
