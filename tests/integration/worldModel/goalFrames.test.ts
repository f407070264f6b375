import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE, episodeDir } from '../../../src/main/episodes/store/episodeFormat';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { robotStateFromMotorsRad } from '../../../src/main/refine/pairs/episodeObservations';
import { recordSimDemonstration } from '../../../src/main/refine/recordSimDemonstration';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { GoalFrames } from '../../../src/main/worldModel/goalFrames';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import type { TaskTemplate } from '../../../src/shared/sim/world/tasks';

const repoRoot = path.resolve(__dirname, '../../..');
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function recordDemonstration(template: TaskTemplate) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-goal-frames-'));
  dirs.push(root);
  const episodes = { root, catalog: new EpisodeCatalog(path.join(root, CATALOG_FILE)) };
  const loaded = await loadPackagePolicy(path.join(repoRoot, 'resources/models/coach-test'));
  try {
    const id = await recordSimDemonstration(loadArmChain(repoRoot), loaded.policy, episodes, {
      template,
      seed: sceneSeed('train', template, 1001),
    });
    expect(id).not.toBeNull();
    return { episodes, id: id! };
  } finally {
    await loaded.release();
  }
}

/** The gripper opening fraction the episode recorded at each frame of its policy camera, in order. */
async function openingsAtFrames(root: string, id: number) {
  const reader = await EpisodeReader.open(episodeDir(root, id), id);
  const frames = (await reader.frameIndex(reader.header.policyCamera!)).slice().sort((a, b) => a.tS - b.tS);
  const steps = await reader.steps();
  return frames.map((frame) => ({
    frameIndex: frame.i,
    opening: robotStateFromMotorsRad(steps.filter((step) => step.tS <= frame.tS).at(-1)!.stateRad)[6]!,
  }));
}

describe('goal frames of recorded episodes', () => {
  it('take the frame where a put-in let go of the object, with the arm state of that frame', async () => {
    const { episodes, id } = await recordDemonstration('put_in');
    const goal = await new GoalFrames(episodes.root, episodes.catalog, { widthPx: 64, heightPx: 48 }).forEpisode(
      episodes.catalog.get(id),
    );
    const frames = await openingsAtFrames(episodes.root, id);
    const at = frames.findIndex((frame) => frame.frameIndex === goal!.ref.frameIndex);
    // Not the last frame: the fingers open after it, by more than a few millimetres' worth of stroke …
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(frames.length - 1);
    expect(frames.at(-1)!.opening - frames[at]!.opening).toBeGreaterThan(0.1);
    // … and they were not opening into it (the object still held).
    expect(frames[at - 1]!.opening).toBeLessThanOrEqual(frames[at]!.opening + 1e-6);
    expect(goal!.robotState[6]).toBeCloseTo(frames[at]!.opening, 6);
    expect(goal!.rgb.length).toBe(64 * 48 * 3);
    episodes.catalog.close();
  }, 120_000);

  it('take the last frame of a pick-up, which ends holding the object', async () => {
    const { episodes, id } = await recordDemonstration('pick_up');
    const goal = await new GoalFrames(episodes.root, episodes.catalog, { widthPx: 64, heightPx: 48 }).forEpisode(
      episodes.catalog.get(id),
    );
    const frames = await openingsAtFrames(episodes.root, id);
    expect(goal!.ref.frameIndex).toBe(frames.at(-1)!.frameIndex);
    episodes.catalog.close();
  }, 120_000);
});
