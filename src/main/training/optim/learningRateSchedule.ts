/** Linear warm-up to the peak learning rate, then cosine decay to the floor at the last step. */
export interface LearningRateSchedule {
  peakLearningRate: number;
  /** Updates that ramp linearly up to the peak (update k of the ramp uses peak·(k + 1)/warmupSteps). */
  warmupSteps: number;
  totalSteps: number;
  /** Where the cosine ends (default 0). */
  minLearningRate?: number;
}

/**
 * The schedule of the fixed short runs (the localisation warm-up, the world model's predictor): a warm-up over
 * a tenth of the steps, at most 100, then cosine decay to zero.
 */
export function shortRunSchedule(peakLearningRate: number, totalSteps: number): LearningRateSchedule {
  return { peakLearningRate, warmupSteps: Math.min(100, Math.floor(totalSteps / 10)), totalSteps, minLearningRate: 0 };
}

/** The learning rate of update `step` (0-based: the first update is step 0). */
export function learningRateAt(schedule: LearningRateSchedule, step: number): number {
  const { peakLearningRate: peak, warmupSteps, totalSteps } = schedule;
  const floor = schedule.minLearningRate ?? 0;
  if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const decaySteps = totalSteps - warmupSteps;
  if (decaySteps <= 1) return peak;
  // Decay over the updates after the warm-up: the first runs at the peak, the last at the floor.
  const progress = Math.min(1, (step - warmupSteps) / (decaySteps - 1));
  return floor + 0.5 * (peak - floor) * (1 + Math.cos(Math.PI * progress));
}

/** Refuses schedules that cannot be run, naming the field. */
export function checkSchedule(schedule: LearningRateSchedule): void {
  const { peakLearningRate, warmupSteps, totalSteps, minLearningRate = 0 } = schedule;
  if (!(Number.isFinite(peakLearningRate) && peakLearningRate > 0))
    throw new RangeError(`the learning rate must be a positive number, got ${peakLearningRate}`);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1))
    throw new RangeError(`steps must be a whole number ≥ 1, got ${totalSteps}`);
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0 && warmupSteps <= totalSteps))
    throw new RangeError(`warm-up steps must be a whole number from 0 to ${totalSteps}, got ${warmupSteps}`);
  if (!(Number.isFinite(minLearningRate) && minLearningRate >= 0 && minLearningRate <= peakLearningRate))
    throw new RangeError(`the minimum learning rate must be 0 … ${peakLearningRate}, got ${minLearningRate}`);
}
