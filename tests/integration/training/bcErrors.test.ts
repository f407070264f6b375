import fs from 'node:fs/promises';
import path from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import * as onnx from 'onnx-buf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainBehaviourCloning, TrainingError } from '../../../src/main/training/bc';
import { syntheticDataset } from '../../unit/main/training/bc/syntheticDataset';
import { COMMITTED, tempDir } from './trainingFixtures';

describe('behaviour cloning refuses bad inputs clearly, before training', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('bc-errors');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const base = { modelDir: COMMITTED, steps: 5, batchSize: 2 };

  it('a dataset whose action chunks disagree with the manifest', async () => {
    const error = await trainBehaviourCloning({
      ...base,
      dataset: syntheticDataset({ size: 3, actionValues: 28 }),
      outDir: path.join(dir, 'out'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect((error as TrainingError).code).toBe('training_invalid_data');
    expect((error as Error).message).toBe(
      "dataset sample 0: has 28 action values, but the package's chunk is 5 actions × 7 dims = 35",
    );
  });

  it('a graph with an operator the interpreter does not run', async () => {
    const pkgDir = path.join(dir, 'softplus');
    await fs.cp(COMMITTED, pkgDir, { recursive: true });
    const model = fromBinary(onnx.ModelProtoSchema, await fs.readFile(path.join(pkgDir, 'expert.onnx')));
    const node = model.graph!.node.find((n) => n.opType === 'Sin')!;
    node.opType = 'Softplus';
    await fs.writeFile(path.join(pkgDir, 'expert.onnx'), toBinary(onnx.ModelProtoSchema, model));
    const error = await trainBehaviourCloning({
      ...base,
      modelDir: pkgDir,
      dataset: syntheticDataset({ size: 3 }),
      outDir: path.join(dir, 'out'),
    }).catch((e: unknown) => e);
    expect((error as TrainingError).code).toBe('training_unsupported_graph');
    expect((error as Error).message).toMatch(
      new RegExp(`^expert\\.onnx: unsupported operator Softplus at node "${node.name}" \\(#\\d+\\)`),
    );
  });

  it('an output folder that already holds files, and impossible hyperparameters', async () => {
    const taken = path.join(dir, 'taken');
    await fs.mkdir(taken);
    await fs.writeFile(path.join(taken, 'keep.txt'), 'x');
    await expect(
      trainBehaviourCloning({ ...base, dataset: syntheticDataset({ size: 3 }), outDir: taken }),
    ).rejects.toThrow(/already holds files/);
    await expect(
      trainBehaviourCloning({
        ...base,
        dataset: syntheticDataset({ size: 3 }),
        outDir: path.join(dir, 'o'),
        batchSize: 0,
      }),
    ).rejects.toThrow('the batch size must be a whole number from 1 to 4096, got 0');
    await expect(
      trainBehaviourCloning({ ...base, dataset: syntheticDataset({ size: 0 }), outDir: path.join(dir, 'o') }),
    ).rejects.toThrow('the dataset has 0 samples; training needs at least one');
    expect(await fs.readFile(path.join(taken, 'keep.txt'), 'utf8')).toBe('x');
  });
});
