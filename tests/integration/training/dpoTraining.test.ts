import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../src/main/policy/policyRuntime';
import { buildTestModelPackage } from '../../../src/main/policy/testPackage/buildTestModelPackage';
import { trainDpo, TrainingCancelledError, type DpoTrainingResult } from '../../../src/main/training/dpo';
import type { TrainingProgress } from '../../../src/main/training/trainingTypes';
import { syntheticPairs } from '../../unit/main/training/dpo/syntheticPairs';
import { onnxruntimeImplicitAccuracy } from './dpoMargins';
import { COMMITTED, maxAbsDiff, packageWeights, tempDir } from './trainingFixtures';

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('DPO refinement of the coach-test package', () => {
  const pairs = syntheticPairs({ size: 12 });
  let dir: string;
  let result: DpoTrainingResult;
  const progress: TrainingProgress[] = [];

  beforeAll(async () => {
    dir = await tempDir('dpo');
    result = await trainDpo({
      modelDir: COMMITTED,
      pairs,
      outDir: path.join(dir, 'refined'),
      steps: 120,
      batchSize: 6,
      learningRate: 1e-4,
      seed: 2,
      earlyStop: null,
      progressEverySteps: 20,
      onProgress: (p) => progress.push(p),
    });
  }, 120_000);
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('starts at loss ln 2 and raises the implicit accuracy on the pairs it trains on', () => {
    const { curves } = result;
    console.info(
      `coach-test DPO: loss ${curves.loss[0]!.toFixed(5)} → ${result.final.loss.toFixed(4)}, accuracy ${mean(curves.accuracy.slice(0, 10)).toFixed(2)} → ${result.final.accuracy.toFixed(2)}, margin → ${result.final.margin.toExponential(2)}, ${result.stepsPerS?.toFixed(1)} steps/s at 6 pairs a step`,
    );
    expect(result.steps).toBe(120);
    expect(result.stoppedEarly).toBeNull();
    expect(result.prefixMode).toBe('frozen');
    expect(result.prefixRuns).toBe(12);
    for (const curve of Object.values(curves)) expect(curve).toHaveLength(120);
    // The policy starts as its reference: every margin is float32 rounding of two forward passes.
    expect(Math.abs(curves.loss[0]! - Math.LN2)).toBeLessThan(1e-4);
    expect(Math.abs(curves.margin[0]!)).toBeLessThan(1e-6);
    expect(mean(curves.accuracy.slice(-20))).toBeGreaterThanOrEqual(0.9);
    expect(mean(curves.margin.slice(-20))).toBeGreaterThan(0);
    expect(mean(curves.loss.slice(-20))).toBeLessThan(0.5 * Math.LN2);
  });

  it('reports progress with accuracy and margin, phase by phase', () => {
    const phases = progress.map((p) => p.phase);
    expect(phases[0]).toBe('preparing');
    expect(phases.slice(-2)).toEqual(['writing', 'done']);
    const training = progress.filter((p) => p.phase === 'training' && p.step > 0);
    expect(training.map((p) => p.step)).toEqual([20, 40, 60, 80, 100, 120]);
    expect(training.at(-1)!.metrics).toMatchObject({
      accuracy: expect.any(Number),
      margin: expect.any(Number),
      smoothedAccuracy: expect.any(Number),
      smoothedMargin: expect.any(Number),
    });
    expect(training.every((p) => p.totalSteps === 120 && p.loss !== null)).toBe(true);
    // Warm-up, then cosine decay to 0 at the last step.
    expect(training[0]!.learningRate).toBeGreaterThan(training[2]!.learningRate);
    expect(training.at(-1)!.learningRate).toBe(0);
  });

  it('writes a package with the base prefix, a new expert and a manifest that says it was refined', async () => {
    const pkg = await loadModelPackage(result.outDir);
    expect(pkg.manifest.version).toBe('1.0.0+dpo');
    expect(pkg.manifest.trained).toBe(false); // as the base package
    expect(pkg.manifest.description).toMatch(
      /^Refined by DPO \(Diffusion-DPO on the flow-matching expert, prefix frozen\): 12 preference pairs, 120 steps, batch 6 pairs, β 500, shared noise/,
    );
    const prefix = await fs.readFile(path.join(result.outDir, 'prefix.onnx'));
    expect(prefix.equals(await fs.readFile(path.join(COMMITTED, 'prefix.onnx')))).toBe(true);
    const refined = await packageWeights(result.outDir);
    const base = await packageWeights(COMMITTED);
    const expertOnly = (weights: Record<string, Float32Array>) =>
      Object.fromEntries(Object.entries(weights).filter(([name]) => name.startsWith('expert/')));
    expect(maxAbsDiff(expertOnly(refined), expertOnly(base))).toBeGreaterThan(1e-4);
    expect(result.trainedParameters).toBeGreaterThan(50_000);
  });

  it('onnxruntime runs the written package, and it prefers the chosen chunks more than its reference does', async () => {
    const runtime = await PolicyRuntime.load(await loadModelPackage(result.outDir), { providers: ['cpu'] });
    const pair = pairs.get(0);
    const out = await runtime.infer(
      {
        images: { scene: { format: 'rgb24', widthPx: 224, heightPx: 224, data: pair.image } },
        instruction: pair.instruction,
      },
      { candidates: 2, seed: 1 },
    );
    expect(out.actions.every(Number.isFinite)).toBe(true);
    await runtime.release();
    // Apart from the trainer: onnxruntime, other noise draws.
    const before = await onnxruntimeImplicitAccuracy(COMMITTED, COMMITTED, pairs);
    const after = await onnxruntimeImplicitAccuracy(result.outDir, COMMITTED, pairs);
    console.info(
      `held-in implicit accuracy by onnxruntime: ${before.accuracy} → ${after.accuracy}; L_w < L_l on ${before.policyPrefersChosen} → ${after.policyPrefersChosen} of the rows`,
    );
    expect(before.accuracy).toBe(0.5);
    expect(after.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(after.policyPrefersChosen).toBeGreaterThan(before.policyPrefersChosen);
  });

  it('computes the prefix context once per observation when pairs share one', async () => {
    // Pairs 0–5 and 6–11 at the same six observations (the second six have other chunks).
    const shared = {
      size: 12,
      get: (index: number) => {
        const pair = pairs.get(index % 6);
        return index < 6 ? pair : { ...pair, rejected: pair.rejected.map((v) => v * 0.5) };
      },
      observationKey: (index: number) => `observation-${index % 6}`,
    };
    const run = await trainDpo({
      modelDir: COMMITTED,
      pairs: shared,
      outDir: path.join(dir, 'shared-observations'),
      steps: 4,
      batchSize: 6,
    });
    expect(run.prefixRuns).toBe(6);
  }, 60_000);

  it('stops early once the windowed implicit accuracy reaches the threshold, and says so', async () => {
    const early = await trainDpo({
      modelDir: COMMITTED,
      pairs,
      outDir: path.join(dir, 'early'),
      steps: 400,
      batchSize: 6,
      learningRate: 1e-4,
      seed: 2,
      warmupSteps: 10,
      earlyStop: { windowSteps: 10, accuracy: 0.9 },
    });
    expect(early.steps).toBeLessThan(400);
    expect(early.steps).toBeGreaterThanOrEqual(11);
    expect(early.curves.loss).toHaveLength(early.steps);
    expect(early.stoppedEarly).toMatch(/implicit accuracy over the last 10 steps reached/);
    expect(mean(early.curves.accuracy.slice(-10))).toBeGreaterThanOrEqual(0.9);
    const pkg = await loadModelPackage(early.outDir);
    expect(pkg.manifest.description).toContain(`${early.steps} steps (stopped early: the implicit accuracy`);
  }, 60_000);

  it('trains the prefix too when asked (batched, or per pair for a prefix exported with batch 1)', async () => {
    const both = await trainDpo({
      modelDir: COMMITTED,
      pairs,
      outDir: path.join(dir, 'with-prefix'),
      steps: 60,
      batchSize: 6,
      learningRate: 1e-4,
      freezePrefix: false,
      earlyStop: null,
    });
    expect(both.prefixMode).toBe('batched');
    expect(Math.abs(both.curves.loss[0]! - Math.LN2)).toBeLessThan(1e-4);
    expect(mean(both.curves.accuracy.slice(-10))).toBeGreaterThanOrEqual(0.8);
    const prefixOf = (weights: Record<string, Float32Array>) =>
      Object.fromEntries(Object.entries(weights).filter(([name]) => name.startsWith('prefix/')));
    expect(
      maxAbsDiff(prefixOf(await packageWeights(both.outDir)), prefixOf(await packageWeights(COMMITTED))),
    ).toBeGreaterThan(1e-5);
    expect((await loadModelPackage(both.outDir)).manifest.description).toMatch(/prefix trained too/);

    const kvDir = path.join(dir, 'kv');
    await buildTestModelPackage(kvDir, { variant: 'kv', hiddenSize: 32, expertLayers: 1, seed: 4, name: 'kv-test' });
    const messages: string[] = [];
    const kv = await trainDpo({
      modelDir: kvDir,
      pairs,
      outDir: path.join(dir, 'kv-refined'),
      steps: 3,
      batchSize: 2,
      freezePrefix: false,
      onProgress: (p) => p.message && messages.push(p.message),
    });
    expect(kv.prefixMode).toBe('perSample');
    expect(messages.some((m) => /^prefix\.onnx does not take a batch .*; it runs once per pair/.test(m))).toBe(true);
    expect(kv.curves.loss.every(Number.isFinite)).toBe(true);
  }, 120_000);

  it('cancels between steps, or while reading the pairs, and writes nothing', async () => {
    const outDir = path.join(dir, 'cancelled');
    const controller = new AbortController();
    const error = await trainDpo({
      modelDir: COMMITTED,
      pairs,
      outDir,
      steps: 200,
      batchSize: 4,
      progressEverySteps: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.step >= 5) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrainingCancelledError);
    expect((error as TrainingCancelledError).step).toBe(5);
    const early = await trainDpo({
      modelDir: COMMITTED,
      pairs,
      outDir,
      signal: AbortSignal.abort(),
    }).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(TrainingCancelledError);
    expect(await fs.readdir(dir)).toEqual(expect.not.arrayContaining(['cancelled']));
    expect((await fs.readdir(dir)).filter((name) => name.includes('partial'))).toEqual([]);
  }, 60_000);
});
