import type { BcDataset, TrainingProgress } from '../trainingTypes';
import { DEFAULT_ADAMW, type AdamWConfig } from '../optim/adamW';
import { checkSchedule } from '../optim/learningRateSchedule';
import { TrainingError } from './trainingErrors';

/** How the prefix graph is run on a batch (see prefixBatching.ts). */
export type PrefixBatching = 'auto' | 'batched' | 'perSample';

/** What decides the trajectory of a run: a checkpoint stores them and a resumed run must match. */
export interface BcHyperparameters {
  /** Optimizer updates in the whole run. */
  steps: number;
  batchSize: number;
  /** Peak learning rate, reached after the warm-up. */
  learningRate: number;
  warmupSteps: number;
  /** End of the cosine decay. */
  minLearningRate: number;
  adamW: AdamWConfig;
  /** Global-norm gradient clipping; null: none. */
  maxGradNorm: number | null;
  /** Seeds batch indices, noise and flow times: a pure function of (seed, step). */
  seed: number;
  /** Train the expert alone; the prefix's context is computed by onnxruntime and cached per sample. */
  freezePrefix: boolean;
}

export interface BcTrainingOptions extends Partial<Omit<BcHyperparameters, 'adamW'>> {
  /** The model package folder to start from (docs/model-package.md). */
  modelDir: string;
  dataset: BcDataset;
  /** Where the trained package goes: written only when training finished, never in part. */
  outDir: string;
  /** Replace outDir when it exists and is not empty (default: refuse before training). */
  overwrite?: boolean;
  adamW?: Partial<AdamWConfig>;
  /** How the trainable prefix meets a batch: 'auto' (default) tries a batched call and falls back. */
  prefixBatching?: PrefixBatching;
  /** Emit a 'training' progress every N steps (default 10) besides the phase changes. */
  progressEverySteps?: number;
  /** Checkpoint to `path` every `everySteps` steps and at the end (the file is replaced atomically). */
  checkpoint?: { path: string; everySteps: number };
  /** Continue from this checkpoint; hyperparameters left out are taken from it, given ones must match. */
  resumeFrom?: string;
  /** The trained package's manifest: defaults derive from the base package's. */
  output?: { name?: string; version?: string; description?: string; trained?: boolean };
  signal?: AbortSignal;
  onProgress?: (progress: TrainingProgress) => void;
  /** Echoed in every progress report. */
  jobId?: number;
  /** Per-sample contexts a frozen prefix may cache (default 2 GiB); beyond it they are recomputed. */
  contextCacheBytes?: number;
}

export const DEFAULT_HYPERPARAMETERS: Omit<BcHyperparameters, 'warmupSteps'> = {
  steps: 1000,
  batchSize: 32,
  learningRate: 3e-4,
  minLearningRate: 0,
  adamW: DEFAULT_ADAMW,
  maxGradNorm: 1,
  seed: 0,
  freezePrefix: false,
};

/** Default warm-up: a tenth of the run, at most 100 steps. */
export const defaultWarmupSteps = (steps: number) => Math.min(100, Math.floor(steps / 10));

const HYPERPARAMETER_KEYS = [
  'steps',
  'batchSize',
  'learningRate',
  'warmupSteps',
  'minLearningRate',
  'maxGradNorm',
  'seed',
  'freezePrefix',
] as const;

/**
 * The run's hyperparameters: the caller's, else the checkpoint's (when resuming), else the defaults.
 * A value the caller gives that differs from the checkpoint's is refused, since the resumed run would
 * no longer be the run that was interrupted.
 */
export function resolveHyperparameters(
  options: BcTrainingOptions,
  fromCheckpoint?: BcHyperparameters,
): BcHyperparameters {
  if (fromCheckpoint) {
    const differences: string[] = [];
    for (const key of HYPERPARAMETER_KEYS) {
      const given = options[key];
      if (given !== undefined && given !== fromCheckpoint[key])
        differences.push(`${key} ${String(given)} (checkpoint: ${String(fromCheckpoint[key])})`);
    }
    for (const [key, value] of Object.entries(options.adamW ?? {}))
      if (value !== undefined && value !== fromCheckpoint.adamW[key as keyof AdamWConfig])
        differences.push(`adamW.${key} ${value} (checkpoint: ${fromCheckpoint.adamW[key as keyof AdamWConfig]})`);
    if (differences.length)
      throw new TrainingError(
        'training_checkpoint_mismatch',
        `resuming needs the checkpoint's hyperparameters; these differ: ${differences.join(', ')}`,
      );
    return fromCheckpoint;
  }
  const steps = options.steps ?? DEFAULT_HYPERPARAMETERS.steps;
  const resolved: BcHyperparameters = {
    steps,
    batchSize: options.batchSize ?? DEFAULT_HYPERPARAMETERS.batchSize,
    learningRate: options.learningRate ?? DEFAULT_HYPERPARAMETERS.learningRate,
    warmupSteps: options.warmupSteps ?? defaultWarmupSteps(steps),
    minLearningRate: options.minLearningRate ?? DEFAULT_HYPERPARAMETERS.minLearningRate,
    adamW: { ...DEFAULT_ADAMW, ...options.adamW },
    maxGradNorm: options.maxGradNorm === undefined ? DEFAULT_HYPERPARAMETERS.maxGradNorm : options.maxGradNorm,
    seed: options.seed ?? DEFAULT_HYPERPARAMETERS.seed,
    freezePrefix: options.freezePrefix ?? DEFAULT_HYPERPARAMETERS.freezePrefix,
  };
  checkOptimizerHyperparameters(resolved);
  return resolved;
}

/** The hyperparameters every trainer here shares: steps, batch, schedule, AdamW, clipping, seed. */
export type OptimizerHyperparameters = Omit<BcHyperparameters, 'freezePrefix'>;

/** Refuses values a run cannot use (TrainingError 'training_invalid_options', naming the value). */
export function checkOptimizerHyperparameters(h: OptimizerHyperparameters): void {
  const refuse = (message: string): never => {
    throw new TrainingError('training_invalid_options', message);
  };
  try {
    checkSchedule({
      peakLearningRate: h.learningRate,
      warmupSteps: h.warmupSteps,
      totalSteps: h.steps,
      minLearningRate: h.minLearningRate,
    });
  } catch (error) {
    refuse((error as Error).message);
  }
  if (!(Number.isInteger(h.batchSize) && h.batchSize >= 1 && h.batchSize <= 4096))
    refuse(`the batch size must be a whole number from 1 to 4096, got ${h.batchSize}`);
  if (!(Number.isInteger(h.seed) && h.seed >= 0 && h.seed < 2 ** 32))
    refuse(`the seed must be a whole number from 0 to 2^32 − 1, got ${h.seed}`);
  if (h.maxGradNorm !== null && !(h.maxGradNorm > 0))
    refuse(`the gradient clipping norm must be positive (or none), got ${h.maxGradNorm}`);
  const { beta1, beta2, epsilon, weightDecay } = h.adamW;
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1))
    refuse(`AdamW betas must be in [0, 1), got ${beta1}, ${beta2}`);
  if (!(epsilon > 0)) refuse(`AdamW epsilon must be positive, got ${epsilon}`);
  if (!(weightDecay >= 0)) refuse(`weight decay must be ≥ 0, got ${weightDecay}`);
}
