import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/main/cli/runCli';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { writeBcDatasetFile } from '../../../src/main/training/bc/bcDatasetFile';
import { TrainingCancelledError } from '../../../src/main/training/bc/trainingErrors';
import { TrainingRunner } from '../../../src/main/training/trainingRunner';
import type { TrainingProgress } from '../../../src/main/training/trainingTypes';
import { syntheticDataset } from '../../unit/main/training/bc/syntheticDataset';
import { COMMITTED, tempDir } from './trainingFixtures';

const APP_ROOT = path.resolve(__dirname, '../../..');

describe('training in a worker thread', () => {
  let dir: string;
  let data: string;
  beforeAll(async () => {
    dir = await tempDir('bc-worker');
    data = path.join(dir, 'data.bc');
    writeBcDatasetFile(data, syntheticDataset({ size: 5 }), { widthPx: 224, heightPx: 224 });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('runs a job to the end while the main loop stays free, reporting progress', async () => {
    const progress: TrainingProgress[] = [];
    const runner = TrainingRunner.start(
      {
        modelDir: COMMITTED,
        dataset: { kind: 'file', path: data },
        outDir: path.join(dir, 'trained'),
        steps: 20,
        batchSize: 4,
        jobId: 7,
        progressEverySteps: 5,
      },
      { appRoot: APP_ROOT, onProgress: (p) => progress.push(p) },
    );
    // The main loop keeps turning while the worker trains.
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 10);
    const result = await runner.result;
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(5);
    expect(result.steps).toBe(20);
    expect(progress.every((p) => p.jobId === 7)).toBe(true);
    expect(progress.filter((p) => p.phase === 'training').map((p) => p.step)).toEqual([0, 5, 10, 15, 20]);
    expect(runner.progress?.phase).toBe('done');
    expect((await loadModelPackage(result.outDir)).manifest.version).toBe('1.0.0+bc');
  }, 120_000);

  it('cancel stops the job promptly and leaves no package', async () => {
    const outDir = path.join(dir, 'cancelled');
    let runner: TrainingRunner | null = null;
    let cancelledAt = 0;
    runner = TrainingRunner.start(
      {
        modelDir: COMMITTED,
        dataset: { kind: 'file', path: data },
        outDir,
        steps: 100_000,
        batchSize: 4,
        progressEverySteps: 1,
      },
      {
        appRoot: APP_ROOT,
        onProgress: (p) => {
          if (p.phase === 'training' && p.step >= 3 && !cancelledAt) {
            cancelledAt = performance.now();
            runner!.cancel();
          }
        },
      },
    );
    await expect(runner.result).rejects.toBeInstanceOf(TrainingCancelledError);
    expect(performance.now() - cancelledAt).toBeLessThan(2000);
    expect(runner.progress?.phase).toBe('cancelled');
    await expect(fs.stat(outDir)).rejects.toThrow(/ENOENT/);
    expect((await fs.readdir(dir)).filter((name) => name.includes('cancelled'))).toEqual([]);
  }, 120_000);

  it('coach train trains from a dataset file, in-process and in the worker', async () => {
    for (const worker of [false, true]) {
      const out = path.join(dir, `cli-${worker}`);
      const code = await runCli([
        'train',
        '--model',
        COMMITTED,
        '--data',
        data,
        '--out',
        out,
        '--steps',
        '6',
        '--batch',
        '2',
        '--checkpoint-every',
        '3',
        '--trained',
        '--version',
        '2.0.0',
        ...(worker ? ['--worker'] : []),
      ]);
      expect(code).toBe(0);
      const pkg = await loadModelPackage(out);
      expect(pkg.manifest).toMatchObject({ version: '2.0.0', trained: true });
      await expect(fs.stat(`${out}.ckpt`)).resolves.toBeTruthy();
    }
    expect(await runCli(['train', '--model', COMMITTED, '--out', path.join(dir, 'x')])).toBe(2);
  }, 120_000);
});
