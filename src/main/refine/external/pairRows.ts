import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import type { PairSource, PreferencePair } from '../../../shared/refine/pairTypes';
import { PairsDatasetError } from './externalErrors';

/** The policy whose action space the dataset is for (the base model the external trainer refines). */
export interface DatasetModel {
  name: string;
  version: string;
  /** ee_delta | joint_delta | joint_abs (the manifest's action.space), when known. */
  actionSpace?: string;
  actionNames: string[];
  chunkLength: number;
  dims: number;
  /**
   * The package's cameras in manifest order, when known. The first is the policy camera (the `image` column);
   * each other camera's pictures get their own columns (`image_<name>`).
   */
  cameras?: PolicyCameraSize[];
}

/** The cameras of the model besides the policy camera: each gets its own image columns. */
export function moreCameraNames(model: DatasetModel): string[] {
  return (model.cameras ?? []).slice(1).map((camera) => camera.name);
}

/** One row of pairs.parquet: a pair as training uses it (flipped pairs already swapped). */
export interface PairRow {
  pairId: number;
  episodeId: number;
  stepIndex: number;
  camera: string;
  frameIndex: number;
  instruction: string;
  task: string;
  robotState: number[];
  /** chunkLength × dims, row-major (action i, dim d at i·dims + d), physical units. */
  chosen: number[];
  rejected: number[];
  chunkLength: number;
  actionDims: number;
  source: PairSource;
  reward: string;
  chosenScore: number;
  rejectedScore: number;
  /** The operator flipped the pair: chosen and rejected here are the stored ones swapped. */
  flipped: boolean;
  /** Label pairs: which side (after any flip) the robot executed; the other is a policy sample. */
  executedSide: 'chosen' | 'rejected' | null;
}

const otherSide = { chosen: 'rejected', rejected: 'chosen' } as const;

function flattenChunk(pair: PreferencePair, which: 'chosen' | 'rejected', model: DatasetModel): number[] {
  const chunk = pair[which];
  const shape = `[${chunk.length}][${chunk.map((a) => a.length).join('|')}]`;
  if (chunk.length !== model.chunkLength || chunk.some((a) => a.length !== model.dims))
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `pair ${pair.id}: its ${which} chunk is ${shape}, but ${model.name} ${model.version} takes ` +
        `[${model.chunkLength}][${model.dims}] (chunk length × dims): rebuild the pairs with this model`,
      { pairId: pair.id },
    );
  const flat = chunk.flat();
  if (flat.some((v) => !Number.isFinite(v)))
    throw new PairsDatasetError('pairs_dataset_invalid', `pair ${pair.id}: its ${which} chunk holds NaN or ±Infinity`, {
      pairId: pair.id,
    });
  return flat;
}

function checkActionNames(pair: PreferencePair, model: DatasetModel): void {
  const same =
    pair.actionNames.length === model.actionNames.length &&
    pair.actionNames.every((n, i) => n === model.actionNames[i]);
  if (!same)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `pair ${pair.id} was built for the actions [${pair.actionNames.join(', ')}] of ${pair.modelName} ` +
        `${pair.modelVersion}, but ${model.name} ${model.version} acts in [${model.actionNames.join(', ')}]: ` +
        'export only pairs built for this action space',
      { pairId: pair.id },
    );
  if (model.actionSpace !== undefined && pair.actionSpace !== model.actionSpace)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `pair ${pair.id} is in the ${pair.actionSpace} action space, but ${model.name} ${model.version} is ${model.actionSpace}`,
      { pairId: pair.id },
    );
}

/**
 * The rows a trainer sees: discarded pairs left out, flipped pairs swapped (chunks and scores), every
 * chunk checked against the model's action space. Refuses an empty result and duplicate pair ids.
 */
export function pairRowsForTraining(pairs: readonly PreferencePair[], model: DatasetModel): PairRow[] {
  const rows: PairRow[] = [];
  const seen = new Set<number>();
  for (const pair of pairs) {
    if (pair.status === 'discarded') continue;
    if (seen.has(pair.id))
      throw new PairsDatasetError('pairs_dataset_invalid', `pair ${pair.id} is listed twice`, { pairId: pair.id });
    seen.add(pair.id);
    checkActionNames(pair, model);
    const flipped = pair.status === 'flipped';
    const stored = { chosen: flattenChunk(pair, 'chosen', model), rejected: flattenChunk(pair, 'rejected', model) };
    rows.push({
      pairId: pair.id,
      episodeId: pair.episodeId,
      stepIndex: pair.stepIndex,
      camera: pair.camera,
      frameIndex: pair.frameIndex,
      instruction: pair.instruction,
      task: pair.task,
      robotState: pair.robotState,
      chosen: flipped ? stored.rejected : stored.chosen,
      rejected: flipped ? stored.chosen : stored.rejected,
      chunkLength: model.chunkLength,
      actionDims: model.dims,
      source: pair.source,
      reward: pair.scores.reward,
      chosenScore: flipped ? pair.scores.rejected : pair.scores.chosen,
      rejectedScore: flipped ? pair.scores.chosen : pair.scores.rejected,
      flipped,
      executedSide: pair.executedSide ? (flipped ? otherSide[pair.executedSide] : pair.executedSide) : null,
    });
  }
  if (rows.length === 0)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      pairs.length === 0
        ? 'there are no preference pairs to export: build pairs first (coach pairs build)'
        : `all ${pairs.length} pairs are discarded: there is nothing to export`,
    );
  return rows;
}
