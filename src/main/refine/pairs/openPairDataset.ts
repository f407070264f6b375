import path from 'node:path';
import { CoachError } from '../../../shared/contract/errors';
import { EpisodeCatalog } from '../../episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../episodes/store/episodeFormat';
import { PairDataset } from './pairDataset';
import { PairStore } from './pairStore';

export interface OpenPairDatasetArgs {
  /** The episodes folder (catalog.sqlite and the episode folders). */
  root: string;
  camera: { widthPx: number; heightPx: number };
  /** These pairs (each must still be eligible); default: every eligible pair of `modelName`, or of any model. */
  pairIds?: number[];
  modelName?: string;
  imageCacheBytes?: number;
}

/**
 * The eligible pairs of an episodes folder as a PreferenceDataset, read once from the catalog (which is
 * closed again). Plain data in, so a training worker can build it (datasetSource.ts, kind 'module').
 */
export async function openPairDataset(args: OpenPairDatasetArgs): Promise<PairDataset> {
  const catalog = new EpisodeCatalog(path.join(args.root, CATALOG_FILE));
  try {
    const eligible = new PairStore(catalog).eligiblePairs(args.modelName ? { modelName: args.modelName } : {});
    let pairs = eligible;
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
    if (pairs.length === 0)
      throw new CoachError('pairs_none', 'no eligible preference pairs; build pairs first (coach pairs build)');
    return new PairDataset(pairs, {
      root: args.root,
      camera: args.camera,
      ...(args.imageCacheBytes === undefined ? {} : { imageCacheBytes: args.imageCacheBytes }),
    });
  } finally {
    catalog.close();
  }
}
