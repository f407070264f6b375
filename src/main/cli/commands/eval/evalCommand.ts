import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluationRequestSchema } from '../../../../shared/evaluation/evaluationTypes';
import { SEED_SETS } from '../../../../shared/evaluation/seedSets';
import { TASK_TEMPLATES } from '../../../../shared/sim/world/tasks';
import { defaultDataDir, findAppPackage } from '../../../appPaths';
import { EpisodeCatalog } from '../../../episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../../episodes/store/episodeFormat';
import { evaluatePolicy } from '../../../evaluation/evaluatePolicy';
import { formatEvaluation } from '../../../evaluation/formatEvaluation';
import { loadPackagePolicy } from '../../../evaluation/packagePolicy';
import { defaultModelPath } from '../../../policy/defaultModel';
import { loadArmChain } from '../../../robot/urdf/loadUrdf';
import { SettingsStore } from '../../../settings/settingsStore';

export const EVAL_USAGE = `Usage: coach eval [--model DIR] [--tasks ${TASK_TEMPLATES.join(',')}] [--episodes N]
                  [--seed-set ${SEED_SETS.join('|')}] [--max-strokes N] [--seed N] [--json] [--data DIR]

  Runs N attempts per task template in the simulated world (kinematic, faster than real time) on
  held-out scene seeds that training never uses, and prints success with a 95 % interval, strokes
  against the scripted expert's, distractor grasps and time to success, per template and overall.
  The report is stored with the model version in the data folder's catalog.
  --model DIR       the model package (default: the one Coach ships)
  --episodes N      attempts per template (default 20)
`;

class EvalUsageError extends Error {}

/** `coach eval` */
export async function runEvalCommand(argv: string[]): Promise<number> {
  let request;
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        tasks: { type: 'string' },
        episodes: { type: 'string' },
        'seed-set': { type: 'string' },
        'max-strokes': { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean', default: false },
        data: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      process.stdout.write(EVAL_USAGE);
      return 0;
    }
    const parsed = evaluationRequestSchema.safeParse({
      modelPath: path.resolve(values.model ?? defaultModelPath(findAppPackage(__dirname).root)),
      ...(values.tasks ? { templates: values.tasks.split(',').map((t) => t.trim()) } : {}),
      ...(values.episodes ? { episodesPerTemplate: Number(values.episodes) } : {}),
      ...(values['seed-set'] ? { seedSet: values['seed-set'] } : {}),
      ...(values['max-strokes'] ? { maxStrokes: Number(values['max-strokes']) } : {}),
      ...(values.seed ? { seed: Number(values.seed) } : {}),
    });
    if (!parsed.success)
      throw new EvalUsageError(
        parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; '),
      );
    request = parsed.data;
  } catch (error) {
    process.stderr.write(`coach eval: ${(error as Error).message}\n\n${EVAL_USAGE}`);
    return 2;
  }
  const app = findAppPackage(__dirname);
  let loaded;
  try {
    loaded = await loadPackagePolicy(request.modelPath);
  } catch (error) {
    process.stderr.write(`coach eval: ${(error as Error).message}\n`);
    return 1;
  }
  const abort = new AbortController();
  const cancel = () => abort.abort();
  process.once('SIGINT', cancel);
  try {
    const report = await evaluatePolicy(loadArmChain(app.root), loaded.policy, loaded.model, request, {
      signal: abort.signal,
      onEpisode: (result, done, total) => {
        if (!values.json)
          process.stderr.write(
            `  ${String(done).padStart(4)}/${total} ${result.template.padEnd(9)} seed ${result.seed}: ` +
              `${result.success ? 'success' : 'failure'} in ${result.strokes} strokes — ${result.reason}\n`,
          );
      },
    });
    const dataDir = path.resolve(values.data ?? defaultDataDir());
    const root = path.resolve(dataDir, new SettingsStore(dataDir).get().recording.dir ?? 'episodes');
    fs.mkdirSync(root, { recursive: true });
    const catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
    const id = catalog.saveEvaluation(report);
    catalog.close();
    if (values.json) process.stdout.write(`${JSON.stringify({ ...report, id }, null, 2)}\n`);
    else process.stdout.write(`${formatEvaluation(report)}\nstored as evaluation ${id} in ${root}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`coach eval: ${(error as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', cancel);
    await loaded.release();
  }
}
