import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../../src/main/episodes/store/episodeFormat';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { pairFrameFile } from '../../../src/main/refine/pairs/pairCameraFrames';
import { recordSimDemonstration } from '../../../src/main/refine/recordSimDemonstration';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { renderPolicyImage } from '../../../src/main/sim/render/sceneRenderer';
import { GoalFrames } from '../../../src/main/worldModel/goalFrames';
import { GoalProgressService, GoalProgressTracker, progressFraction } from '../../../src/main/worldModel/goalProgress';
import { defaultWorldModelPath } from '../../../src/main/worldModel/pairRewardChoice';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import { generateScene } from '../../../src/shared/sim/world/sceneGenerator';
import { GRIPPER_MAX_STROKE_MM } from '../../../src/shared/robot/a1Spec';

const repoRoot = path.resolve(__dirname, '../../..');
const chain = loadArmChain(repoRoot);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('progressFraction', () => {
  it('is the share of the starting energy made up, kept within 0 … 1', () => {
    expect(progressFraction(0.4, 0.4)).toBe(0);
    expect(progressFraction(0.1, 0.4)).toBeCloseTo(0.75, 10);
    expect(progressFraction(0, 0.4)).toBe(1);
    expect(progressFraction(0.6, 0.4)).toBe(0);
    expect(progressFraction(0, 0)).toBe(1);
  });
});

describe('GoalProgressService', () => {
  it('reads 0 where the attempt starts and the whole way at the goal frame itself', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-goal-progress-'));
    const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
    cleanups.push(
      () => fs.rmSync(root, { recursive: true, force: true }),
      () => catalog.close(),
    );
    const loaded = await loadPackagePolicy(path.join(repoRoot, 'resources/models/coach-test'));
    const seed = sceneSeed('train', 'put_in', 1002);
    const id = await recordSimDemonstration(chain, loaded.policy, { root, catalog }, { template: 'put_in', seed });
    await loaded.release();
    const instruction = catalog.get(id!).instruction;
    const service = new GoalProgressService({ root, catalog }, () => defaultWorldModelPath(repoRoot));
    cleanups.push(() => service.close());

    const tracker = await service.start(instruction);
    expect(tracker).toBeInstanceOf(GoalProgressTracker);
    const chunk = new Float32Array(5 * 7);
    const scene = generateScene(seed, { template: 'put_in' });
    const start = await (tracker as GoalProgressTracker).observe({
      images: {
        scene: {
          format: 'rgb24',
          widthPx: 160,
          heightPx: 120,
          data: renderPolicyImage(scene, chain, 'scene', 160, 120),
        },
      },
      instruction,
      robotState: [...scene.armQRad, scene.gripperOpeningMm / GRIPPER_MAX_STROKE_MM],
      chunk,
      actionSpace: 'ee_delta',
    });
    expect(start).toMatchObject({ state: 'on', fraction: 0, goal: { episodeId: id } });

    const goal = (await new GoalFrames(root, catalog, { widthPx: 160, heightPx: 120 }).forTask(
      instruction.toLowerCase(),
    ))!;
    const there = await (tracker as GoalProgressTracker).observe({
      images: { scene: { format: 'rgb24', widthPx: goal.widthPx, heightPx: goal.heightPx, data: goal.rgb } },
      instruction,
      robotState: goal.robotState,
      chunk,
      actionSpace: 'ee_delta',
    });
    expect(there).toMatchObject({ state: 'on', fraction: 1, energy: 0 });

    // A real camera's JPEG (here the goal frame's own recorded file, 224 × 224) is decoded to the world
    // model's size as the goal frame was: the same picture, so the same reading.
    const jpeg = new Uint8Array(fs.readFileSync(pairFrameFile(root, goal.ref)));
    const fromJpeg = await (tracker as GoalProgressTracker).observe({
      images: { scene: { format: 'jpeg', widthPx: 224, heightPx: 224, data: jpeg } },
      instruction,
      robotState: goal.robotState,
      chunk,
      actionSpace: 'ee_delta',
    });
    expect(fromJpeg).toMatchObject({ state: 'on', fraction: 1, energy: 0 });
  }, 60_000);

  it('says why there is no reading when the world model does not load', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-goal-progress-'));
    const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
    cleanups.push(
      () => fs.rmSync(root, { recursive: true, force: true }),
      () => catalog.close(),
    );
    const service = new GoalProgressService({ root, catalog }, () => path.join(root, 'no-such-world-model'));
    expect(await service.start('pick up the orange')).toMatch(/^the world model did not load: /);
  });
});
