import fs from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../src/main/policy/policyRuntime';
import { InstructionTokenizer } from '../../../src/main/policy/instructionTokenizer';
import { loadBcCheckpoint, trainBehaviourCloning, type BcTrainingResult } from '../../../src/main/training/bc';
import { BcBatchBuilder } from '../../../src/main/training/bc/batchBuilder';
import { EXPERT_KEY, PREFIX_KEY, predictVelocity } from '../../../src/main/training/bc/bcStep';
import { jaxFeed, jaxFeeds } from '../../../src/main/training/bc/prefixContext';
import { drawStep } from '../../../src/main/training/bc/stepDraws';
import { arrayFromData, compileGraph, ONNX_TYPE, parseOnnxModel, type Params } from '../../../src/main/training/onnx';
import { syntheticDataset } from '../../unit/main/training/bc/syntheticDataset';
import { COMMITTED, maxAbsDiff, packageWeights, tempDir } from './trainingFixtures';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('behaviour cloning of the coach-test package', () => {
  const dataset = syntheticDataset({ size: 4 });
  let dir: string;
  let result: BcTrainingResult;
  const phases: string[] = [];

  beforeAll(async () => {
    dir = await tempDir('bc');
    result = await trainBehaviourCloning({
      modelDir: COMMITTED,
      dataset,
      outDir: path.join(dir, 'trained'),
      steps: 300,
      batchSize: 8,
      learningRate: 5e-3,
      seed: 5,
      progressEverySteps: 25,
      checkpoint: { path: path.join(dir, 'trained.ckpt'), everySteps: 100 },
      onProgress: (progress) => phases.push(progress.phase),
    });
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('drives the flow-matching loss down at least five-fold on a small fixed data set', () => {
    const first = mean(result.losses.slice(0, 10));
    const last = mean(result.losses.slice(-20));
    console.info(
      `coach-test BC: loss ${first.toFixed(4)} → ${last.toFixed(4)} (${(first / last).toFixed(1)}×), ${result.stepsPerS?.toFixed(1)} steps/s at batch 8`,
    );
    expect(result.losses).toHaveLength(300);
    expect(first / last).toBeGreaterThanOrEqual(5);
    expect(result.prefixMode).toBe('batched');
    expect(result.trainedParameters).toBeGreaterThan(200_000);
    expect(phases[0]).toBe('preparing');
    expect(phases.filter((p) => p === 'training').length).toBeGreaterThanOrEqual(10);
    expect(phases.slice(-2)).toEqual(['writing', 'done']);
  });

  it('writes a package that loads and runs in onnxruntime, with changed weights and a new manifest', async () => {
    const pkg = await loadModelPackage(result.outDir);
    expect(pkg.manifest.version).toBe('1.0.0+bc');
    expect(pkg.manifest.trained).toBe(false);
    expect(pkg.manifest.description).toMatch(/300 steps, batch 8/);
    expect(await fs.readFile(pkg.tokenizerPath, 'utf8')).toBe(
      await fs.readFile(path.join(COMMITTED, 'tokenizer.json'), 'utf8'),
    );
    const runtime = await PolicyRuntime.load(pkg, { providers: ['cpu'] });
    const sample = dataset.get(0);
    const out = await runtime.infer(
      {
        images: { scene: { format: 'rgb24', widthPx: 224, heightPx: 224, data: sample.image } },
        instruction: sample.instruction,
      },
      { candidates: 2, seed: 1 },
    );
    expect(out.actions.every(Number.isFinite)).toBe(true);
    await runtime.release();
    expect(maxAbsDiff(await packageWeights(result.outDir), await packageWeights(COMMITTED))).toBeGreaterThan(1e-3);
  });

  it("onnxruntime on the written package reproduces the trainer's forward pass (≤ 1e-4)", async () => {
    // The trainer's final params, from its end-of-run checkpoint, on the interpreter.
    const checkpoint = await loadBcCheckpoint(path.join(dir, 'trained.ckpt'));
    expect(checkpoint.meta.step).toBe(300);
    const base = await loadModelPackage(COMMITTED);
    const manifest = base.manifest;
    const prefix = compileGraph(parseOnnxModel(await fs.readFile(base.prefixPath)));
    const expert = compileGraph(parseOnnxModel(await fs.readFile(base.expertPath)));
    const params: Params = {};
    for (const [key, values] of Object.entries(checkpoint.params)) {
      const graph = key.startsWith(PREFIX_KEY) ? prefix : expert;
      const name = key.slice((key.startsWith(PREFIX_KEY) ? PREFIX_KEY : EXPERT_KEY).length);
      params[key] = arrayFromData(values, graph.params[name]!.shape, ONNX_TYPE.float32);
    }
    const builder = new BcBatchBuilder(
      manifest,
      new InstructionTokenizer(base.tokenizerJson, base.tokenizerConfig, manifest.instruction),
    );
    const samples = [0, 1, 2].map((i) => dataset.get(i));
    const draws = drawStep(99, 0, 4, 3, 35);
    const actionDims = [3, 5, 7];
    const velocity = predictVelocity({ manifest, prefix, expert, mode: 'batched' }, params, {
      prefix: jaxFeeds(builder.prefixFeeds(samples)),
      noisyActions: jaxFeed({ data: draws.noise, dims: actionDims, onnxType: ONNX_TYPE.float32 }),
      times: jaxFeed({ data: draws.times, dims: [3], onnxType: ONNX_TYPE.float32 }),
    });
    const mine = Float32Array.from(await velocity.data());

    const prefixSession = await ort.InferenceSession.create(path.join(result.outDir, 'prefix.onnx'));
    const expertSession = await ort.InferenceSession.create(path.join(result.outDir, 'expert.onnx'));
    const contexts: Float32Array[] = [];
    const runtime = await PolicyRuntime.load(await loadModelPackage(result.outDir), {
      providers: ['cpu'],
      skipWarmup: true,
    });
    for (const sample of samples) {
      const feeds = await runtime.prefixFeeds({
        images: { scene: { format: 'rgb24', widthPx: 224, heightPx: 224, data: sample.image } },
        instruction: sample.instruction,
      });
      contexts.push((await prefixSession.run(feeds)).context!.data as Float32Array);
    }
    const context = new Float32Array(3 * 64);
    contexts.forEach((c, i) => context.set(c, i * 64));
    const reference = await expertSession.run({
      x_t: new ort.Tensor('float32', draws.noise, actionDims),
      t: new ort.Tensor('float32', draws.times, [3]),
      context: new ort.Tensor('float32', context, [3, 64]),
    });
    const theirs = reference.velocity!.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < theirs.length; i += 1) worst = Math.max(worst, Math.abs(theirs[i]! - mine[i]!));
    console.info(`trained package vs trainer forward: max abs difference ${worst.toExponential(2)}`);
    expect(theirs).toHaveLength(105);
    expect(worst).toBeLessThanOrEqual(1e-4);
    await Promise.all([prefixSession.release(), expertSession.release(), runtime.release()]);
    prefix.dispose();
    expert.dispose();
  });
});
