/**
 * The contract between training data and the trainer (issue #7). Data sources (demonstrations of the
 * scripted expert, recorded episodes) implement BcDataset; the trainer turns samples into graph inputs with
 * the same preprocessing inference uses (image layout and normalisation from the manifest, the package's
 * tokenizer, action normalisation with q01/q99 and the mask).
 */

/** One observation and the action chunk that followed it. */
export interface TrainingSample {
  /** The policy camera's picture: RGB, 3 bytes a pixel, row-major, at the manifest camera's size. */
  image: Uint8Array;
  instruction: string;
  /** ROBOT_STATE_NAMES (for packages whose prefix takes the arm's state). */
  robotState?: number[];
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
}
