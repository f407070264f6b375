import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import { loadModelPackage } from '../../policy/modelPackage';
import type { LoadedModelPackage } from '../../policy/modelPackageTypes';
import { DATASET_MANIFEST_FILE } from './datasetManifest';
import { ExternalTrainerError } from './externalErrors';
import { importTrainedPackage } from './importTrainedPackage';
import { trainerInvocation, type TrainerPaths } from './trainerCommand';
import type { ExternalTrainerEvent } from './trainerEvents';
import { runTrainerProcess, type TrainerProcessOutcome } from './trainerProcess';

export interface ExternalTrainerProgress {
  phase: 'training' | 'importing' | 'done';
  step: number | null;
  totalSteps: number | null;
  loss: number | null;
  /** The last progress line's other numeric fields (accuracy, margin, lr, …). */
  metrics: Record<string, number>;
  elapsedS: number;
  /** From the step rate so far; null until the trainer reports steps of a known total. */
  etaS: number | null;
}

export interface ExternalTrainerOptions {
  /** The program, or the program and its first arguments (no shell). {dataset}, {output}, {model} are substituted. */
  command: string | readonly string[];
  args?: readonly string[];
  /** A folder exportPairsDataset wrote. */
  datasetDir: string;
  /** Where the trainer writes; must be new or empty. Removed again on cancel or failure. */
  outputDir: string;
  /** The model package being refined. */
  baseModelDir: string;
  /** Added to Coach's environment (e.g. CUDA_VISIBLE_DEVICES). */
  env?: Record<string, string>;
  /** The trainer's working folder; default: Coach's. */
  cwd?: string;
  signal?: AbortSignal;
  onProgress?: (progress: ExternalTrainerProgress) => void;
  /** Log lines: {"event":"log"} messages and stdout lines that are not JSON events. */
  onLog?: (message: string) => void;
  /** Stop the trainer (like cancel, as an error) after this long. */
  timeoutS?: number;
  /** Between SIGTERM and SIGKILL on cancel or timeout; default 5000. */
  killGraceMs?: number;
  /** Keep what the trainer wrote when it fails (not on cancel), to look into it; default false. */
  keepOutputOnFailure?: boolean;
}

export interface ExternalTrainerResult {
  /** The imported package (absolute folder inside outputDir), validated, with the base model's action space. */
  pkg: LoadedModelPackage;
  /** The last progress the trainer reported. */
  lastProgress: ExternalTrainerProgress | null;
  elapsedS: number;
}

/** createdRoot: the topmost folder this run created (removed whole on failure); null when dir existed, empty. */
async function prepareOutputDir(dir: string): Promise<{ createdRoot: string | null }> {
  const stat = await fs.stat(dir).catch(() => null);
  if (stat) {
    if (!stat.isDirectory() || (await fs.readdir(dir)).length > 0)
      throw new ExternalTrainerError(
        'invalid_options',
        `the trainer output folder ${dir} is not a new or empty folder: choose another one`,
      );
    return { createdRoot: null };
  }
  return { createdRoot: (await fs.mkdir(dir, { recursive: true })) ?? dir };
}

async function removeOutput(dir: string, createdRoot: string | null): Promise<void> {
  if (createdRoot) return fs.rm(createdRoot, { recursive: true, force: true });
  const entries = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(entries.map((e) => fs.rm(path.join(dir, e), { recursive: true, force: true })));
}

async function checkInputs(paths: TrainerPaths): Promise<ModelManifest> {
  const dataset = await fs.stat(path.join(paths.datasetDir, DATASET_MANIFEST_FILE)).catch(() => null);
  if (!dataset)
    throw new ExternalTrainerError(
      'invalid_options',
      `${paths.datasetDir} holds no ${DATASET_MANIFEST_FILE}: export the pairs first (exportPairsDataset)`,
    );
  try {
    return (await loadModelPackage(paths.baseModelDir)).manifest;
  } catch (err) {
    throw new ExternalTrainerError(
      'invalid_options',
      `the base model is not a valid package: ${(err as Error).message}`,
    );
  }
}

const withTail = (message: string, tail: string) =>
  tail ? `${message}. Its last output on stderr:\n${tail}` : message;

/** The failure a finished (not stopped) trainer run ended in, or null if it finished well. */
function failureOf(outcome: TrainerProcessOutcome, file: string, timeoutS?: number): ExternalTrainerError | null {
  const tail = outcome.stderrTail;
  if (outcome.spawnError) {
    const code = outcome.spawnError.code;
    const why =
      code === 'ENOENT'
        ? `the trainer command "${file}" was not found: install it or set its full path`
        : code === 'EACCES'
          ? `the trainer command "${file}" cannot be run (permission denied): is it executable?`
          : `the trainer command "${file}" could not be started: ${outcome.spawnError.message}`;
    return new ExternalTrainerError('command_not_found', why);
  }
  if (outcome.stopped === 'cancelled')
    return new ExternalTrainerError('cancelled', 'the external training was cancelled; its output was removed', tail);
  if (outcome.stopped === 'timed_out')
    return new ExternalTrainerError(
      'timed_out',
      withTail(`the trainer ran past its time limit of ${timeoutS} s and was stopped`, tail),
      tail,
    );
  const reported = outcome.errorMessages.at(-1);
  if (outcome.exitCode !== 0) {
    const how = outcome.exitSignal ? `was killed by ${outcome.exitSignal}` : `exited with code ${outcome.exitCode}`;
    const said = reported ? `: ${reported}` : '';
    return new ExternalTrainerError('exit_code', withTail(`the trainer ${how}${said}`, tail), tail);
  }
  if (reported !== undefined)
    return new ExternalTrainerError(
      'reported_error',
      withTail(`the trainer reported an error: ${reported}`, tail),
      tail,
    );
  if (!outcome.done)
    return new ExternalTrainerError(
      'no_done_event',
      withTail(
        'the trainer exited without printing {"event":"done"}: it must print it on stdout once the package is written',
        tail,
      ),
      tail,
    );
  return null;
}

/** The package folder the done event names: relative to the output folder, and inside it. */
function packageDirOf(done: { package: string | null }, outputDir: string): string {
  const dir = path.resolve(outputDir, done.package ?? '.');
  const rel = path.relative(outputDir, dir);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new ExternalTrainerError(
      'package_invalid',
      `the trainer's done event names ${dir}, which is outside its output folder ${outputDir}: write the package inside it`,
    );
  return dir;
}

/**
 * Runs an external trainer on an exported pairs dataset and imports the package it writes
 * (docs/refine.md, "External trainer"). The command gets the dataset, output and base model folders as
 * placeholders and environment variables and reports JSON lines on stdout. Cancel (signal) or timeout
 * stops its process group (SIGTERM, then SIGKILL) and removes the output; any failure throws an
 * ExternalTrainerError whose `reason` says what went wrong.
 */
export async function runExternalTrainer(options: ExternalTrainerOptions): Promise<ExternalTrainerResult> {
  const paths: TrainerPaths = {
    datasetDir: path.resolve(options.datasetDir),
    outputDir: path.resolve(options.outputDir),
    baseModelDir: path.resolve(options.baseModelDir),
  };
  const invocation = trainerInvocation(options.command, options.args ?? [], paths, options.env);
  const baseManifest = await checkInputs(paths);
  const { createdRoot } = await prepareOutputDir(paths.outputDir);
  const startedMs = Date.now();
  const elapsedS = () => (Date.now() - startedMs) / 1000;
  const state: { last: ExternalTrainerProgress | null } = { last: null };
  const report = (p: ExternalTrainerProgress) => {
    if (p.phase === 'training') state.last = p;
    options.onProgress?.(p);
  };
  const onEvent = (event: ExternalTrainerEvent) => {
    if (event.event === 'log') options.onLog?.(event.message);
    if (event.event !== 'progress') return;
    const elapsed = elapsedS();
    const left = event.total === null ? null : Math.max(0, event.total - event.step);
    const etaS = left !== null && event.step > 0 ? (elapsed * left) / event.step : null;
    const { step, total: totalSteps, loss, metrics } = event;
    report({ phase: 'training', step, totalSteps, loss, metrics, elapsedS: elapsed, etaS });
  };
  const finalPhase = (phase: 'importing' | 'done'): ExternalTrainerProgress => ({
    ...(state.last ?? { step: null, totalSteps: null, loss: null, metrics: {} }),
    phase,
    elapsedS: elapsedS(),
    etaS: null,
  });

  try {
    const outcome = await runTrainerProcess(invocation, {
      cwd: options.cwd,
      signal: options.signal,
      timeoutS: options.timeoutS,
      killGraceMs: options.killGraceMs ?? 5000,
      onEvent,
    });
    const failure = failureOf(outcome, invocation.file, options.timeoutS);
    if (failure) throw failure;
    report(finalPhase('importing'));
    const pkg = await importTrainedPackage(packageDirOf(outcome.done!, paths.outputDir), baseManifest);
    if (options.signal?.aborted)
      throw new ExternalTrainerError('cancelled', 'the external training was cancelled; its output was removed');
    report(finalPhase('done'));
    return { pkg, lastProgress: state.last, elapsedS: elapsedS() };
  } catch (err) {
    const cancelled = err instanceof ExternalTrainerError && err.reason === 'cancelled';
    if (cancelled || options.keepOutputOnFailure !== true)
      await removeOutput(paths.outputDir, createdRoot).catch(() => undefined);
    throw err;
  }
}
