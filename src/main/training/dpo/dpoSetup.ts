import { ModelPackageError } from '../../policy/modelPackageTypes';
import { loadTrainingPackage, type BcSetup } from '../bc/bcSetup';
import { type FrozenPrefixContext } from '../bc/frozenContext';
import { probePrefixBatching } from '../bc/prefixBatching';
import { TrainingCancelledError, TrainingError } from '../bc/trainingErrors';
import type { PreferenceDataset } from '../trainingTypes';
import { checkPair, checkPairCount, PairChunks } from './pairChunks';

/** Reads the package to refine, refusing one that does not load (TrainingError 'training_invalid_package'). */
export async function loadDpoPackage(
  modelDir: string,
  pairs: PreferenceDataset,
  batchSize: number,
  freezePrefix: boolean,
): Promise<BcSetup> {
  try {
    return await loadTrainingPackage(modelDir, {
      expertBatch: 2 * batchSize,
      freezePrefix,
      checkData: (builder) => {
        checkPairCount(pairs);
        checkPair(pairs.get(0), 0, builder.manifest, builder);
      },
    });
  } catch (error) {
    if (error instanceof ModelPackageError)
      throw new TrainingError(
        'training_invalid_package',
        `the model package at ${modelDir} cannot be refined: ${error.message}`,
        error.details,
      );
    throw error;
  }
}

/**
 * One pass over the pairs before training: each is checked, its chunks normalised and kept, and its
 * observation's context computed by the frozen prefix (onnxruntime) and cached. `onPair(done)` reports
 * progress; `signal` cancels between pairs.
 */
export async function readPairs(
  pairs: PreferenceDataset,
  setup: BcSetup,
  frozen: FrozenPrefixContext,
  onPair: (done: number) => void,
  signal: AbortSignal | undefined,
): Promise<PairChunks> {
  checkPairCount(pairs);
  const { manifest } = setup.base.pkg;
  const chunks = new PairChunks(pairs.size, setup.builder.valuesPerSample, manifest);
  for (let index = 0; index < pairs.size; index += 1) {
    if (signal?.aborted) throw new TrainingCancelledError(0);
    const pair = pairs.get(index);
    checkPair(pair, index, manifest, setup.builder);
    chunks.set(index, pair);
    await frozen.prime(index, pair);
    onPair(index + 1);
  }
  return chunks;
}

/**
 * How a trained prefix meets a step's pairs: batched when a probe on two pairs shows the graph takes a
 * batch, else once per pair (with the reason, for the progress message).
 */
export async function choosePairPrefixMode(
  setup: BcSetup,
  pairs: PreferenceDataset,
  batchSize: number,
): Promise<{ mode: 'batched' | 'perSample'; reason: string | null }> {
  if (batchSize === 1) return { mode: 'batched', reason: null };
  const { manifest } = setup.base.pkg;
  const observations = [pairs.get(0), pairs.get(Math.min(1, pairs.size - 1))];
  const probe = await probePrefixBatching(
    setup.prefix!,
    setup.prefix!.params,
    setup.builder.prefixFeeds(observations),
    manifest.prefix.outputs,
  );
  return probe.batched
    ? { mode: 'batched', reason: null }
    : {
        mode: 'perSample',
        reason: `${manifest.prefix.file} does not take a batch (${probe.reason}); it runs once per pair, which is slower`,
      };
}
