import path from 'node:path';
import { CoachError } from '../../../shared/contract/errors';
import type { PreferencePair } from '../../../shared/refine/pairTypes';
import { EpisodeCatalog } from '../../episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../episodes/store/episodeFormat';
import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import { pairCameraFrames } from './pairCameraFrames';
import { PairDataset } from './pairDataset';
import { PairStore } from './pairStore';

export interface OpenPairDatasetArgs {
  /** The episodes folder (catalog.sqlite and the episode folders). */
  root: string;
  /** The model's cameras in manifest order (the first is the policy camera). */
  cameras: PolicyCameraSize[];
  /** These pairs (each must still be eligible); default: every eligible pair of `modelName`, or of any model. */
  pairIds?: number[];
  modelName?: string;
  imageCacheBytes?: number;
}

/**
 * A PairDataset of these pairs for a model with `cameras`: the frames of its cameras besides the policy
 * camera are found in the pairs' episodes (pairCameraFrames), which refuses an episode that did not record one.
 */
export async function loadPairDataset(
  pairs: readonly PreferencePair[],
  options: { root: string; cameras: readonly PolicyCameraSize[]; imageCacheBytes?: number },
): Promise<PairDataset> {
  const moreCameras = options.cameras.slice(1).map((camera) => camera.name);
  const moreFrames = await pairCameraFrames(options.root, pairs, moreCameras);
  return new PairDataset(pairs, {
    root: options.root,
    cameras: options.cameras,
    moreFrames,
    ...(options.imageCacheBytes === undefined ? {} : { imageCacheBytes: options.imageCacheBytes }),
  });
}

/**
 * The eligible pairs of an episodes folder as a PreferenceDataset, read once from the catalog (which is
 * closed again). Plain data in, so a training worker can build it (datasetSource.ts, kind 'module').
 */
export async function openPairDataset(args: OpenPairDatasetArgs): Promise<PairDataset> {
  const catalog = new EpisodeCatalog(path.join(args.root, CATALOG_FILE));
  let pairs: PreferencePair[];
  try {
    const eligible = new PairStore(catalog).eligiblePairs(args.modelName ? { modelName: args.modelName } : {});
    pairs = eligible;
    if (args.pairIds) {
      const byId = new Map(eligible.map((pair) => [pair.id, pair]));
      const gone = args.pairIds.filter((id) => !byId.has(id));
      if (gone.length)
        throw new CoachError(
          'pairs_not_eligible',
          `pair ${gone.join(', ')} is no longer eligible (discarded, its episode excluded or deleted); build the list again`,
        );
      pairs = args.pairIds.map((id) => byId.get(id)!);
    }
  } finally {
    catalog.close();
  }
  if (pairs.length === 0)
    throw new CoachError('pairs_none', 'no eligible preference pairs; build pairs first (coach pairs build)');
  return loadPairDataset(pairs, {
    root: args.root,
    cameras: args.cameras,
    ...(args.imageCacheBytes === undefined ? {} : { imageCacheBytes: args.imageCacheBytes }),
  });
}
