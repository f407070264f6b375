import type { TrainingProgress } from './trainingTypes';

/** A trainer's progress reports: starts at "preparing", each emit merges a patch and tells onProgress. */
export function trainingProgressEmitter(options: {
  jobId?: number;
  steps?: number;
  onProgress?: (progress: TrainingProgress) => void;
}) {
  let progress: TrainingProgress = {
    jobId: options.jobId ?? 0,
    phase: 'preparing',
    step: 0,
    totalSteps: options.steps ?? 0,
    loss: null,
    smoothedLoss: null,
    learningRate: 0,
    stepsPerS: null,
    etaS: null,
    message: 'loading the model package',
  };
  return {
    emit(patch: Partial<TrainingProgress>): void {
      progress = { ...progress, ...patch };
      options.onProgress?.(progress);
    },
    /** The run's length once its hyper-parameters are resolved (reported with the next emit). */
    setTotalSteps(totalSteps: number): void {
      progress.totalSteps = totalSteps;
    },
  };
}
