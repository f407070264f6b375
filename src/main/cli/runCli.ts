import { findAppPackage } from '../appPaths';
import { CliUsageError, parseCliOptions, USAGE } from './cliOptions';
import { runInfo } from './commands/info';
import { runServe } from './commands/serve';
import { runArmCommand } from './commands/arm/armCommand';
import { runSimCommand } from './commands/sim/simCommand';
import { runCamerasCommand } from './commands/camerasCommand';
import { runModelCommand } from './commands/modelCommand';
import { runRunCommand } from './commands/runCommand';
import { runEpisodesCommand } from './commands/episodes/episodesCommand';
import { runExportCommand } from './commands/episodes/exportCommand';
import { runEvalCommand } from './commands/eval/evalCommand';
import { runTrainCommand } from './commands/train/trainCommand';
import { runPairsCommand } from './commands/pairs/pairsCommand';
import { runModelsCommand } from './commands/models/modelsCommand';
import { runRefineCommand } from './commands/refine/refineCommand';
import { runWmCommand } from './commands/wm/wmCommand';

const commands: Record<string, (options: ReturnType<typeof parseCliOptions>) => Promise<number>> = {
  serve: runServe,
  info: runInfo,
};

export async function runCli(argv: string[]): Promise<number> {
  if (argv[0] === 'arm') return runArmCommand(argv.slice(1));
  if (argv[0] === 'sim') return runSimCommand(argv.slice(1));
  if (argv[0] === 'cameras') return runCamerasCommand(argv.slice(1));
  if (argv[0] === 'model') return runModelCommand(argv.slice(1));
  if (argv[0] === 'run') return runRunCommand(argv.slice(1));
  if (argv[0] === 'episodes') return runEpisodesCommand(argv.slice(1));
  if (argv[0] === 'export') return runExportCommand(argv.slice(1));
  if (argv[0] === 'eval') return runEvalCommand(argv.slice(1));
  if (argv[0] === 'train') return runTrainCommand(argv.slice(1));
  if (argv[0] === 'pairs') return runPairsCommand(argv.slice(1));
  if (argv[0] === 'models') return runModelsCommand(argv.slice(1));
  if (argv[0] === 'refine') return runRefineCommand(argv.slice(1));
  if (argv[0] === 'wm') return runWmCommand(argv.slice(1));
  let options;
  try {
    options = parseCliOptions(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`coach: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.version) {
    process.stdout.write(`${findAppPackage(__dirname).version}\n`);
    return 0;
  }
  if (options.help || !options.command) {
    process.stdout.write(USAGE);
    return options.help ? 0 : 2;
  }
  const command = commands[options.command];
  if (!command) {
    process.stderr.write(`coach: unknown command "${options.command}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(options);
  } catch (error) {
    process.stderr.write(`coach ${options.command}: ${(error as Error).message}\n`);
    return 1;
  }
}
