import { ROBOT_STATE_NAMES } from '../../../shared/policy/modelManifest';
import { moreCameraNames, type DatasetModel } from './pairRows';
import { pairColumnsDescription, type PairRowWithImage } from './pairsTable';

/** The dataset format this exporter writes; a trainer should refuse a major version it does not know. */
export const PAIRS_DATASET_FORMAT = 'coach.pairs/1';
export const PAIRS_FILE = 'pairs.parquet';
export const IMAGES_FOLDER = 'images';
export const DATASET_MANIFEST_FILE = 'dataset.json';

/** dataset.json: what the folder holds, for whom, and how to read it. */
export interface PairsDatasetManifest {
  format: typeof PAIRS_DATASET_FORMAT;
  createdAt: string;
  model: DatasetModel;
  files: { pairs: string; images: string };
  counts: {
    pairs: number;
    flipped: number;
    /** Discarded pairs the caller passed, left out. */
    discardedLeftOut: number;
    bySource: Record<string, number>;
    byTask: Record<string, number>;
  };
  robotStateNames: readonly string[];
  conventions: string[];
  columns: { name: string; type: string; description: string }[];
}

function countBy(rows: readonly PairRowWithImage[], key: (r: PairRowWithImage) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of rows) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
  return counts;
}

export function pairsDatasetManifest(
  rows: readonly PairRowWithImage[],
  model: DatasetModel,
  discardedLeftOut: number,
  createdAt: Date,
): PairsDatasetManifest {
  const moreCameras = moreCameraNames(model);
  return {
    format: PAIRS_DATASET_FORMAT,
    createdAt: createdAt.toISOString(),
    model,
    files: { pairs: PAIRS_FILE, images: `${IMAGES_FOLDER}/` },
    counts: {
      pairs: rows.length,
      flipped: rows.filter((r) => r.flipped).length,
      discardedLeftOut,
      bySource: countBy(rows, (r) => r.source),
      byTask: countBy(rows, (r) => r.task),
    },
    robotStateNames: ROBOT_STATE_NAMES,
    conventions: [
      'one row per preference pair; chosen is preferred over rejected at the same observation',
      'chosen and rejected are flattened row-major: action i, dim d at i * action_dims + d; reshape to (chunk_length, action_dims)',
      "actions are physical (model.actionNames; metres and radians for ee_delta, the gripper 0 closed … 1 open): normalise them with the base package's manifest action.normalization (q01/q99/mask) before training",
      'scores: lower is better (GTA is a mean absolute distance, WM an energy)',
      'flipped pairs are already swapped; discarded pairs are not in the file',
      'image is an RGB PNG relative to this folder; resize it to the package camera size as the prefix expects',
      ...(moreCameras.length
        ? [
            `image is the policy camera's picture (model.cameras[0]); the other cameras' pictures at the same observation are image_<camera> (${moreCameras.map((c) => `image_${c}`).join(', ')}), PNGs in images/<camera>/`,
          ]
        : []),
    ],
    columns: pairColumnsDescription(moreCameras),
  };
}
