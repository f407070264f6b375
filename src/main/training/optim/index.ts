// Optimiser pieces of the trainer: AdamW, the learning-rate schedule and gradient clipping.
export {
  adamWScalarArrays,
  adamWScalars,
  adamWUpdate,
  DEFAULT_ADAMW,
  initAdamW,
  type AdamWConfig,
  type AdamWScalars,
  type AdamWState,
} from './adamW';
export { clipByGlobalNorm, globalNorm } from './gradientClipping';
export { checkSchedule, learningRateAt, shortRunSchedule, type LearningRateSchedule } from './learningRateSchedule';
