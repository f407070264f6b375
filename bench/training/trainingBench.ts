// `npm run bench:training`: behaviour-cloning speed on the ONNX interpreter (jax-js, wasm, one thread):
// steps/s and samples/s, and one training step against one onnxruntime forward pass on the same batch.
// Prints figures; not a test.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadModelPackage } from '../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../src/main/policy/policyRuntime';
import { repeatBatch } from '../../src/main/policy/repeatBatch';
import { buildTestModelPackage } from '../../src/main/policy/testPackage/buildTestModelPackage';
import { trainBehaviourCloning, type BcTrainingOptions, type BcTrainingResult } from '../../src/main/training/bc';
import type { BcDataset } from '../../src/main/training/trainingTypes';
import { syntheticDataset } from '../../tests/unit/main/training/bc/syntheticDataset';

const ROOT = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const BATCH = option('batch', 32);
const STEPS = option('steps', 60);

/** Median ms of `runs` calls after one warm-up. */
async function timeMs(runs: number, once: () => Promise<unknown>): Promise<number> {
  await once();
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    await once();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/** onnxruntime forward on a batch: the prefix once per sample (its graph takes batch 1), the expert once at batch B. */
async function ortForwardMs(
  modelDir: string,
  batch: number,
  prefixToo: boolean,
): Promise<{ prefixMs: number; expertMs: number }> {
  const pkg = await loadModelPackage(modelDir);
  const runtime = await PolicyRuntime.load(pkg, { providers: ['cpu'], skipWarmup: true });
  const prefix = await ort.InferenceSession.create(pkg.prefixPath, { executionProviders: ['cpu'] });
  const expert = await ort.InferenceSession.create(pkg.expertPath, { executionProviders: ['cpu'] });
  const { manifest } = pkg;
  const sample = samples[0]!;
  const camera = manifest.cameras[0]!;
  const feeds = await runtime.prefixFeeds({
    images: {
      [camera.name]: { format: 'rgb24', widthPx: camera.widthPx, heightPx: camera.heightPx, data: sample.image },
    },
    instruction: sample.instruction,
  });
  const context = await prefix.run(feeds);
  const expertFeeds: Record<string, ort.Tensor> = {
    [manifest.expert.noisyActionInput]: new ort.Tensor('float32', new Float32Array(batch * 35), [batch, 5, 7]),
    [manifest.expert.timeInput]: new ort.Tensor('float32', new Float32Array(batch).fill(0.5), [batch]),
  };
  for (const [input, output] of Object.entries(manifest.expert.context))
    expertFeeds[input] = repeatBatch(context[output]!, batch);
  const prefixMs = prefixToo
    ? await timeMs(5, async () => {
        for (let i = 0; i < batch; i += 1) await prefix.run(feeds);
      })
    : 0;
  const expertMs = await timeMs(20, () => expert.run(expertFeeds));
  await Promise.all([prefix.release(), expert.release(), runtime.release()]);
  return { prefixMs, expertMs };
}

/** 64 synthetic samples, generated once: the bench times training, not the data source. */
const source = syntheticDataset({ size: 64 });
const samples = Array.from({ length: source.size }, (_, i) => source.get(i));
const dataset: BcDataset = { size: samples.length, get: (index) => samples[index]! };

async function train(
  label: string,
  options: Omit<BcTrainingOptions, 'dataset' | 'outDir'>,
  dir: string,
): Promise<BcTrainingResult> {
  const result = await trainBehaviourCloning({
    dataset,
    outDir: path.join(dir, label),
    learningRate: 1e-3,
    ...options,
  });
  console.info(
    `  ${label.padEnd(34)} ${result.stepsPerS!.toFixed(2).padStart(7)} steps/s  ${result.samplesPerS!.toFixed(0).padStart(6)} samples/s` +
      `  (${result.trainedParameters.toLocaleString('en')} trained params, batch ${result.hyperparameters.batchSize}, prefix ${result.prefixMode}, loss ${result.losses[0]!.toFixed(3)} → ${result.finalLoss!.toFixed(3)})`,
  );
  return result;
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-training-bench-'));
  console.info(
    `behaviour cloning, ${os.cpus().length} CPUs, Node ${process.version}, jax-js wasm backend, batch ${BATCH}`,
  );
  try {
    console.info('\n(a) committed coach-test package (embedding prefix + 2-block MLP expert, ~0.25 M params)');
    const testDir = path.join(ROOT, 'resources/models/coach-test');
    const full = await train('prefix + expert', { modelDir: testDir, steps: STEPS, batchSize: BATCH }, dir);
    const frozen = await train(
      'expert alone (prefix frozen)',
      { modelDir: testDir, steps: STEPS, batchSize: BATCH, freezePrefix: true },
      dir,
    );
    const ortTest = await ortForwardMs(testDir, BATCH, true);
    console.info(
      `  onnxruntime forward at batch ${BATCH}: prefix ×${BATCH} ${ortTest.prefixMs.toFixed(2)} ms + expert ${ortTest.expertMs.toFixed(2)} ms`,
    );
    console.info(
      `  one training step / one onnxruntime forward: ${(1000 / full.stepsPerS! / (ortTest.prefixMs + ortTest.expertMs)).toFixed(1)}× (prefix + expert),` +
        ` ${(1000 / frozen.stepsPerS! / ortTest.expertMs).toFixed(1)}× (expert alone)`,
    );

    console.info(
      '\n(b) kv package, expert hidden 384 × 8 layers (npm run model:test-package -- --variant kv --hidden 384 --layers 8)',
    );
    const kvDir = path.join(dir, 'kv-384x8');
    await buildTestModelPackage(kvDir, { variant: 'kv', hiddenSize: 384, expertLayers: 8, seed: 1, name: 'bench-kv' });
    const kv = await loadModelPackage(kvDir);
    console.info(`  ${kv.parameterCount.toLocaleString('en')} parameters in both graphs`);
    const kvFrozen = await train(
      'expert alone (prefix frozen, cached)',
      { modelDir: kvDir, steps: Math.max(10, Math.round(STEPS / 3)), batchSize: BATCH, freezePrefix: true },
      dir,
    );
    const small = Math.min(BATCH, 4);
    const kvFull = await train(
      `prefix + expert (per sample, batch ${small})`,
      { modelDir: kvDir, steps: 4, batchSize: small },
      dir,
    );
    const ortKv = await ortForwardMs(kvDir, BATCH, false);
    console.info(`  onnxruntime expert forward at batch ${BATCH}: ${ortKv.expertMs.toFixed(2)} ms`);
    console.info(
      `  one training step (expert alone) / one onnxruntime expert forward: ${(1000 / kvFrozen.stepsPerS! / ortKv.expertMs).toFixed(1)}×`,
    );
    console.info(
      `  training the kv prefix too: ${kvFull.stepsPerS!.toFixed(3)} steps/s at batch ${small} — its fixed-batch prefix runs once per sample; freeze it (--freeze-prefix) to train the expert`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
