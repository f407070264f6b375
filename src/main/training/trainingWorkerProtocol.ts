import type { CoachErrorShape } from '../../shared/contract/errors';
import type { BcTrainingOptions } from './bc/bcOptions';
import type { TrainingDatasetSource } from './bc/datasetSource';
import type { BcTrainingResult } from './bc/trainBehaviourCloning';
import type { TrainingProgress } from './trainingTypes';

export type { TrainingDatasetSource };

/** A training job as it crosses into the worker: the trainer's options, data by reference. */
export interface BcTrainingJob extends Omit<BcTrainingOptions, 'dataset' | 'signal' | 'onProgress'> {
  dataset: TrainingDatasetSource;
}

/** workerData of the training worker. */
export interface TrainingWorkerData {
  job: BcTrainingJob;
}

export type TrainingWorkerMessage =
  | { type: 'progress'; progress: TrainingProgress }
  | { type: 'done'; result: BcTrainingResult }
  | { type: 'failed'; error: CoachErrorShape };

export type TrainingWorkerCommand = { type: 'cancel' };
