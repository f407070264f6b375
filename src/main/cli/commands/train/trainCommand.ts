import path from 'node:path';
import { parseArgs } from 'node:util';
import { findAppPackage } from '../../../appPaths';
import type { BcTrainingOptions } from '../../../training/bc/bcOptions';
import { openBcDatasetFile } from '../../../training/bc/bcDatasetFile';
import { trainBehaviourCloning, type BcTrainingResult } from '../../../training/bc/trainBehaviourCloning';
import { TrainingCancelledError } from '../../../training/bc/trainingErrors';
import { TrainingRunner } from '../../../training/trainingRunner';
import type { TrainingProgress } from '../../../training/trainingTypes';

export const TRAIN_USAGE = `Usage: coach train --model DIR --data FILE --out DIR [options]

  Behaviour cloning of a model package on a dataset file (flow-matching loss, AdamW, warm-up + cosine
  schedule, gradient clipping; prefix and expert trained unless --freeze-prefix). Writes a new package
  to --out when it finishes; Ctrl-C stops between steps and writes no package.
  --model DIR            the package to start from
  --data FILE            a BC dataset file (coach.bc-dataset/1, see src/main/training/bc/bcDatasetFile.ts)
  --out DIR              the trained package (must not exist or be empty; --overwrite replaces it)
  --steps N              optimizer steps (default 1000)
  --batch N              samples per step (default 32)
  --lr X                 peak learning rate (default 3e-4)
  --warmup N             warm-up steps (default: a tenth of the steps, at most 100)
  --weight-decay X       AdamW decoupled weight decay (default 0.01)
  --clip X|none          global gradient-norm clipping (default 1)
  --seed N               seeds batches, noise and flow times (default 0)
  --freeze-prefix        train the expert alone (the prefix's context comes from onnxruntime, cached)
  --checkpoint FILE      checkpoint file (default OUT.ckpt beside the output folder)
  --checkpoint-every N   steps between checkpoints (default 100; one is always written at the end)
  --resume FILE          continue from a checkpoint (same model and data; its hyperparameters apply)
  --trained              mark the new package trained (default: not)
  --version V            the new package's version (default: the base's + "+bc")
  --worker               run in a worker thread, as the console does (default: in this process)
  --json                 print the result as JSON
`;

class TrainUsageError extends Error {}

const integer = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new TrainUsageError(`--${flag} must be a whole number, got "${value}"`);
  return n;
};
const number = (flag: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new TrainUsageError(`--${flag} must be a number, got "${value}"`);
  return n;
};

function progressLine(p: TrainingProgress): string | null {
  if (p.phase !== 'training' || p.loss === null) return p.message ? `  ${p.phase}: ${p.message}` : null;
  const rate = p.stepsPerS === null ? '' : `  ${p.stepsPerS.toFixed(1)} steps/s`;
  const eta = p.etaS === null ? '' : `  ETA ${Math.ceil(p.etaS)} s`;
  return `  step ${p.step}/${p.totalSteps}  loss ${p.loss.toFixed(4)} (avg ${p.smoothedLoss!.toFixed(4)})  lr ${p.learningRate.toExponential(2)}${rate}${eta}`;
}

function summary(result: BcTrainingResult): string {
  const rate =
    result.stepsPerS === null
      ? 'n/a'
      : `${result.stepsPerS.toFixed(1)} steps/s, ${result.samplesPerS!.toFixed(0)} samples/s`;
  return [
    `trained ${result.manifest.name} ${result.manifest.version} → ${result.outDir}`,
    `  steps ${result.startStep} → ${result.steps}, loss ${result.losses[0]?.toFixed(4) ?? 'n/a'} → ${result.finalLoss?.toFixed(4) ?? 'n/a'} (avg of the last 50: ${result.smoothedLoss?.toFixed(4) ?? 'n/a'})`,
    `  ${result.trainedParameters.toLocaleString('en')} trained parameters, prefix ${result.prefixMode}${result.prefixModeNote ? ` (${result.prefixModeNote})` : ''}`,
    `  ${rate}, ${result.durationS.toFixed(1)} s in all${result.checkpointPath ? `; checkpoint ${result.checkpointPath}` : ''}`,
  ].join('\n');
}

/** `coach train` */
export async function runTrainCommand(argv: string[]): Promise<number> {
  let values;
  let options: Omit<BcTrainingOptions, 'dataset'> & { data: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        model: { type: 'string' },
        data: { type: 'string' },
        out: { type: 'string' },
        steps: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        warmup: { type: 'string' },
        'weight-decay': { type: 'string' },
        clip: { type: 'string' },
        seed: { type: 'string' },
        'freeze-prefix': { type: 'boolean' },
        checkpoint: { type: 'string' },
        'checkpoint-every': { type: 'string' },
        resume: { type: 'string' },
        trained: { type: 'boolean', default: false },
        version: { type: 'string' },
        overwrite: { type: 'boolean', default: false },
        worker: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      process.stdout.write(TRAIN_USAGE);
      return 0;
    }
    for (const flag of ['model', 'data', 'out'] as const)
      if (!values[flag]) throw new TrainUsageError(`--${flag} is required`);
    const outDir = path.resolve(values.out!);
    const weightDecay = number('weight-decay', values['weight-decay']);
    options = {
      modelDir: path.resolve(values.model!),
      data: path.resolve(values.data!),
      outDir,
      overwrite: values.overwrite,
      steps: integer('steps', values.steps),
      batchSize: integer('batch', values.batch),
      learningRate: number('lr', values.lr),
      warmupSteps: integer('warmup', values.warmup),
      maxGradNorm: values.clip === 'none' ? null : number('clip', values.clip),
      seed: integer('seed', values.seed),
      freezePrefix: values['freeze-prefix'],
      ...(weightDecay === undefined ? {} : { adamW: { weightDecay } }),
      checkpoint: {
        path: path.resolve(values.checkpoint ?? `${outDir}.ckpt`),
        everySteps: integer('checkpoint-every', values['checkpoint-every']) ?? 100,
      },
      resumeFrom: values.resume ? path.resolve(values.resume) : undefined,
      output: { trained: values.trained, ...(values.version ? { version: values.version } : {}) },
    };
  } catch (error) {
    process.stderr.write(`coach train: ${(error as Error).message}\n\n${TRAIN_USAGE}`);
    return 2;
  }

  const json = values.json;
  const onProgress = (progress: TrainingProgress) => {
    const line = progressLine(progress);
    if (line && !json) process.stderr.write(`${line}\n`);
  };
  const abort = new AbortController();
  let runner: TrainingRunner | null = null;
  const cancel = () => {
    abort.abort();
    runner?.cancel();
  };
  process.once('SIGINT', cancel);
  try {
    const { data, ...rest } = options;
    let result: BcTrainingResult;
    if (values.worker) {
      runner = TrainingRunner.start(
        { ...rest, dataset: { kind: 'file', path: data } },
        { appRoot: findAppPackage(__dirname).root, onProgress },
      );
      result = await runner.result;
    } else {
      const dataset = openBcDatasetFile(data);
      try {
        result = await trainBehaviourCloning({ ...rest, dataset, signal: abort.signal, onProgress });
      } finally {
        dataset.close();
      }
    }
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : `${summary(result)}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`coach train: ${(error as Error).message}\n`);
    return error instanceof TrainingCancelledError ? 130 : 1;
  } finally {
    process.off('SIGINT', cancel);
  }
}
