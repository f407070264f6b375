import type { EpisodeResult, EvaluationReport, EvaluationRequest } from '../../shared/evaluation/evaluationTypes';

/** workerData of the evaluation worker. */
export interface EvaluationWorkerData {
  appRoot: string;
  request: EvaluationRequest;
}

export type EvaluationWorkerMessage =
  | { type: 'loaded'; model: EvaluationReport['model']; total: number }
  | { type: 'episode'; result: EpisodeResult; done: number; total: number }
  | { type: 'done'; report: EvaluationReport }
  | { type: 'failed'; message: string };

export type EvaluationWorkerCommand = { type: 'cancel' };
