/**
 * DPO refinement of a model package (issue #8): Diffusion-DPO on the flow-matching expert, against a frozen
 * reference copy of the expert's starting weights, over preference pairs (docs/training.md, "DPO trainer").
 *
 *   const result = await trainDpo({
 *     modelDir: 'resources/models/coach-tiny',    // the package to refine (never written)
 *     pairs,                                       // any PreferenceDataset (trainingTypes.ts)
 *     outDir: '<data>/models/coach-tiny-dpo-1',    // the refined package, written at the end only
 *     beta: 500, batchSize: 16, learningRate: 2e-5, noise: 'shared', seed: 0,
 *     earlyStop: { accuracy: 0.95, windowSteps: 50 },
 *     onProgress: (p) => console.log(p.step, p.smoothedLoss, p.metrics?.smoothedAccuracy),
 *     signal,                                      // AbortSignal: cancel between steps, nothing written
 *   });
 *   result.curves.loss / .accuracy / .margin       // per step
 */
export { PairOrder, drawDpoStep, type DpoNoise, type DpoStepDraws } from './dpoDraws';
export { dpoLoss, flowErrorPerRow, stableSoftplus, type DpoAux, type DpoBatch, type DpoGraphs } from './dpoLoss';
export { EXPERT_KEY, PREFIX_KEY } from '../bc/bcStep';
export { DpoMeter, stepMetrics, type DpoCurves, type DpoStepMetrics } from './dpoMetrics';
export {
  DEFAULT_BETA,
  DEFAULT_DPO_EPOCHS,
  DEFAULT_DPO_HYPERPARAMETERS,
  DEFAULT_DPO_STEP_BOUNDS,
  DEFAULT_EARLY_STOP,
  defaultDpoSteps,
  defaultDpoWarmupSteps,
  resolveDpoHyperparameters,
  type DpoHyperparameters,
  type DpoTrainingOptions,
  type EarlyStopRule,
} from './dpoOptions';
export { buildDpoGradient, buildDpoStep } from './dpoStep';
export { trainDpo, type DpoTrainingResult } from './trainDpo';
export { TrainingCancelledError, TrainingError } from '../bc/trainingErrors';
