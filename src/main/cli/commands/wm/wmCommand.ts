import path from 'node:path';
import { parseArgs } from 'node:util';
import { SEED_SETS, type SeedSet } from '../../../../shared/evaluation/seedSets';
import { TASK_TEMPLATES, type TaskTemplate } from '../../../../shared/sim/world/tasks';
import { findAppPackage } from '../../../appPaths';
import { loadArmChain } from '../../../robot/urdf/loadUrdf';
import { defaultWorldModelPath } from '../../../worldModel/pairRewardChoice';
import { evaluateWorldModel, formatWmEvaluation } from '../../../worldModel/wmEvaluation';
import { inspectWorldModelPackage } from '../../../worldModel/worldModelPackage';
import { WorldModelRuntime } from '../../../worldModel/worldModelRuntime';

export const WM_USAGE = `Usage: coach wm eval [--world-model DIR] [--tasks ${TASK_TEMPLATES.join(',')}] [--episodes N]
                     [--seed-set ${SEED_SETS.join('|')}] [--seed N] [--json]
       coach wm info [DIR]

  eval   how well the world model ranks actions (docs/world-model.md): on held-out scenes the scripted expert
         does each task; at every chunk boundary the expert's next chunk is compared with a perturbed copy and
         a random chunk against the expert's goal frame (where it let go of the object; its last frame for
         pick up). Prints the pairwise accuracy (the
         expert's chunk gets the lower energy) per template and overall, and Spearman's correlation of the
         energy with the true distance to the goal state.
  info   what a world-model package holds (default: the one Coach ships, resources/world-models/coach-wm)
  --world-model DIR   the package (default: the one Coach ships)
  --episodes N        expert episodes per template (default 10)
`;

class WmUsageError extends Error {}

function templatesOf(text: string | undefined): TaskTemplate[] {
  if (!text) return [...TASK_TEMPLATES];
  const names = text.split(',').map((name) => name.trim());
  const bad = names.filter((name) => !(TASK_TEMPLATES as readonly string[]).includes(name));
  if (bad.length) throw new WmUsageError(`--tasks: unknown ${bad.join(', ')} (one of ${TASK_TEMPLATES.join(', ')})`);
  return names as TaskTemplate[];
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new WmUsageError(`--${flag} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

async function wmEval(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'world-model': { type: 'string' },
      tasks: { type: 'string' },
      episodes: { type: 'string', default: '10' },
      'seed-set': { type: 'string', default: 'heldout' },
      seed: { type: 'string', default: '0' },
      json: { type: 'boolean', default: false },
    },
  });
  const seedSet = values['seed-set'];
  if (!(SEED_SETS as readonly string[]).includes(seedSet))
    throw new WmUsageError(`--seed-set must be one of ${SEED_SETS.join(', ')}, got "${seedSet}"`);
  const appRoot = findAppPackage(__dirname).root;
  const dir = path.resolve(values['world-model'] ?? defaultWorldModelPath(appRoot));
  const { pkg } = await inspectWorldModelPackage(dir);
  const runtime = await WorldModelRuntime.load(pkg);
  try {
    const report = await evaluateWorldModel(loadArmChain(appRoot), runtime, {
      templates: templatesOf(values.tasks),
      episodesPerTemplate: wholeNumber('episodes', values.episodes, 1, 10_000),
      seedSet: seedSet as SeedSet,
      seed: wholeNumber('seed', values.seed, 0, 2 ** 31 - 1),
      onEpisode: values.json
        ? undefined
        : (done, total) => process.stderr.write(`\rwm eval: episode ${done}/${total}${done === total ? '\n' : ''}`),
    });
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatWmEvaluation(report));
    return 0;
  } finally {
    await runtime.release();
  }
}

async function wmInfo(argv: string[]): Promise<number> {
  const appRoot = findAppPackage(__dirname).root;
  const dir = path.resolve(argv[0] ?? defaultWorldModelPath(appRoot));
  const { pkg, files } = await inspectWorldModelPackage(dir);
  const { manifest } = pkg;
  const kib = files.reduce((sum, file) => sum + file.bytes, 0) / 1024;
  process.stdout.write(
    [
      `${manifest.name} ${manifest.version}${manifest.trained ? '' : ' (untrained)'} — ${pkg.dir}`,
      manifest.description,
      `camera ${manifest.camera.name} ${manifest.camera.widthPx}×${manifest.camera.heightPx}` +
        `${manifest.instruction ? ', reads the instruction' : ''}${manifest.encoder.robotStateInput ? ', reads the arm state' : ''}`,
      `latent ${manifest.latent.size}${manifest.latent.names ? `: ${manifest.latent.names.join(', ')}` : ''}`,
      `actions ${manifest.action.space} ${manifest.action.chunkLength} × ${manifest.action.dims}; energy ${manifest.energy.metric}`,
      `${pkg.parameterCount} parameters, ${kib.toFixed(0)} KiB in ${files.length} files`,
    ].join('\n') + '\n',
  );
  return 0;
}

/** `coach wm …` */
export async function runWmCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'eval') return await wmEval(rest);
    if (sub === 'info') return await wmInfo(rest);
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(WM_USAGE);
      return 0;
    }
    process.stderr.write(`coach wm: ${sub ? `unknown command "${sub}"` : 'which command?'}\n\n${WM_USAGE}`);
    return 2;
  } catch (error) {
    if (error instanceof WmUsageError || (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`coach wm: ${(error as Error).message}\n\n${WM_USAGE}`);
      return 2;
    }
    process.stderr.write(`coach wm: ${(error as Error).message}\n`);
    return 1;
  }
}
