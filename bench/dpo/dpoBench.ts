// `npm run bench:dpo`: DPO refinement speed (Diffusion-DPO on the expert, prefix frozen, jax-js wasm, one
// thread): the time to refine on 1,000 synthetic preference pairs with the default hyperparameters (8 epochs
// at 16 pairs a step = 500 steps, early stop off so the whole run is timed), against issue #8's target of
// 1,000 pairs in ≤ 5 minutes on the lab's 2-core machine. Prints figures; not a test.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { trainDpo, type DpoTrainingResult } from '../../src/main/training/dpo';
import type { PreferenceDataset, PreferenceSample } from '../../src/main/training/trainingTypes';
import { syntheticPairs } from '../../tests/unit/main/training/dpo/syntheticPairs';

const ROOT = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const option = (name: string, fallback: number | undefined) => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 ? Number(args[index + 1]) : fallback;
};
const PAIRS = option('pairs', 1000)!;
const STEPS = option('steps', undefined);
const BATCH = option('batch', undefined);
const TARGET_S = 300;
const models = args.includes('--model') ? [args[args.indexOf('--model') + 1]!] : ['coach-tiny', 'coach-test'];

/** The pairs, generated once in memory: the bench times the trainer, not the data source. */
function pairsFor(camera: { widthPx: number; heightPx: number }, robotState: boolean): PreferenceDataset {
  const source = syntheticPairs({ size: PAIRS, ...camera, robotState });
  const pairs: PreferenceSample[] = Array.from({ length: source.size }, (_, i) => source.get(i));
  return { size: pairs.length, get: (index) => pairs[index]! };
}

function report(model: string, result: DpoTrainingResult): void {
  const h = result.hyperparameters;
  const verdict = result.durationS <= TARGET_S ? 'met' : 'MISSED';
  console.info(
    `  ${model}: ${result.pairs} pairs, ${result.steps} steps × ${h.batchSize} pairs (${((result.steps * h.batchSize) / result.pairs).toFixed(1)} epochs), ${result.trainedParameters.toLocaleString('en')} trained params`,
  );
  console.info(
    `    reading pairs + prefix contexts ${result.preparingS.toFixed(1)} s; training ${result.stepsPerS!.toFixed(1)} steps/s = ${result.pairsPerS!.toFixed(0)} pairs/s`,
  );
  console.info(
    `    whole refinement ${result.durationS.toFixed(1)} s (target ≤ ${TARGET_S} s for 1,000 pairs: ${verdict}); loss ${result.curves.loss[0]!.toFixed(4)} → ${result.final.loss.toFixed(4)}, implicit accuracy → ${result.final.accuracy.toFixed(3)}, margin → ${result.final.margin.toExponential(2)}`,
  );
  console.info(`    process RSS after the run ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
}

async function main(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-dpo-bench-'));
  console.info(
    `DPO refinement, ${os.cpus().length} CPUs (load ${os.loadavg()[0]!.toFixed(1)}), Node ${process.version}, jax-js wasm backend, prefix frozen`,
  );
  try {
    for (const model of models) {
      const modelDir = path.join(ROOT, 'resources/models', model);
      const manifest = JSON.parse(await fs.readFile(path.join(modelDir, 'manifest.json'), 'utf8')) as {
        cameras: { widthPx: number; heightPx: number }[];
        prefix: { robotStateInput?: string };
      };
      const pairs = pairsFor(manifest.cameras[0]!, Boolean(manifest.prefix.robotStateInput));
      const result = await trainDpo({
        modelDir,
        pairs,
        outDir: path.join(dir, model),
        earlyStop: null,
        ...(STEPS ? { steps: STEPS } : {}),
        ...(BATCH ? { batchSize: BATCH } : {}),
      });
      report(model, result);
    }
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
