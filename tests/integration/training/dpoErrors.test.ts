import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainDpo, TrainingError, type DpoTrainingOptions } from '../../../src/main/training/dpo';
import type { TrainingProgress } from '../../../src/main/training/trainingTypes';
import { syntheticPairs } from '../../unit/main/training/dpo/syntheticPairs';
import { COMMITTED, tempDir } from './trainingFixtures';

describe('DPO refinement refuses bad inputs clearly', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('dpo-errors');
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  const refusal = async (options: Partial<DpoTrainingOptions>) => {
    const phases: TrainingProgress['phase'][] = [];
    const error = await trainDpo({
      modelDir: COMMITTED,
      pairs: syntheticPairs({ size: 3 }),
      outDir: path.join(dir, 'out'),
      steps: 5,
      batchSize: 2,
      onProgress: (p) => phases.push(p.phase),
      ...options,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingError);
    expect(phases.at(-1)).toBe('failed');
    await expect(fs.stat(path.join(dir, 'out'))).rejects.toThrow(/ENOENT/);
    return { code: (error as TrainingError).code, message: (error as Error).message };
  };

  it('no pairs', async () => {
    expect(await refusal({ pairs: syntheticPairs({ size: 0 }) })).toEqual({
      code: 'training_no_pairs',
      message:
        'there are no preference pairs to learn from (0); build pairs from labelled attempts or demonstrations first',
    });
  });

  it("pairs in another model's action space: chunk shape, space or dim names", async () => {
    expect(await refusal({ pairs: syntheticPairs({ size: 3, chunkLength: 4 }) })).toEqual({
      code: 'training_action_space_mismatch',
      message:
        "pair 0: its chosen chunk has 28 values, but coach-test 1.0.0 acts in chunks of 5 actions × 7 dims = 35; pairs built for another model's action space cannot refine this one",
    });
    const late = syntheticPairs({ size: 3 }, (pair, index) =>
      index === 2 ? { ...pair, rejected: pair.rejected.slice(0, 30) } : pair,
    );
    expect((await refusal({ pairs: late })).message).toMatch(/^pair 2: its rejected chunk has 30 values/);
    const joints = syntheticPairs({ size: 3 }, (pair) => ({ ...pair, actionSpace: 'joint_delta' }));
    expect(await refusal({ pairs: joints })).toEqual({
      code: 'training_action_space_mismatch',
      message:
        "pair 0: its chunks are joint_delta actions, coach-test 1.0.0's are ee_delta; pairs built for another model's action space cannot refine this one",
    });
    const names = syntheticPairs({ size: 3 }, (pair) => ({
      ...pair,
      actionNames: ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'gripper'],
    }));
    expect((await refusal({ pairs: names })).message).toMatch(
      /^pair 0: its action dims are \[j1, j2, j3, j4, j5, j6, gripper\], coach-test 1\.0\.0's are \[dx, dy, dz, droll, dpitch, dyaw, gripper\]/,
    );
  });

  it('pictures of the wrong size and chunks that are not finite', async () => {
    expect(await refusal({ pairs: syntheticPairs({ size: 3, widthPx: 160, heightPx: 120 }) })).toEqual({
      code: 'training_invalid_data',
      message: 'pair 0: its "scene" picture has 57600 bytes; that camera needs 224×224 RGB = 150528',
    });
    const nan = syntheticPairs({ size: 3 }, (pair, index) =>
      index === 1 ? { ...pair, chosen: pair.chosen.map((v, k) => (k === 3 ? NaN : v)) } : pair,
    );
    expect(await refusal({ pairs: nan })).toEqual({
      code: 'training_invalid_data',
      message: 'pair 1: its chosen chunk has values that are not finite numbers',
    });
  });

  it('a package that does not load', async () => {
    const broken = path.join(dir, 'broken-manifest');
    await fs.cp(COMMITTED, broken, { recursive: true });
    await fs.writeFile(path.join(broken, 'manifest.json'), '{"format": ');
    const manifest = await refusal({ modelDir: broken });
    expect(manifest.code).toBe('training_invalid_package');
    expect(manifest.message).toMatch(
      new RegExp(`^the model package at ${broken} cannot be refined: manifest\\.json: is not valid JSON`),
    );

    const truncated = path.join(dir, 'truncated-expert');
    await fs.cp(COMMITTED, truncated, { recursive: true });
    const bytes = await fs.readFile(path.join(truncated, 'expert.onnx'));
    await fs.writeFile(path.join(truncated, 'expert.onnx'), bytes.subarray(0, 1000));
    const graph = await refusal({ modelDir: truncated });
    expect(graph.code).toBe('training_invalid_package');
    expect(graph.message).toMatch(/cannot be refined: expert\.onnx: /);

    expect((await refusal({ modelDir: path.join(dir, 'nowhere') })).code).toBe('training_invalid_package');
  });

  it('a loss that is not finite', async () => {
    const huge = syntheticPairs({ size: 3 }, (pair) => ({ ...pair, chosen: pair.chosen.map(() => 1e30) }));
    const error = await refusal({ pairs: huge });
    expect(error.code).toBe('training_diverged');
    expect(error.message).toMatch(/^the DPO loss became NaN at step 0 .*; lower the learning rate or β$/);
  });

  it('an output folder that already holds files, and impossible options', async () => {
    const taken = path.join(dir, 'taken');
    await fs.mkdir(taken);
    await fs.writeFile(path.join(taken, 'keep.txt'), 'x');
    const error = await trainDpo({ modelDir: COMMITTED, pairs: syntheticPairs({ size: 3 }), outDir: taken }).catch(
      (e: unknown) => e,
    );
    expect((error as TrainingError).code).toBe('training_output_exists');
    expect(await fs.readFile(path.join(taken, 'keep.txt'), 'utf8')).toBe('x');
    expect(await refusal({ beta: -1 })).toEqual({
      code: 'training_invalid_options',
      message: 'β must be a positive number, got -1',
    });
  });
});
