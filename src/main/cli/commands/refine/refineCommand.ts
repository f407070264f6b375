import path from 'node:path';
import { parseArgs } from 'node:util';
import { refineRequestSchema, type RefineJob } from '../../../../shared/refine/refineTypes';
import { defaultDataDir, ensureDataDir, findAppPackage } from '../../../appPaths';
import { EvaluationService } from '../../../evaluation/evaluationService';
import { ModelRegistry } from '../../../models/modelRegistry';
import { defaultModelPath } from '../../../policy/defaultModel';
import { PairStore } from '../../../refine/pairs/pairStore';
import { RefineService } from '../../../refine/refineService';
import { refineTrainingDeps } from '../../../refine/refineWiring';
import { SettingsStore } from '../../../settings/settingsStore';
import { openEpisodeStore } from '../episodes/openEpisodeStore';

export const REFINE_USAGE = `Usage: coach refine [--model DIR] [--pairs labels|gta|all|none] [--beta X] [--steps N]
                    [--batch N] [--lr X] [--eval-episodes N] [--seed N] [--promote] [--data DIR]
                    [--use-external | --external "CMD ARGS"]

  One refinement, as the console's "Refine policy" button does it: builds preference pairs from the
  labelled episodes (--pairs: which sources to build now; stored pairs are always used), DPO of the
  model on every eligible pair into a new version under <data>/models, then an evaluation of both
  versions on the same held-out seeds (--eval-episodes per task, default 10; 0 skips it). The new version
  is left as a candidate: --promote makes it the one Coach loads at its next start (or later:
  coach models promote ID).
  --model DIR     the model to refine (default: the one in use in the data folder's settings)
  --beta X        DPO β (default 500, NORA-1.5's); --steps N (default from the pair count)
  --reward gta|wm|wm+gta  what ranks the samples of reward pairs (default gta; wm: the world model's energy
                  against a goal frame, docs/world-model.md; wm+gta: energy + 0.1 · GTA)
  --world-model DIR  the world-model package (default: settings refine.worldModelPath, else the shipped coach-wm)
  --use-external  train with the external trainer in the settings (refine.externalTrainerCommand)
  --external "CMD ARGS"  train with this external trainer command ({dataset}, {output}, {model} substituted;
                  docs/refine.md, "External trainer")
`;

const percent = (value: number) => `${(value * 100).toFixed(0)} %`;

type Summary = NonNullable<RefineJob['comparison']>['after']['overall'];

const cell = (summary: Summary | undefined) =>
  summary
    ? `${summary.successes}/${summary.episodes} ${percent(summary.successRate)} ` +
      `[${percent(summary.successInterval95[0])}, ${percent(summary.successInterval95[1])}]  ` +
      `${summary.meanStrokes.toFixed(1).padStart(5)} strokes  ${summary.distractorGrasps} distr.`
    : '–';

/** Before → after per template and overall, on the same held-out seeds. */
function formatComparison(job: RefineJob): string {
  const comparison = job.comparison;
  if (!comparison) return 'not evaluated (--eval-episodes 0)\n';
  const groups = [...Object.keys(comparison.after.byTemplate), 'overall'];
  const pick = (side: typeof comparison.after, group: string) =>
    group === 'overall' ? side.overall : side.byTemplate[group];
  const lines = [`${comparison.seedSet} seeds, ${comparison.episodesPerTemplate} per template: before → after`];
  for (const group of groups)
    lines.push(
      `${group.padEnd(10)} ${cell(pick(comparison.before, group)).padEnd(48)} → ${cell(pick(comparison.after, group))}`,
    );
  return `${lines.join('\n')}\n`;
}

/** `coach refine` */
export async function runRefineCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        pairs: { type: 'string', default: 'all' },
        beta: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        'eval-episodes': { type: 'string' },
        seed: { type: 'string' },
        promote: { type: 'boolean', default: false },
        external: { type: 'string' },
        'use-external': { type: 'boolean', default: false },
        reward: { type: 'string', default: 'gta' },
        'world-model': { type: 'string' },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`coach refine: ${(error as Error).message}\n\n${REFINE_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(REFINE_USAGE);
    return 0;
  }
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  const parsed = refineRequestSchema.safeParse({
    buildFrom: values.pairs,
    beta: number(values.beta),
    steps: number(values.steps),
    batchSize: number(values.batch),
    learningRate: number(values.lr),
    evalEpisodesPerTemplate: number(values['eval-episodes']),
    seed: number(values.seed),
    trainer: values.external || values['use-external'] ? 'external' : 'in-app',
    reward: values.reward,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    process.stderr.write(`coach refine: ${problems}\n\n${REFINE_USAGE}`);
    return 2;
  }
  const app = findAppPackage(__dirname);
  const dataDir = ensureDataDir(path.resolve(values.data ?? defaultDataDir()));
  const settings = new SettingsStore(dataDir);
  let modelPath = path.resolve(values.model ?? settings.get().policy.modelPath ?? defaultModelPath(app.root));
  let episodes;
  try {
    episodes = openEpisodeStore(dataDir);
  } catch (error) {
    process.stderr.write(`coach refine: ${(error as Error).message}\n`);
    return 1;
  }
  const registry = new ModelRegistry(dataDir);
  const evaluations = new EvaluationService(app.root, episodes.catalog);
  const refine = new RefineService({
    registry,
    evaluations,
    inUsePath: () => modelPath,
    shippedModelPath: defaultModelPath(app.root),
    useModel: async (next) => {
      modelPath = next;
      settings.update({ policy: { modelPath: next } });
    },
    ...refineTrainingDeps(
      app.root,
      episodes,
      new PairStore(episodes.catalog),
      () =>
        values.external ? values.external.split(' ').filter(Boolean) : settings.get().refine.externalTrainerCommand,
      () => (values['world-model'] ? path.resolve(values['world-model']) : settings.get().refine.worldModelPath),
    ),
  });
  let lastLine = '';
  const stop = refine.statusTopic.subscribe((job) => {
    if (!job) return;
    const line = `[${job.phase}] ${(job.fraction * 100).toFixed(0)} %${job.etaS ? `, eta ${Math.ceil(job.etaS)} s` : ''} — ${job.message ?? ''}`;
    if (line !== lastLine) process.stdout.write(`${line}\n`);
    lastLine = line;
  });
  const cancel = () => {
    const job = refine.status();
    if (job) void refine.cancel(job.jobId);
  };
  process.once('SIGINT', cancel);
  try {
    const started = await refine.start({ ...parsed.data, modelPath });
    await refine.settled();
    const job = refine.status()!;
    if (job.phase !== 'ready') {
      process.stderr.write(`coach refine: ${job.message ?? job.phase}\n`);
      return job.phase === 'cancelled' ? 130 : 1;
    }
    process.stdout.write(
      `\nrefined ${job.base.id} on ${job.pairs.used} pairs (${Object.entries(job.pairs.bySource)
        .map(([source, n]) => `${source} ${n}`)
        .join(', ')}; ${job.pairs.builtNow} built now) → ${job.candidate!.id}\n`,
    );
    process.stdout.write(formatComparison(job));
    if (values.promote) {
      await refine.promote(started.jobId);
      process.stdout.write(`promoted ${job.candidate!.id}: Coach loads ${job.candidate!.path} at its next start\n`);
    } else process.stdout.write(`candidate kept: coach models promote ${job.candidate!.id} to use it\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`coach refine: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', cancel);
    stop();
    await refine.close();
    await evaluations.close();
    episodes.catalog.close();
  }
}
