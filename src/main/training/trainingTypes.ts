/**
 * The contract between training data and the trainer (issue #7). Data sources (demonstrations of the
 * scripted expert, recorded episodes) implement BcDataset; the trainer turns samples into graph inputs with
 * the same preprocessing inference uses (image layout and normalisation from the manifest, the package's
 * tokenizer, action normalisation with q01/q99 and the mask).
 */

/** What the prefix sees: a picture per camera, the instruction and (for some packages) the arm's state. */
export interface TrainingObservation {
  /** The policy camera's picture (the manifest's first camera): RGB, 3 bytes a pixel, row-major, at its size. */
  image: Uint8Array;
  /** The pictures of the package's other cameras (a wrist camera), by camera name, each at its size. */
  moreImages?: Record<string, Uint8Array>;
  instruction: string;
  /** ROBOT_STATE_NAMES (for packages whose prefix takes the arm's state). */
  robotState?: number[];
}

/** One observation and the action chunk that followed it. */
export interface TrainingSample extends TrainingObservation {
  /** [chunkLength × dims] in physical units (the trainer normalises them). */
  actions: Float32Array;
}

export interface BcDataset {
  readonly size: number;
  /** Deterministic: the same index gives the same sample. */
  get(index: number): TrainingSample;
}

export interface TrainingProgress {
  jobId: number;
  phase: 'preparing' | 'training' | 'writing' | 'done' | 'failed' | 'cancelled';
  step: number;
  totalSteps: number;
  loss: number | null;
  /** Mean loss over the last 50 steps. */
  smoothedLoss: number | null;
  learningRate: number;
  stepsPerS: number | null;
  etaS: number | null;
  message: string | null;
  /**
   * Objective-specific figures of the last reported step, by name (the DPO trainer: accuracy, margin and
   * their windowed means; see docs/training.md). Absent for behaviour cloning.
   */
  metrics?: Record<string, number>;
}

/** One preference pair as the DPO trainer sees it (issue #8): an observation and two action chunks. */
export interface PreferenceSample extends TrainingObservation {
  /** [chunkLength × dims] in physical units, like TrainingSample.actions. */
  chosen: Float32Array;
  rejected: Float32Array;
  /**
   * The action space and dim names the chunks are in (the pair's model's manifest action.space and
   * action.names), when known: the DPO trainer refuses pairs whose space or names differ from the package's.
   */
  actionSpace?: string;
  actionNames?: readonly string[];
}

export interface PreferenceDataset {
  readonly size: number;
  /** Deterministic: the same index gives the same pair. */
  get(index: number): PreferenceSample;
  /** Pairs at one observation share a key: the DPO trainer computes their prefix context once. Default: one per pair. */
  observationKey?(index: number): string;
}
