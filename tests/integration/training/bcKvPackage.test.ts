import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestModelPackage } from '../../../src/main/policy/testPackage/buildTestModelPackage';
import { trainBehaviourCloning } from '../../../src/main/training/bc';
import { syntheticDataset } from '../../unit/main/training/bc/syntheticDataset';
import { maxAbsDiff, packageWeights, tempDir } from './trainingFixtures';

describe('behaviour cloning of a kv package (prefix exported with a fixed batch of 1)', () => {
  let dir: string;
  let pkgDir: string;
  const dataset = syntheticDataset({ size: 4 });
  beforeAll(async () => {
    dir = await tempDir('bc-kv');
    pkgDir = path.join(dir, 'kv');
    await buildTestModelPackage(pkgDir, { variant: 'kv', hiddenSize: 32, expertLayers: 1, seed: 4, name: 'kv-test' });
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('detects that the prefix takes no batch and runs it once per sample', async () => {
    const messages: string[] = [];
    const result = await trainBehaviourCloning({
      modelDir: pkgDir,
      dataset,
      outDir: path.join(dir, 'per-sample'),
      steps: 4,
      batchSize: 3,
      learningRate: 1e-3,
      onProgress: (progress) => progress.message && messages.push(progress.message),
    });
    expect(result.prefixMode).toBe('perSample');
    expect(result.prefixModeNote).toMatch(
      /^prefix\.onnx does not take a batch \(a batch of 2 fails: .+\); it runs once per sample/,
    );
    expect(messages).toContain(result.prefixModeNote);
    expect(result.losses.every(Number.isFinite)).toBe(true);
    const weights = await packageWeights(result.outDir);
    const before = await packageWeights(pkgDir);
    const changed = (prefix: string) =>
      maxAbsDiff(
        Object.fromEntries(Object.entries(weights).filter(([k]) => k.startsWith(prefix))),
        Object.fromEntries(Object.entries(before).filter(([k]) => k.startsWith(prefix))),
      );
    expect(changed('prefix/')).toBeGreaterThan(0);
    expect(changed('expert/')).toBeGreaterThan(0);
  }, 120_000);

  it('with the prefix frozen trains the expert alone on onnxruntime contexts and keeps prefix.onnx as it was', async () => {
    const result = await trainBehaviourCloning({
      modelDir: pkgDir,
      dataset,
      outDir: path.join(dir, 'frozen'),
      steps: 60,
      batchSize: 4,
      learningRate: 3e-3,
      freezePrefix: true,
    });
    expect(result.prefixMode).toBe('frozen');
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean(result.losses.slice(-10))).toBeLessThan(mean(result.losses.slice(0, 10)) * 0.7);
    expect(await fs.readFile(path.join(result.outDir, 'prefix.onnx'))).toEqual(
      await fs.readFile(path.join(pkgDir, 'prefix.onnx')),
    );
    expect(await fs.readFile(path.join(result.outDir, 'expert.onnx'))).not.toEqual(
      await fs.readFile(path.join(pkgDir, 'expert.onnx')),
    );
  }, 120_000);
});
