import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatEvaluation } from '../../evaluation/formatEvaluation';
import { DEFAULT_DEMO_CONFIG, SCENE_DEMO_CONFIG } from '../demonstrations/demoConfig';
import { DEFAULT_MODEL_SPEC } from './defaultModelSpec';
import { trainDefaultModel, type DefaultTrainingPlan } from './trainDefaultModel';

/** The run `npm run train:default` makes: what the committed resources/models/coach-tiny/ was built with. */
export const DEFAULT_TRAINING = { steps: 20_000, batchSize: 128, learningRate: 1e-3, seed: 0 };
export const DEFAULT_WARMUP = { steps: 4000, batchSize: 64, learningRate: 2e-3, seed: 1 };
export const DEFAULT_MODEL_VERSION = '1.2.0';
/** DAgger-style rounds after behaviour cloning; scenes from index 5000 (clear of the demonstrations' 1000 … 3999). */
export const DEFAULT_RELABEL = {
  rounds: 0,
  episodesPerTemplate: 150,
  firstSeedIndex: 5000,
  maxStrokes: 60,
  steps: 6000,
  learningRate: 3e-4,
};

export const TRAIN_DEFAULT_USAGE = `Usage: npm run train:default -- [options]

  Builds Coach's default policy from scratch: scripted-expert demonstrations on training seeds,
  behaviour cloning (flow matching), the package at resources/models/coach-tiny/, then an evaluation
  on held-out seeds. Seeded: the same options give the same package.
  --out DIR            where the package goes (default resources/models/coach-tiny)
  --episodes N         demonstration episodes per template, a sample every step (default ${DEFAULT_DEMO_CONFIG.episodesPerTemplate})
  --scene-episodes N   more episodes per template on other scenes, a sample every ${SCENE_DEMO_CONFIG.sampleEvery}th step,
                       for the localisation warm-up (default ${SCENE_DEMO_CONFIG.episodesPerTemplate}; 0: none)
  --steps N            training steps (default ${DEFAULT_TRAINING.steps})
  --batch N            batch size (default ${DEFAULT_TRAINING.batchSize})
  --lr X               peak learning rate (default ${DEFAULT_TRAINING.learningRate})
  --seed N             training seed (default ${DEFAULT_TRAINING.seed})
  --warmup-steps N     localisation warm-up steps before training (default ${DEFAULT_WARMUP.steps}; 0: none)
  --warmed-prefix-from DIR  reuse the warmed-up prefix of a package an earlier run with the same
                       demonstrations and warm-up wrote, instead of warming up again (the warm-up is seeded)
  --scene-demos-in-training  behaviour cloning reads the scene demonstrations too (default: warm-up only)
  --relabel-rounds N   after behaviour cloning, rounds in which the policy acts on training scenes, the scripted
                       expert labels every state it reached, and training goes on over demonstrations and those
                       states (default ${DEFAULT_RELABEL.rounds})
  --relabel-episodes N attempts per template a round (default ${DEFAULT_RELABEL.episodesPerTemplate})
  --relabel-steps N    training steps a round (default ${DEFAULT_RELABEL.steps})
  --relabel-lr X       peak learning rate of a round (default ${DEFAULT_RELABEL.learningRate})
  --train-prefix       behaviour cloning trains the prefix too (default: frozen after the warm-up)
  --workers N          demonstration threads (default 2)
  --cache DIR          demonstration cache (default node_modules/.cache/coach-tiny); --no-cache: none
  --eval-episodes N    held-out attempts per template afterwards (default 20; 0: none)
  --eval-seed-set S    heldout (default) or train (training scenes no demonstration used)
`;

const integer = (value: string | undefined, fallback: number, name: string) => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${value}"`);
  return n;
};

const sceneDemos = (episodesPerTemplate: number) =>
  episodesPerTemplate > 0 ? { ...SCENE_DEMO_CONFIG, episodesPerTemplate } : null;

/** Prettier's layout of the manifest, so `npm run lint` passes on the committed package. */
async function prettifyManifest(dir: string): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const prettier = await import('prettier');
  const options = (await prettier.resolveConfig(file)) ?? {};
  await fs.writeFile(file, await prettier.format(await fs.readFile(file, 'utf8'), { ...options, filepath: file }));
}

export async function runTrainDefault(argv: string[], appRoot: string): Promise<number> {
  let plan: DefaultTrainingPlan;
  try {
    const { values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        episodes: { type: 'string' },
        'scene-episodes': { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        seed: { type: 'string' },
        'warmup-steps': { type: 'string' },
        'train-prefix': { type: 'boolean', default: false },
        'warmed-prefix-from': { type: 'string' },
        'scene-demos-in-training': { type: 'boolean', default: false },
        'relabel-rounds': { type: 'string' },
        'relabel-episodes': { type: 'string' },
        'relabel-steps': { type: 'string' },
        'relabel-lr': { type: 'string' },
        workers: { type: 'string' },
        cache: { type: 'string' },
        'no-cache': { type: 'boolean', default: false },
        'eval-episodes': { type: 'string' },
        'eval-seed-set': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(TRAIN_DEFAULT_USAGE);
      return 0;
    }
    const learningRate = values.lr === undefined ? DEFAULT_TRAINING.learningRate : Number(values.lr);
    if (!(learningRate > 0)) throw new Error(`--lr must be a positive number, got "${values.lr}"`);
    const relabelRate =
      values['relabel-lr'] === undefined ? DEFAULT_RELABEL.learningRate : Number(values['relabel-lr']);
    if (!(relabelRate > 0)) throw new Error(`--relabel-lr must be a positive number, got "${values['relabel-lr']}"`);
    const seedSet = values['eval-seed-set'] ?? 'heldout';
    if (seedSet !== 'heldout' && seedSet !== 'train') throw new Error(`--eval-seed-set must be heldout or train`);
    plan = {
      appRoot,
      spec: DEFAULT_MODEL_SPEC,
      demos: {
        ...DEFAULT_DEMO_CONFIG,
        episodesPerTemplate: integer(values.episodes, DEFAULT_DEMO_CONFIG.episodesPerTemplate, 'episodes'),
      },
      sceneDemos: sceneDemos(
        integer(values['scene-episodes'], SCENE_DEMO_CONFIG.episodesPerTemplate, 'scene-episodes'),
      ),
      sceneDemosInTraining: values['scene-demos-in-training'],
      warmedPrefixFrom: values['warmed-prefix-from'] ? path.resolve(values['warmed-prefix-from']) : null,
      training: {
        steps: integer(values.steps, DEFAULT_TRAINING.steps, 'steps'),
        batchSize: integer(values.batch, DEFAULT_TRAINING.batchSize, 'batch'),
        learningRate,
        seed: integer(values.seed, DEFAULT_TRAINING.seed, 'seed'),
        freezePrefix: !values['train-prefix'],
      },
      warmup: { ...DEFAULT_WARMUP, steps: integer(values['warmup-steps'], DEFAULT_WARMUP.steps, 'warmup-steps') },
      relabel: {
        ...DEFAULT_RELABEL,
        rounds: integer(values['relabel-rounds'], DEFAULT_RELABEL.rounds, 'relabel-rounds'),
        episodesPerTemplate: integer(
          values['relabel-episodes'],
          DEFAULT_RELABEL.episodesPerTemplate,
          'relabel-episodes',
        ),
        steps: integer(values['relabel-steps'], DEFAULT_RELABEL.steps, 'relabel-steps'),
        learningRate: relabelRate,
      },
      outDir: path.resolve(values.out ?? path.join(appRoot, 'resources/models/coach-tiny')),
      version: DEFAULT_MODEL_VERSION,
      cacheRoot: values['no-cache']
        ? null
        : path.resolve(values.cache ?? path.join(appRoot, 'node_modules/.cache/coach-tiny')),
      workers: integer(values.workers, 2, 'workers'),
      evalEpisodesPerTemplate: integer(values['eval-episodes'], 20, 'eval-episodes'),
      evalSeedSet: seedSet,
      log: (line) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`),
    };
  } catch (error) {
    process.stderr.write(`train:default: ${(error as Error).message}\n\n${TRAIN_DEFAULT_USAGE}`);
    return 2;
  }
  try {
    const result = await trainDefaultModel(plan);
    await prettifyManifest(plan.outDir);
    if (result.evaluation) process.stdout.write(`${formatEvaluation(result.evaluation)}\n`);
    const minutes = (s: number) => `${(s / 60).toFixed(1)} min`;
    process.stdout.write(
      `train:default: ${plan.outDir} in ${minutes(result.totalSeconds)} ` +
        `(demonstrations ${minutes(result.demoSeconds)}, warm-up ${minutes(result.warmupSeconds)}, ` +
        `training ${minutes(result.training.durationS)}, ` +
        (result.relabelRounds.length > 0
          ? `relabelling rounds ${minutes(result.relabelRounds.reduce((sum, round) => sum + round.report.durationS + round.training.durationS, 0))}, `
          : '') +
        `evaluation ${result.evaluation ? minutes(result.evaluation.durationS) : '–'})\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`train:default: ${(error as Error).stack ?? (error as Error).message}\n`);
    return 1;
  }
}
