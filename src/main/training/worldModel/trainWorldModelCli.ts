import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';
import { WM_TRANSITION_CONFIG } from '../demonstrations/demoConfig';
import { trainWorldModel, type WorldModelTrainingPlan } from './trainWorldModel';

/** The run `npm run train:wm` makes: what the committed resources/world-models/coach-wm/ was built with. */
export const DEFAULT_PREDICTOR_TRAINING = { hiddenWidth: 64, steps: 6000, batchSize: 256, learningRate: 2e-3, seed: 0 };
export const DEFAULT_WORLD_MODEL_VERSION = '1.3.0';

export const TRAIN_WM_USAGE = `Usage: npm run train:wm -- [options]

  Builds Coach's default world model: transitions of the scripted expert with random chunks mixed in,
  each frame encoded by the default policy's frozen prefix, the action-conditioned predictor trained on
  them; the package at resources/world-models/coach-wm/. Seeded: the same options give the same package.
  --out DIR            where the package goes (default resources/world-models/coach-wm)
  --encoder-from DIR   the policy package whose prefix encodes (default resources/models/coach-tiny)
  --episodes N         transition episodes per template (default ${WM_TRANSITION_CONFIG.episodesPerTemplate})
  --predictor-on S     simulator (default): the predictor learns how the simulator's task state moves;
                       encoder: how the frozen encoder's latents move (noisier; see docs/world-model.md)
  --steps N            predictor training steps (default ${DEFAULT_PREDICTOR_TRAINING.steps})
  --batch N            batch size (default ${DEFAULT_PREDICTOR_TRAINING.batchSize})
  --lr X               peak learning rate (default ${DEFAULT_PREDICTOR_TRAINING.learningRate})
  --seed N             training seed (default ${DEFAULT_PREDICTOR_TRAINING.seed})
  --workers N          threads drawing the transitions (default 2)
  --cache DIR          transition cache (default node_modules/.cache/coach-tiny); --no-cache: none
`;

const integer = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a whole number above 0, got "${value}"`);
  return n;
};

async function prettifyManifest(dir: string): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  await fs.writeFile(file, await prettier.format(await fs.readFile(file, 'utf8'), { ...options, filepath: file }));
}

export async function runTrainWorldModel(argv: string[], appRoot: string): Promise<number> {
  let plan: WorldModelTrainingPlan;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        'encoder-from': { type: 'string' },
        'predictor-on': { type: 'string' },
        episodes: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        workers: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(TRAIN_WM_USAGE);
      return 0;
    }
    const learningRate = values.lr === undefined ? DEFAULT_PREDICTOR_TRAINING.learningRate : Number(values.lr);
    if (!(learningRate > 0)) throw new Error(`--lr must be a positive number, got "${values.lr}"`);
    const predictorOn = values['predictor-on'] ?? 'simulator';
    if (predictorOn !== 'simulator' && predictorOn !== 'encoder')
      throw new Error(`--predictor-on must be simulator or encoder, got "${predictorOn}"`);
    plan = {
      appRoot,
      predictorOn,
      encoderFrom: path.resolve(values['encoder-from'] ?? path.join(appRoot, 'resources/models/coach-tiny')),
      transitions: {
        ...WM_TRANSITION_CONFIG,
        episodesPerTemplate: integer(values.episodes, WM_TRANSITION_CONFIG.episodesPerTemplate, 'episodes'),
      },
      predictor: {
        ...DEFAULT_PREDICTOR_TRAINING,
        steps: integer(values.steps, DEFAULT_PREDICTOR_TRAINING.steps, 'steps'),
        batchSize: integer(values.batch, DEFAULT_PREDICTOR_TRAINING.batchSize, 'batch'),
        learningRate,
        seed: values.seed === undefined ? DEFAULT_PREDICTOR_TRAINING.seed : integer(values.seed, 0, 'seed'),
      },
      outDir: path.resolve(values.out ?? path.join(appRoot, 'resources/world-models/coach-wm')),
      version: DEFAULT_WORLD_MODEL_VERSION,
      cacheRoot: values['no-cache']
        ? null
        : path.resolve(values.cache ?? path.join(appRoot, 'node_modules/.cache/coach-tiny')),
      workers: integer(values.workers, 2, 'workers'),
      log: (line) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    };
  } catch (error) {
    process.stderr.write(`train:wm: ${(error as Error).message}\n\n${TRAIN_WM_USAGE}`);
    return 2;
  }
  try {
    const result = await trainWorldModel(plan);
    await prettifyManifest(plan.outDir);
    const { validation } = result;
    const cm = (m: number) => `${(m * 100).toFixed(2)} cm`;
    const { encoder } = result;
    process.stdout.write(
      `encoder on ${encoder.frames} held-back frames, mean |latent − the simulator's task state|: ` +
        [0, 1, 3, 4].map((d) => `${WM_LATENT_NAMES[d]!.replace(/_m$/, '')} ${cm(encoder.latentL1[d]!)}`).join(', ') +
        '\n',
    );
    process.stdout.write(
      `predictor on ${validation.tuples} held-back transitions, mean |error| after the chunk (predictor vs "nothing moves"):\n` +
        WM_LATENT_NAMES.map((name, d) =>
          d === WM_LATENT_NAMES.length - 1
            ? `  ${name.padEnd(28)} ${validation.predictorL1[d]!.toFixed(4)} vs ${validation.noChangeL1[d]!.toFixed(4)}`
            : `  ${name.padEnd(28)} ${cm(validation.predictorL1[d]!)} vs ${cm(validation.noChangeL1[d]!)}`,
        ).join('\n') +
        `\ntrain:wm: ${plan.outDir} in ${(result.totalSeconds / 60).toFixed(1)} min (transitions ${(result.dataSeconds / 60).toFixed(1)} min, ` +
        `encoding ${(result.encodeSeconds / 60).toFixed(1)} min, predictor ${(result.trainSeconds / 60).toFixed(1)} min)\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`train:wm: ${(error as Error).stack ?? (error as Error).message}\n`);
    return 1;
  }
}
