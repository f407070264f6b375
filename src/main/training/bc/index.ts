/**
 * Behaviour cloning of a model package (issue #7): the flow-matching loss on the ONNX interpreter.
 *
 *   const result = await trainBehaviourCloning({
 *     modelDir: 'resources/models/coach-test',   // the package to start from
 *     dataset,                                     // any BcDataset (trainingTypes.ts)
 *     outDir: '/tmp/coach-bc',                     // the trained package, written at the end only
 *     steps: 2000, batchSize: 32, learningRate: 3e-4, seed: 0,
 *     checkpoint: { path: '/tmp/coach-bc.ckpt', everySteps: 200 },
 *     onProgress: (progress) => console.log(progress.step, progress.smoothedLoss),
 *     signal,                                      // AbortSignal: cancel between steps
 *   });
 *
 * In a worker thread: TrainingRunner.start(job, { appRoot }) (../trainingRunner.ts), with the dataset as a
 * file (writeBcDatasetFile) or a module that builds it (datasetSource.ts).
 */
export { BcBatchBuilder, type HostFeed } from './batchBuilder';
export { loadBcCheckpoint, type BcCheckpoint, type BcCheckpointMeta } from './bcCheckpoint';
export {
  DEFAULT_HYPERPARAMETERS,
  defaultWarmupSteps,
  type BcHyperparameters,
  type BcTrainingOptions,
  type PrefixBatching,
} from './bcOptions';
export { openDatasetSource, type TrainingDatasetSource } from './datasetSource';
export { openBcDatasetFile, writeBcDatasetFile, type BcDatasetFile } from './bcDatasetFile';
export { drawStep, flowMatchingPair } from './stepDraws';
export { trainBehaviourCloning, type BcTrainingResult } from './trainBehaviourCloning';
export { TrainingCancelledError, TrainingError } from './trainingErrors';
export type { PrefixMode } from './prefixContext';
