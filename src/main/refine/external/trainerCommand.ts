import { ExternalTrainerError } from './externalErrors';

/** The folders the command is given, as {dataset}, {output}, {model} and COACH_DATASET / COACH_OUTPUT / COACH_BASE_MODEL. */
export interface TrainerPaths {
  datasetDir: string;
  outputDir: string;
  baseModelDir: string;
}

export interface TrainerInvocation {
  file: string;
  args: string[];
  env: Record<string, string>;
}

function substitute(text: string, paths: TrainerPaths): string {
  return text
    .replaceAll('{dataset}', paths.datasetDir)
    .replaceAll('{output}', paths.outputDir)
    .replaceAll('{model}', paths.baseModelDir);
}

/**
 * The program and argv to run (no shell: each element is one argument, so paths with spaces are safe),
 * placeholders substituted, and the environment: Coach's own, then `env`, then the three COACH_ paths.
 */
export function trainerInvocation(
  command: string | readonly string[],
  args: readonly string[],
  paths: TrainerPaths,
  env: Record<string, string> = {},
): TrainerInvocation {
  const argv = [...(typeof command === 'string' ? [command] : command), ...args];
  if (argv.length === 0 || argv[0]!.trim() === '')
    throw new ExternalTrainerError('invalid_options', 'no trainer command is configured: set the command to run');
  const [file, ...rest] = argv.map((a) => substitute(a, paths));
  return {
    file: file!,
    args: rest,
    env: {
      ...(process.env as Record<string, string>),
      ...env,
      COACH_DATASET: paths.datasetDir,
      COACH_OUTPUT: paths.outputDir,
      COACH_BASE_MODEL: paths.baseModelDir,
    },
  };
}
