import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../../src/main/episodes/store/episodeFormat';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { episodeDir } from '../../../src/main/episodes/store/episodeFormat';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { buildPairsWithModel } from '../../../src/main/refine/pairs/buildPairs';
import { PairStore } from '../../../src/main/refine/pairs/pairStore';
import { recordSimAttempt } from '../../../src/main/refine/recordSimAttempt';
import { recordSimDemonstration } from '../../../src/main/refine/recordSimDemonstration';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { openPairReward } from '../../../src/main/worldModel/pairRewardChoice';
import { writeTestWorldModelPackage } from '../../../src/main/worldModel/testWorldModel';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';

const repoRoot = path.resolve(__dirname, '../../..');
const TEST_MODEL = path.join(repoRoot, 'resources/models/coach-test');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function temporary(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** One scripted-expert success (the goal's source) and one short failed attempt, same task, as episodes. */
async function recordTwo() {
  const root = temporary('coach-wm-pairs-');
  const episodes = { root, catalog: new EpisodeCatalog(path.join(root, CATALOG_FILE)) };
  const chain = loadArmChain(repoRoot);
  const loaded = await loadPackagePolicy(TEST_MODEL);
  try {
    const seed = sceneSeed('train', 'pick_up', 1000);
    const demoId = await recordSimDemonstration(chain, loaded.policy, episodes, { template: 'pick_up', seed });
    expect(demoId).not.toBeNull();
    const attempt = await recordSimAttempt(chain, loaded.policy, loaded.model, episodes, {
      template: 'pick_up',
      seed,
      maxStrokes: 3,
      noiseSeed: 0,
    });
    expect(attempt.result.success).toBe(false);
    return { episodes, demoId: demoId!, attemptId: attempt.episodeId };
  } finally {
    await loaded.release();
  }
}

describe('pairs ranked by a world model', () => {
  it('WM + 0.1·GTA keeps both scores per side and the goal frame (a pick-up demonstration’s own last frame: it ends holding the object)', async () => {
    const { episodes, demoId } = await recordTwo();
    const wmDir = temporary('coach-wm-package-');
    await writeTestWorldModelPackage(wmDir, { withInstruction: true, withRobotState: true, latentSize: 16 });
    const store = new PairStore(episodes.catalog);
    const reward = await openPairReward({ reward: 'wm+gta', worldModelPath: wmDir }, episodes, repoRoot);
    try {
      const built = await buildPairsWithModel({ ...episodes, store }, TEST_MODEL, {
        from: 'gta',
        reward: reward.reward,
        goals: reward.goals!,
        episodeIds: [demoId],
      });
      expect(built.bySource.wm).toBeGreaterThan(3);
    } finally {
      await reward.release();
    }
    const reader = await EpisodeReader.open(episodeDir(episodes.root, demoId), demoId);
    const frames = await reader.frameIndex(reader.header.policyCamera!);
    const pairs = store.eligiblePairs();
    for (const pair of pairs) {
      expect(pair.source).toBe('wm');
      expect(pair.scores.reward).toBe('wm+0.1*gta');
      const { wm, gta } = pair.scores.parts!;
      expect(wm).toBeDefined();
      expect(gta).toBeDefined();
      // The total is the energy plus a tenth of the distance to the executed chunk, for both sides …
      expect(pair.scores.chosen).toBeCloseTo(wm!.chosen + 0.1 * gta!.chosen, 5);
      expect(pair.scores.rejected).toBeCloseTo(wm!.rejected + 0.1 * gta!.rejected, 5);
      // … the chosen side the lower total.
      expect(pair.scores.chosen).toBeLessThan(pair.scores.rejected);
      expect(pair.goal).toEqual({
        episodeId: demoId,
        camera: reader.header.policyCamera,
        frameIndex: frames.at(-1)!.i,
      });
    }
    episodes.catalog.close();
  }, 120_000);

  it('WM alone pairs an unlabelled failure (no ground truth) against the latest success of its task, and says when there is none', async () => {
    const { episodes, demoId, attemptId } = await recordTwo();
    const wmDir = temporary('coach-wm-package-');
    await writeTestWorldModelPackage(wmDir, { withInstruction: true, withRobotState: true, latentSize: 16 });
    const store = new PairStore(episodes.catalog);
    const reward = await openPairReward({ reward: 'wm', worldModelPath: wmDir }, episodes, repoRoot);
    const build = () =>
      buildPairsWithModel({ ...episodes, store }, TEST_MODEL, {
        from: 'gta',
        reward: reward.reward,
        goals: reward.goals!,
        episodeIds: [attemptId],
      });
    try {
      // Without a success of the task (the demonstration excluded), there is no goal frame: said, not guessed.
      episodes.catalog.setExcluded([demoId], true);
      await expect(build()).rejects.toThrow(/no goal frame for the world model/);
      episodes.catalog.setExcluded([demoId], false);

      const built = await build();
      // Every chunk of the failed, unlabelled attempt gets a pair: the world model needs no ground truth.
      expect(built.bySource.wm).toBe(episodes.catalog.get(attemptId).strokes);
      const pair = store.eligiblePairs()[0]!;
      expect(pair.scores.reward).toBe('wm');
      expect(pair.scores.parts).toBeUndefined();
      expect(pair.goal?.episodeId).toBe(demoId);
    } finally {
      await reward.release();
      episodes.catalog.close();
    }
  }, 120_000);
});
