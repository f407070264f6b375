import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPairsDataset } from '../../../../src/main/refine/external/exportPairsDataset';
import { ExternalTrainerError, type ExternalTrainerFailure } from '../../../../src/main/refine/external/externalErrors';
import {
  runExternalTrainer,
  type ExternalTrainerOptions,
  type ExternalTrainerProgress,
} from '../../../../src/main/refine/external/runExternalTrainer';
import { FAKE_TRAINER, TEST_MODEL, TEST_PACKAGE_DIR, isRunning, observationImage, pair } from './externalFixtures';

let tmp: string;
let datasetDir: string;
let runs = 0;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-external-trainer-'));
  datasetDir = path.join(tmp, 'dataset with spaces');
  await exportPairsDataset(
    [pair(1, 'active'), pair(2, 'flipped'), pair(3, 'discarded')],
    async (p) => observationImage(p),
    datasetDir,
    { model: TEST_MODEL },
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Options that run the fake trainer in a mode, into a fresh output folder. */
function fakeTrainer(mode: string, extra: Partial<ExternalTrainerOptions> = {}): ExternalTrainerOptions {
  return {
    command: [process.execPath, FAKE_TRAINER],
    args: ['--dataset', '{dataset}', '--output', '{output}', '--model', '{model}', '--mode', mode],
    datasetDir,
    outputDir: path.join(tmp, `out-${++runs}`, 'trained'),
    baseModelDir: TEST_PACKAGE_DIR,
    ...extra,
  };
}

async function failure(options: ExternalTrainerOptions, reason: ExternalTrainerFailure): Promise<ExternalTrainerError> {
  const error = await runExternalTrainer(options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ExternalTrainerError);
  expect((error as ExternalTrainerError).reason).toBe(reason);
  return error as ExternalTrainerError;
}

describe('runExternalTrainer: the contract end to end', () => {
  it('runs the command with the folders substituted, reads its progress and imports its package', async () => {
    const progress: ExternalTrainerProgress[] = [];
    const logs: string[] = [];
    const options = fakeTrainer('ok', { onProgress: (p) => progress.push(p), onLog: (m) => logs.push(m) });
    const result = await runExternalTrainer(options);

    expect(result.pkg.dir).toBe(path.join(path.resolve(options.outputDir), 'package'));
    expect(result.pkg.manifest.name).toBe('coach-test');
    expect(result.pkg.manifest.version).toBe('1.0.0-dpo.1');
    expect(result.pkg.manifest.action).toEqual(
      JSON.parse(fs.readFileSync(path.join(TEST_PACKAGE_DIR, 'manifest.json'), 'utf8')).action,
    );

    const training = progress.filter((p) => p.phase === 'training');
    expect(training.map((p) => [p.step, p.totalSteps])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4],
    ]);
    training.forEach((p, i) => expect(p.loss).toBeCloseTo(0.6931 / (i + 1), 10));
    expect(training[3]!.metrics).toEqual({ accuracy: 1, lr: 1e-4 });
    expect(training[3]!.etaS).toBe(0);
    expect(progress.slice(-2).map((p) => p.phase)).toEqual(['importing', 'done']);
    expect(result.lastProgress?.step).toBe(4);
    // a plain print is kept as a log line, a log event by its message
    expect(logs).toEqual(['plain text: read 2 pairs for coach-test 1.0.0', 'dataset coach.pairs/1']);
  });

  it('takes the output folder itself when the done event names no package', async () => {
    const options = fakeTrainer('ok-root');
    const result = await runExternalTrainer(options);
    expect(result.pkg.dir).toBe(path.resolve(options.outputDir));
    expect(result.pkg.manifest.version).toBe('1.0.0-dpo.1');
  });
});

describe('runExternalTrainer: failures say what went wrong and leave no output', () => {
  it('a command that does not exist', async () => {
    const options = fakeTrainer('ok', { command: path.join(tmp, 'no-such-trainer'), args: [] });
    const error = await failure(options, 'command_not_found');
    expect(error.message).toMatch(/the trainer command ".*no-such-trainer" was not found/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
  });

  it('an exit code other than 0, with the tail of stderr', async () => {
    const options = fakeTrainer('exit1');
    const error = await failure(options, 'exit_code');
    expect(error.message).toMatch(/the trainer exited with code 1/);
    expect(error.message).toMatch(/RuntimeError: CUDA out of memory/);
    expect(error.stderrTail).toMatch(/^Traceback/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
  });

  it('an error event, even with exit code 0', async () => {
    const error = await failure(fakeTrainer('error'), 'reported_error');
    expect(error.message).toMatch(/the trainer reported an error: the loss diverged \(NaN at step 3\)/);
  });

  it('no done event', async () => {
    const options = fakeTrainer('no-done');
    const error = await failure(options, 'no_done_event');
    expect(error.message).toMatch(/without printing \{"event":"done"\}/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
  });

  it('a done event naming a folder outside the output folder', async () => {
    const options = fakeTrainer('outside');
    const error = await failure(options, 'package_invalid');
    expect(error.message).toMatch(/names .*elsewhere, which is outside its output folder/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
  });

  it('a package in another action space names each difference', async () => {
    const options = fakeTrainer('different-action');
    const error = await failure(options, 'action_space_mismatch');
    expect(error.message).toMatch(/action\.space is joint_delta \(base: ee_delta\)/);
    expect(error.message).toMatch(/action\.names are \[joint1, .*gripper\] \(base: \[dx, dy/);
    expect(error.message).not.toMatch(/chunkLength|action\.dims/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
  });

  it('an invalid package names the file at fault; keepOutputOnFailure keeps it to look into', async () => {
    const options = fakeTrainer('invalid-package', { keepOutputOnFailure: true });
    const error = await failure(options, 'package_invalid');
    expect(error.message).toMatch(/is not a valid model package: expert\.onnx: not found/);
    expect(fs.readdirSync(path.join(options.outputDir, 'package'))).toContain('manifest.json');
  });

  it('refuses a dataset folder without dataset.json and an output folder that is not empty', async () => {
    const noDataset = await failure(fakeTrainer('ok', { datasetDir: tmp }), 'invalid_options');
    expect(noDataset.message).toMatch(/holds no dataset\.json/);
    const options = fakeTrainer('ok');
    fs.mkdirSync(options.outputDir, { recursive: true });
    fs.writeFileSync(path.join(options.outputDir, 'mine.txt'), 'keep');
    const notEmpty = await failure(options, 'invalid_options');
    expect(notEmpty.message).toMatch(/is not a new or empty folder/);
    expect(fs.readdirSync(options.outputDir)).toEqual(['mine.txt']);
  });
});

describe('runExternalTrainer: cancel and timeout stop the process group and remove the output', () => {
  /** Starts a hanging trainer and resolves with its pids (the trainer, its worker) once it has written something. */
  function startHanging(mode: string, extra: Partial<ExternalTrainerOptions> = {}) {
    const controller = new AbortController();
    let onPids: (pids: number[]) => void = () => undefined;
    const pids = new Promise<number[]>((resolve) => (onPids = resolve));
    const options = fakeTrainer(mode, {
      signal: controller.signal,
      onLog: (m) => {
        if (m.startsWith('pids ')) onPids(m.slice(5).split(' ').map(Number));
      },
      ...extra,
    });
    const run = runExternalTrainer(options).then(
      () => null,
      (e: unknown) => e,
    );
    return { controller, pids, options, run };
  }

  it('cancel kills the trainer and its worker and removes what it wrote', async () => {
    const { controller, pids, options, run } = startHanging('hang');
    const [trainerPid, workerPid] = await pids;
    expect(fs.readdirSync(options.outputDir)).toContain('checkpoint-partial.bin');
    expect(isRunning(trainerPid!) && isRunning(workerPid!)).toBe(true);
    controller.abort();
    const error = await run;
    expect(error).toBeInstanceOf(ExternalTrainerError);
    expect((error as ExternalTrainerError).reason).toBe('cancelled');
    expect((error as ExternalTrainerError).code).toBe('external_trainer_cancelled');
    expect(fs.existsSync(path.dirname(options.outputDir))).toBe(false); // out-N/trained: both created, both gone
    await expect.poll(() => isRunning(trainerPid!) || isRunning(workerPid!), { timeout: 3000 }).toBe(false);
  });

  it('a trainer that ignores SIGTERM is killed after the grace period', async () => {
    const { controller, pids, options, run } = startHanging('ignore-term', { killGraceMs: 300 });
    const [trainerPid, workerPid] = await pids;
    const startedMs = Date.now();
    controller.abort();
    expect(((await run) as ExternalTrainerError).reason).toBe('cancelled');
    expect(Date.now() - startedMs).toBeGreaterThanOrEqual(250);
    expect(fs.existsSync(options.outputDir)).toBe(false);
    await expect.poll(() => isRunning(trainerPid!) || isRunning(workerPid!), { timeout: 3000 }).toBe(false);
  });

  it('a run past timeoutS is stopped as timed out', async () => {
    const { pids, options, run } = startHanging('hang', { timeoutS: 1.5, killGraceMs: 300 });
    const [trainerPid] = await pids;
    const error = (await run) as ExternalTrainerError;
    expect(error.reason).toBe('timed_out');
    expect(error.message).toMatch(/time limit of 1\.5 s/);
    expect(fs.existsSync(options.outputDir)).toBe(false);
    await expect.poll(() => isRunning(trainerPid!), { timeout: 3000 }).toBe(false);
  });
});
