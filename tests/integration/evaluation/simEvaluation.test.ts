import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../src/main/evaluation/evaluatePolicy';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { runSimAttempt, type ChunkPolicy } from '../../../src/main/evaluation/simAttempt';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { evaluationRequestSchema } from '../../../src/shared/evaluation/evaluationTypes';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import { runExpertEpisode } from '../../../src/shared/sim/world/scriptedExpert';
import type { TaskTemplate } from '../../../src/shared/sim/world/tasks';

const repoRoot = path.resolve(__dirname, '../../..');
const chain = loadArmChain(repoRoot);
const action = {
  space: 'ee_delta' as const,
  chunkLength: 5,
  dims: 7,
  names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
  normalization: {
    q01: [0, 0, 0, 0, 0, 0, 0],
    q99: [1, 1, 1, 1, 1, 1, 1],
    mask: [false, false, false, false, false, false, false],
  },
  gripper: { dim: 6, closedValue: 0, openValue: 1 },
};

/** A "policy" that replays the scripted expert's actions for a scene, chunk by chunk (it ignores the image). */
function expertReplay(template: TaskTemplate, seed: number): ChunkPolicy {
  const expert = runExpertEpisode(chain, seed, { template });
  let next = 0;
  return {
    action: action as ChunkPolicy['action'],
    controlRateHz: 10,
    cameras: [{ name: 'scene', widthPx: 64, heightPx: 64 }],
    async infer() {
      const chunk = new Float32Array(5 * 7);
      for (let i = 0; i < 5; i += 1) {
        // After the expert's last action, hold still with the gripper as it was.
        const a = expert.actions[Math.min(next + i, expert.actions.length - 1)]!;
        chunk.set(next + i < expert.actions.length ? a : [0, 0, 0, 0, 0, 0, a[6]], i * 7);
      }
      next += 5;
      return chunk;
    },
  };
}

describe('the sim evaluation harness', () => {
  it('counts a success, its strokes and time when the expert is replayed through it', async () => {
    for (const template of ['put_in', 'pick_up', 'move_near'] as const) {
      const seed = sceneSeed('train', template, 3);
      const expert = runExpertEpisode(chain, seed, { template });
      expect(expert.success, `${template}: the expert solves seed ${seed}`).toBe(true);
      const result = await runSimAttempt(chain, expertReplay(template, seed), template, seed, {
        maxStrokes: 100,
        noiseSeed: 0,
      });
      expect(result.success, `${template}: ${result.reason}`).toBe(true);
      expect(result.strokes).toBeLessThanOrEqual(Math.ceil(expert.steps / 5));
      expect(result.expertStrokes).toBe(Math.ceil(expert.steps / 5));
      expect(result.timeToSuccessS).toBeCloseTo(result.steps * 0.1, 9);
      expect(result.distractorGrasps).toBe(0);
    }
  });

  it('a policy that drives into the table is stopped as the governor would stop it', async () => {
    const down: ChunkPolicy = {
      ...expertReplay('pick_up', 1),
      async infer() {
        return new Float32Array(35).map((_, i) => (i % 7 === 2 ? -0.02 : i % 7 === 6 ? 1 : 0));
      },
    };
    const result = await runSimAttempt(chain, down, 'pick_up', sceneSeed('train', 'pick_up', 1), {
      maxStrokes: 100,
      noiseSeed: 0,
    });
    expect(result.success).toBe(false);
    expect(result.reason).toMatch(/refused: the target leaves the workspace: the tool would be/);
    expect(result.timeToSuccessS).toBeNull();
  });

  it('evaluates a model package on held-out scenes, reproducibly, and the report is stored with its version', async () => {
    const loaded = await loadPackagePolicy(path.join(repoRoot, 'resources/models/coach-test'));
    const request = evaluationRequestSchema.parse({
      modelPath: loaded.model.path,
      episodesPerTemplate: 2,
      maxStrokes: 8,
    });
    const first = await evaluatePolicy(chain, loaded.policy, loaded.model, request);
    const second = await evaluatePolicy(chain, loaded.policy, loaded.model, request);
    await loaded.release();
    expect(first.episodes).toHaveLength(6);
    expect(first.episodes.every((episode) => episode.seed >= 1_000_000_000)).toBe(true);
    expect(new Set(first.episodes.map((episode) => episode.seed)).size).toBe(6);
    expect(second.episodes).toEqual(first.episodes);
    expect(first.overall.episodes).toBe(6);
    expect(Object.keys(first.byTemplate).sort()).toEqual(['move_near', 'pick_up', 'put_in']);
    expect(first.overall.successInterval95[1]).toBeGreaterThan(first.overall.successRate);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-eval-'));
    const catalog = new EpisodeCatalog(path.join(dir, 'catalog.sqlite'));
    const id = catalog.saveEvaluation(first);
    const [stored] = catalog.evaluations('coach-test');
    expect(stored).toMatchObject({ id, model: { name: 'coach-test', version: '1.0.0' } });
    expect(stored!.episodes).toEqual(first.episodes);
    catalog.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
