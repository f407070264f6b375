import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadBcCheckpoint,
  trainBehaviourCloning,
  TrainingCancelledError,
  type BcTrainingOptions,
} from '../../../src/main/training/bc';
import { syntheticDataset } from '../../unit/main/training/bc/syntheticDataset';
import { COMMITTED, maxAbsDiff, packageWeights, tempDir } from './trainingFixtures';

describe('checkpoints and cancelling', () => {
  let dir: string;
  const dataset = syntheticDataset({ size: 6 });
  const run = (outDir: string, extra: Partial<BcTrainingOptions>) =>
    trainBehaviourCloning({
      modelDir: COMMITTED,
      dataset,
      outDir: path.join(dir, outDir),
      steps: 30,
      batchSize: 4,
      learningRate: 2e-3,
      warmupSteps: 5,
      seed: 11,
      progressEverySteps: 1,
      ...extra,
    });

  beforeAll(async () => {
    dir = await tempDir('bc-resume');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('a cancelled run stops within a step, writes no package, and resuming its checkpoint reaches the uninterrupted weights', async () => {
    const uninterrupted = await run('full', {});

    const abort = new AbortController();
    let abortedAt = 0;
    const checkpointPath = path.join(dir, 'interrupted.ckpt');
    const interrupted = run('interrupted', {
      checkpoint: { path: checkpointPath, everySteps: 10 },
      signal: abort.signal,
      onProgress: (progress) => {
        if (progress.phase === 'training' && progress.step >= 14 && !abort.signal.aborted) {
          abortedAt = performance.now();
          abort.abort();
        }
      },
    });
    const error = await interrupted.catch((e: unknown) => e);
    const stopMs = performance.now() - abortedAt;
    expect(error).toBeInstanceOf(TrainingCancelledError);
    expect((error as TrainingCancelledError).step).toBe(14);
    expect(stopMs).toBeLessThan(1000);
    // Nothing partial: no output folder, no staging folder, no half-written checkpoint.
    expect((await fs.readdir(dir)).sort()).toEqual(['full', 'interrupted.ckpt']);
    const checkpoint = await loadBcCheckpoint(checkpointPath);
    expect(checkpoint.meta.step).toBe(10);
    expect(checkpoint.meta.rng).toEqual({ seed: 11, scheme: 'drawStep(seed, step)' });

    // Resume with no hyperparameters: they come from the checkpoint.
    const resumed = await trainBehaviourCloning({
      modelDir: COMMITTED,
      dataset,
      outDir: path.join(dir, 'resumed'),
      resumeFrom: checkpointPath,
    });
    expect(resumed.startStep).toBe(10);
    expect(resumed.losses).toHaveLength(20);
    expect(resumed.losses).toEqual(uninterrupted.losses.slice(10));
    const difference = maxAbsDiff(await packageWeights(resumed.outDir), await packageWeights(uninterrupted.outDir));
    console.info(`resumed vs uninterrupted: max abs weight difference ${difference}`);
    expect(difference).toBeLessThanOrEqual(1e-6);
  }, 120_000);

  it('refuses to resume with different hyperparameters or from another package', async () => {
    const checkpointPath = path.join(dir, 'interrupted.ckpt');
    await expect(
      trainBehaviourCloning({
        modelDir: COMMITTED,
        dataset,
        outDir: path.join(dir, 'x'),
        resumeFrom: checkpointPath,
        learningRate: 1e-3,
      }),
    ).rejects.toThrow(
      "resuming needs the checkpoint's hyperparameters; these differ: learningRate 0.001 (checkpoint: 0.002)",
    );
    await expect(
      trainBehaviourCloning({
        modelDir: COMMITTED,
        dataset: syntheticDataset({ size: 7 }),
        outDir: path.join(dir, 'x'),
        resumeFrom: checkpointPath,
      }),
    ).rejects.toThrow("the checkpoint's run had 6 samples, this dataset has 7");
  });
});
