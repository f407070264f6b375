import { DEFAULT_ADAMW, type AdamWConfig } from '../optim/adamW';
import { checkOptimizerHyperparameters, type OptimizerHyperparameters } from '../bc/bcOptions';
import { TrainingError } from '../bc/trainingErrors';
import type { PreferenceDataset, TrainingProgress } from '../trainingTypes';
import type { DpoNoise } from './dpoDraws';

/** When a run may stop before its last step (evaluated after each step once a window of steps is full). */
export interface EarlyStopRule {
  /** Steps the windowed figures average over. */
  windowSteps: number;
  /** Stop once the implicit accuracy over the last window reaches this; null: never on accuracy. */
  accuracy: number | null;
  /**
   * Stop when the windowed loss has not gone below its best by more than `minLossDrop` for this many
   * steps; null: never on a plateau.
   */
  plateauSteps: number | null;
  minLossDrop: number;
}

/** What decides the trajectory of a DPO run. */
export interface DpoHyperparameters extends OptimizerHyperparameters {
  /** batchSize counts pairs: the expert runs on 2·batchSize chunks a step. */
  batchSize: number;
  /** β of Diffusion-DPO: how sharply the loss reacts to the change in flow-matching error (docs/training.md). */
  beta: number;
  /** Shared t and ε for the chosen and the rejected chunk of a pair, or independent ones. */
  noise: DpoNoise;
  /**
   * λ of an added behaviour-cloning term λ · mean(L_w) on the chosen chunks (NORA-1.5 trains DPO with a
   * supervised loss on the chosen action beside it); 0, the default, is pure Diffusion-DPO.
   */
  chosenFlowWeight: number;
  /** Null: run every step. */
  earlyStop: EarlyStopRule | null;
  /**
   * Train the expert alone (the default, as NORA-1.5): each pair's context is computed once by onnxruntime
   * and cached. False trains the prefix too (slower: it runs every step, and a fixed-batch prefix per pair).
   */
  freezePrefix: boolean;
}

export interface DpoTrainingOptions extends Partial<Omit<DpoHyperparameters, 'adamW' | 'earlyStop'>> {
  /** The model package folder to refine (docs/model-package.md); it is never written. */
  modelDir: string;
  pairs: PreferenceDataset;
  /** Where the refined package goes: written only when training finished, never in part. */
  outDir: string;
  /** Replace outDir when it exists and is not empty (default: refuse before training). */
  overwrite?: boolean;
  /** When `steps` is not given: passes over the pairs (default DEFAULT_DPO_EPOCHS), within the step bounds. */
  epochs?: number;
  adamW?: Partial<AdamWConfig>;
  /** Partial rules fill in from DEFAULT_EARLY_STOP; null turns early stopping off. */
  earlyStop?: Partial<EarlyStopRule> | null;
  /** Emit a 'training' progress every N steps (default 10) besides the phase changes. */
  progressEverySteps?: number;
  /** The refined package's manifest: defaults derive from the base package's (version "+dpo", trained as the base). */
  output?: { name?: string; version?: string; description?: string; trained?: boolean };
  signal?: AbortSignal;
  onProgress?: (progress: TrainingProgress) => void;
  /** Echoed in every progress report. */
  jobId?: number;
  /** Per-pair prefix contexts the cache may hold (default 2 GiB); beyond it they are recomputed each time. */
  contextCacheBytes?: number;
}

/** NORA-1.5's β; with the error a mean over chunk and dims (see docs/training.md). */
export const DEFAULT_BETA = 500;
export const DEFAULT_DPO_EPOCHS = 8;
/** Bounds of the default step count (an explicit `steps` is not bounded). */
export const DEFAULT_DPO_STEP_BOUNDS = { min: 100, max: 1500 } as const;

export const DEFAULT_EARLY_STOP: EarlyStopRule = {
  windowSteps: 50,
  accuracy: 0.95,
  plateauSteps: null,
  minLossDrop: 0.001,
};

export const DEFAULT_DPO_HYPERPARAMETERS: Omit<DpoHyperparameters, 'steps' | 'warmupSteps'> = {
  batchSize: 16,
  learningRate: 2e-5,
  minLearningRate: 0,
  // NORA-1.5's betas; no weight decay: the reference, not zero, is what the weights should stay near.
  adamW: { ...DEFAULT_ADAMW, beta2: 0.95, weightDecay: 0 },
  maxGradNorm: 1,
  seed: 0,
  beta: DEFAULT_BETA,
  noise: 'shared',
  chosenFlowWeight: 0,
  earlyStop: DEFAULT_EARLY_STOP,
  freezePrefix: true,
};

/** Steps for `epochs` passes over `pairs` at `batchSize` pairs a step, within DEFAULT_DPO_STEP_BOUNDS. */
export function defaultDpoSteps(pairs: number, batchSize: number, epochs = DEFAULT_DPO_EPOCHS): number {
  const { min, max } = DEFAULT_DPO_STEP_BOUNDS;
  return Math.min(max, Math.max(min, Math.ceil((epochs * pairs) / batchSize)));
}

/** Default warm-up: a tenth of the run, at most 150 steps (NORA-1.5's). */
export const defaultDpoWarmupSteps = (steps: number) => Math.min(150, Math.floor(steps / 10));

const refuse = (message: string): never => {
  throw new TrainingError('training_invalid_options', message);
};

function resolveEarlyStop(given: Partial<EarlyStopRule> | null | undefined): EarlyStopRule | null {
  if (given === null) return null;
  const rule = { ...DEFAULT_EARLY_STOP, ...given };
  if (!(Number.isInteger(rule.windowSteps) && rule.windowSteps >= 1))
    refuse(`the early-stop window must be a whole number of steps ≥ 1, got ${rule.windowSteps}`);
  if (rule.accuracy !== null && !(rule.accuracy > 0 && rule.accuracy <= 1))
    refuse(`the early-stop accuracy must be in (0, 1], got ${rule.accuracy}`);
  if (rule.plateauSteps !== null && !(Number.isInteger(rule.plateauSteps) && rule.plateauSteps >= 1))
    refuse(`the early-stop plateau must be a whole number of steps ≥ 1, got ${rule.plateauSteps}`);
  if (!(rule.minLossDrop >= 0)) refuse(`the early-stop loss drop must be ≥ 0, got ${rule.minLossDrop}`);
  return rule;
}

/** The run's hyperparameters: the caller's, else the defaults (the step count from the number of pairs). */
export function resolveDpoHyperparameters(options: DpoTrainingOptions, pairCount: number): DpoHyperparameters {
  const d = DEFAULT_DPO_HYPERPARAMETERS;
  const batchSize = options.batchSize ?? d.batchSize;
  if (options.epochs !== undefined && !(options.epochs > 0 && Number.isFinite(options.epochs)))
    refuse(`epochs must be a positive number, got ${options.epochs}`);
  const steps = options.steps ?? defaultDpoSteps(pairCount, Math.max(1, batchSize), options.epochs);
  const h: DpoHyperparameters = {
    steps,
    batchSize,
    learningRate: options.learningRate ?? d.learningRate,
    warmupSteps: options.warmupSteps ?? defaultDpoWarmupSteps(steps),
    minLearningRate: options.minLearningRate ?? d.minLearningRate,
    adamW: { ...d.adamW, ...options.adamW },
    maxGradNorm: options.maxGradNorm === undefined ? d.maxGradNorm : options.maxGradNorm,
    seed: options.seed ?? d.seed,
    beta: options.beta ?? d.beta,
    noise: options.noise ?? d.noise,
    chosenFlowWeight: options.chosenFlowWeight ?? d.chosenFlowWeight,
    earlyStop: resolveEarlyStop(options.earlyStop),
    freezePrefix: options.freezePrefix ?? d.freezePrefix,
  };
  checkOptimizerHyperparameters(h);
  if (!(Number.isFinite(h.beta) && h.beta > 0)) refuse(`β must be a positive number, got ${h.beta}`);
  if (!(Number.isFinite(h.chosenFlowWeight) && h.chosenFlowWeight >= 0))
    refuse(`the chosen-chunk flow weight must be ≥ 0, got ${h.chosenFlowWeight}`);
  if (h.noise !== 'shared' && h.noise !== 'independent')
    refuse(`noise must be "shared" or "independent", got ${String(h.noise)}`);
  return h;
}
