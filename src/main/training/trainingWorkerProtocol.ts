import type { CoachErrorShape } from '../../shared/contract/errors';
import type { BcTrainingOptions } from './bc/bcOptions';
import type { TrainingDatasetSource } from './bc/datasetSource';
import type { BcTrainingResult } from './bc/trainBehaviourCloning';
import type { TrainingProgress } from './trainingTypes';
import type { DpoTrainingOptions } from './dpo/dpoOptions';
import type { OpenPairDatasetArgs } from '../refine/pairs/openPairDataset';

export type { TrainingDatasetSource };

/** A training job as it crosses into the worker: the trainer's options, data by reference. */
export interface BcTrainingJob extends Omit<BcTrainingOptions, 'dataset' | 'signal' | 'onProgress'> {
  dataset: TrainingDatasetSource;
}

/** workerData of the training worker. */
export interface TrainingWorkerData {
  job: BcTrainingJob;
}

/** A DPO job as it crosses into the worker: the trainer's options, the pairs by reference to the catalog. */
export interface DpoTrainingJob extends Omit<DpoTrainingOptions, 'pairs' | 'signal' | 'onProgress'> {
  pairs: OpenPairDatasetArgs;
}

export type TrainingWorkerMessage<Result = BcTrainingResult> =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; result: Result }
  | { type: 'failed'; error: CoachErrorShape };

export type TrainingWorkerCommand = { type: 'cancel' };
