import { normalizeActions } from '../../../shared/policy/actionNormalization';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import type { BcBatchBuilder } from '../bc/batchBuilder';
import { TrainingError } from '../bc/trainingErrors';
import type { PreferenceDataset, PreferenceSample } from '../trainingTypes';

/** Refuses an empty pair set before anything else is read. */
export function checkPairCount(pairs: PreferenceDataset): void {
  if (!(Number.isInteger(pairs.size) && pairs.size >= 1))
    throw new TrainingError(
      'training_no_pairs',
      `there are no preference pairs to learn from (${pairs.size}); build pairs from labelled attempts or demonstrations first`,
      { size: pairs.size },
    );
}

/**
 * Refuses a pair the package cannot learn from, naming the pair: chunks of another shape or action space
 * (pairs built for another model), values that are not finite, an observation the prefix cannot take.
 */
export function checkPair(
  pair: PreferenceSample,
  index: number,
  manifest: ModelManifest,
  builder: BcBatchBuilder,
): void {
  const { space, names, chunkLength, dims } = manifest.action;
  const model = `${manifest.name} ${manifest.version}`;
  const mismatch = (problem: string): never => {
    throw new TrainingError(
      'training_action_space_mismatch',
      `pair ${index}: ${problem}; pairs built for another model's action space cannot refine this one`,
      { index },
    );
  };
  for (const [which, chunk] of [
    ['chosen', pair.chosen],
    ['rejected', pair.rejected],
  ] as const) {
    if (chunk.length !== builder.valuesPerSample)
      mismatch(
        `its ${which} chunk has ${chunk.length} values, but ${model} acts in chunks of ${chunkLength} actions × ${dims} dims = ${builder.valuesPerSample}`,
      );
    if (!chunk.every(Number.isFinite))
      throw new TrainingError(
        'training_invalid_data',
        `pair ${index}: its ${which} chunk has values that are not finite numbers`,
        {
          index,
        },
      );
  }
  if (pair.actionSpace !== undefined && pair.actionSpace !== space)
    mismatch(`its chunks are ${pair.actionSpace} actions, ${model}'s are ${space}`);
  if (pair.actionNames !== undefined && pair.actionNames.join(',') !== names.join(','))
    mismatch(`its action dims are [${pair.actionNames.join(', ')}], ${model}'s are [${names.join(', ')}]`);
  builder.checkObservation(pair, index, 'pair');
}

/** Every pair's chosen and rejected chunk, normalised as the package's manifest says (q01/q99 and mask). */
export class PairChunks {
  private readonly chosen: Float32Array;
  private readonly rejected: Float32Array;

  constructor(
    readonly size: number,
    readonly valuesPerChunk: number,
    private readonly manifest: ModelManifest,
  ) {
    this.chosen = new Float32Array(size * valuesPerChunk);
    this.rejected = new Float32Array(size * valuesPerChunk);
  }

  /** Stores pair `index`'s chunks (physical units), normalised. */
  set(index: number, pair: PreferenceSample): void {
    const stats = this.manifest.action.normalization;
    this.chosen.set(normalizeActions(pair.chosen, stats), index * this.valuesPerChunk);
    this.rejected.set(normalizeActions(pair.rejected, stats), index * this.valuesPerChunk);
  }

  /** The normalised chunks of these pairs, [2B, chunk, dims] flattened: the chosen ones, then the rejected ones. */
  batchActions(indices: readonly number[]): Float32Array {
    const v = this.valuesPerChunk;
    const out = new Float32Array(2 * indices.length * v);
    indices.forEach((index, i) => {
      out.set(this.chosen.subarray(index * v, (index + 1) * v), i * v);
      out.set(this.rejected.subarray(index * v, (index + 1) * v), (indices.length + i) * v);
    });
    return out;
  }
}
