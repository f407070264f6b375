// Policy benchmark: for the committed test package and for a package sized like a small real expert
// (≈ 10 M parameters, per-layer K/V context), prefix latency and a whole chunk (prefix + 10 flow steps) p50/p99, K = 5
// candidates in one batched call against five single calls, and the runner's overhead: a chunk as the
// runner gets it (observation in, through the inference worker, JPEG decode, tokenising, Euler loop,
// unnormalising) against bare session.run time of the same graphs in the same process.
// Run: npm run bench:policy [-- --iterations N] [-- --hidden N --layers N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadModelPackage } from '../../src/main/policy/modelPackage';
import { PolicyRuntime, type PolicyObservation } from '../../src/main/policy/policyRuntime';
import { PolicyService } from '../../src/main/policy/policyService';
import { buildTestModelPackage, DEFAULT_TEST_PACKAGE } from '../../src/main/policy/testPackage/buildTestModelPackage';
import { loadArmChain } from '../../src/main/robot/urdf/loadUrdf';
import { downscaleToRgb, renderCamera } from '../../src/main/sim/render/sceneRenderer';
import { generateScene } from '../../src/shared/sim/world';
import { formatMsSummary, summarize } from '../stats';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '60' },
    hidden: { type: 'string', default: '384' },
    layers: { type: 'string', default: '8' },
  },
});
const iterations = Number(values.iterations);
const root = path.join(__dirname, '../..');

interface SceneFrame {
  /** The 640×480 display JPEG (what a real camera's path decodes). */
  jpeg: Uint8Array;
  /** The 224×224 RGB copy the sim's policy camera sends beside it (what the runner uses in the sim). */
  policyRgb: Uint8Array;
}

/** A frame of the simulated scene camera, as the render worker publishes it. */
function sceneFrame(): SceneFrame {
  const chain = loadArmChain(root);
  const snapshot = generateScene(3, { instruction: 'put the grape in the plate' });
  const canvas = renderCamera(snapshot, chain, 'scene', 640, 480);
  return { jpeg: new Uint8Array(canvas.encodeSync('jpeg', 80)), policyRgb: downscaleToRgb(canvas, 224, 224) };
}

async function timed(runs: number, run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const started = performance.now();
    await run();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function benchPackage(label: string, dir: string, frame: SceneFrame): Promise<void> {
  const pkg = await loadModelPackage(dir);
  const runtime = await PolicyRuntime.load(pkg, { providers: ['cpu'] });
  const observation: PolicyObservation = {
    images: { scene: { format: 'rgb24', widthPx: 224, heightPx: 224, data: frame.policyRgb } },
    instruction: 'put the grape in the plate',
  };
  const jpegObservation: PolicyObservation = {
    images: { scene: { format: 'jpeg', widthPx: 640, heightPx: 480, data: frame.jpeg } },
    instruction: observation.instruction,
  };
  const feeds = await runtime.prefixFeeds(observation);
  console.log(
    `\n${label}: ${(pkg.parameterCount / 1e6).toFixed(2)} M parameters, ${pkg.manifest.flow.steps} flow steps, chunk ${pkg.manifest.action.chunkLength}×${pkg.manifest.action.dims}, provider ${runtime.provider}`,
  );

  const prefixMs: number[] = [];
  const chunkMs: number[] = [];
  const sessionMs: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const result = await runtime.infer(observation, { candidates: 1, seed: i });
    prefixMs.push(result.timings.prefixMs);
    chunkMs.push(result.timings.totalMs);
    sessionMs.push(await runtime.runSessionsOnly(feeds, 1));
  }
  console.log(formatMsSummary('  prefix (session.run)', prefixMs));
  console.log(formatMsSummary('  chunk, K = 1 (preprocess + prefix + 10 steps)', chunkMs));
  console.log(formatMsSummary('  bare session.run, prefix + 10 steps, K = 1', sessionMs));

  const batched = await timed(iterations, () => runtime.infer(observation, { candidates: 5, seed: 1 }));
  const singles = await timed(iterations, async () => {
    for (let k = 0; k < 5; k += 1) await runtime.infer(observation, { candidates: 1, seed: k });
  });
  console.log(formatMsSummary('  K = 5 candidates, one batched call', batched));
  console.log(formatMsSummary('  K = 5 candidates, five single calls', singles));
  console.log(
    `  batching speed-up ${(summarize(singles).p50 / summarize(batched).p50).toFixed(2)}× (p50); per candidate ${(summarize(batched).p50 / 5).toFixed(2)} ms`,
  );

  // The runner's view: the inference worker, as TaskRunner calls it, against bare sessions in this process.
  const service = new PolicyService(root, ['cpu']);
  await service.load(dir);
  const runnerMs: number[] = [];
  const workerSessionMs: number[] = [];
  for (let i = 0; i < iterations; i += 1) {
    const started = performance.now();
    await service.infer(observation, { candidates: 1, seed: i });
    runnerMs.push(performance.now() - started);
    workerSessionMs.push(await service.timeSessions(observation, 1));
  }
  const jpegMs = await timed(iterations, () => service.infer(jpegObservation, { candidates: 1, seed: 1 }));
  await service.close();
  console.log(formatMsSummary('  runner, 640×480 JPEG frame (real-camera path)', jpegMs));
  const ratio = summarize(runnerMs).p50 / summarize(workerSessionMs).p50;
  console.log(formatMsSummary('  runner: sim frame → chunk via the worker', runnerMs));
  console.log(formatMsSummary('  bare session.run in the worker, same graphs', workerSessionMs));
  console.log(
    `  runner overhead ${ratio.toFixed(2)}× bare session.run in the same worker (p50; budget ≤ 1.10×: ${ratio <= 1.1 ? 'met' : 'MISSED'})`,
  );
  const executeMs = (1000 * pkg.manifest.action.chunkLength) / pkg.manifest.control.rateHz;
  const p99 = summarize(runnerMs).p99;
  console.log(
    `  chunk inferred in ${p99.toFixed(1)} ms p99 vs executed in ${executeMs.toFixed(0)} ms (${pkg.manifest.action.chunkLength} actions at ${pkg.manifest.control.rateHz} Hz): ${p99 < executeMs ? 'faster, met' : 'SLOWER, missed'}`,
  );
  await runtime.release();
}

async function main(): Promise<void> {
  console.log(
    `Coach policy benchmark — ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}, ${iterations} iterations`,
  );
  const frame = sceneFrame();
  await benchPackage(
    'test package (resources/models/coach-test)',
    path.join(root, 'resources/models/coach-test'),
    frame,
  );
  const bigDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-bench-model-'));
  await buildTestModelPackage(bigDir, {
    ...DEFAULT_TEST_PACKAGE,
    name: 'bench-expert',
    variant: 'kv',
    hiddenSize: Number(values.hidden),
    expertLayers: Number(values.layers),
  });
  await benchPackage(
    `small real-sized expert, per-layer K/V context as NORA-1.5's (hidden ${values.hidden}, ${values.layers} layers)`,
    bigDir,
    frame,
  );
  fs.rmSync(bigDir, { recursive: true, force: true });
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
