import { parquetTableBytes, type ColumnKind } from '../../episodes/export/parquetTable';
import { PairsDatasetError } from './externalErrors';
import type { PairRow } from './pairRows';

/** A picture written for a pair: its file relative to the dataset folder, e.g. "images/12.png", and size. */
export interface WrittenImage {
  imagePath: string;
  imageWidthPx: number;
  imageHeightPx: number;
}

/** A pair row with the pictures written for it: the policy camera's, and the other cameras' by name. */
export interface PairRowWithImage extends PairRow, WrittenImage {
  moreImages: Record<string, WrittenImage>;
}

interface PairColumn {
  name: string;
  kind: ColumnKind;
  /** The parquet physical type as pandas / pyarrow shows it, for dataset.json. */
  arrowType: string;
  description: string;
  value: (row: PairRowWithImage) => unknown;
}

/** The columns of pairs.parquet, in order: what is written and how dataset.json describes it. */
export const PAIR_COLUMNS: readonly PairColumn[] = [
  {
    name: 'pair_id',
    kind: 'int64',
    arrowType: 'int64',
    description: 'the pair in the Coach catalog',
    value: (r) => r.pairId,
  },
  {
    name: 'episode_id',
    kind: 'int64',
    arrowType: 'int64',
    description: 'the recorded episode of the observation',
    value: (r) => r.episodeId,
  },
  {
    name: 'step_index',
    kind: 'int64',
    arrowType: 'int64',
    description: 'the step (chunk) of the episode whose start is the observation',
    value: (r) => r.stepIndex,
  },
  {
    name: 'camera',
    kind: 'string',
    arrowType: 'string',
    description: 'the policy camera the image comes from',
    value: (r) => r.camera,
  },
  {
    name: 'frame_index',
    kind: 'int64',
    arrowType: 'int64',
    description: "the camera's frame in the episode",
    value: (r) => r.frameIndex,
  },
  {
    name: 'instruction',
    kind: 'string',
    arrowType: 'string',
    description: 'the instruction as the operator typed it',
    value: (r) => r.instruction,
  },
  {
    name: 'task',
    kind: 'string',
    arrowType: 'string',
    description: 'the instruction trimmed and lower-cased',
    value: (r) => r.task,
  },
  {
    name: 'robot_state',
    kind: 'float32[]',
    arrowType: 'list<float>',
    description: 'the arm at the observation: robot_state_names',
    value: (r) => r.robotState,
  },
  {
    name: 'chosen',
    kind: 'float32[]',
    arrowType: 'list<float>',
    description: 'the preferred chunk, chunk_length × action_dims, row-major, physical units',
    value: (r) => r.chosen,
  },
  {
    name: 'rejected',
    kind: 'float32[]',
    arrowType: 'list<float>',
    description: 'the dispreferred chunk, same layout',
    value: (r) => r.rejected,
  },
  {
    name: 'chunk_length',
    kind: 'int64',
    arrowType: 'int64',
    description: 'actions per chunk',
    value: (r) => r.chunkLength,
  },
  {
    name: 'action_dims',
    kind: 'int64',
    arrowType: 'int64',
    description: 'values per action',
    value: (r) => r.actionDims,
  },
  {
    name: 'source',
    kind: 'string',
    arrowType: 'string',
    description: 'label | gta | wm: what made the pair',
    value: (r) => r.source,
  },
  {
    name: 'reward',
    kind: 'string',
    arrowType: 'string',
    description: 'the reward that scored the chunks (lower is better)',
    value: (r) => r.reward,
  },
  {
    name: 'chosen_score',
    kind: 'float64',
    arrowType: 'double',
    description: "the reward's score of chosen",
    value: (r) => r.chosenScore,
  },
  {
    name: 'rejected_score',
    kind: 'float64',
    arrowType: 'double',
    description: "the reward's score of rejected",
    value: (r) => r.rejectedScore,
  },
  {
    name: 'flipped',
    kind: 'boolean',
    arrowType: 'bool',
    description: 'the operator flipped the pair; chosen/rejected are already swapped',
    value: (r) => r.flipped,
  },
  {
    name: 'executed_side',
    kind: 'string?',
    arrowType: 'string (nullable)',
    description:
      'label pairs: chosen | rejected, the chunk the robot executed (the other is a policy sample); null otherwise',
    value: (r) => r.executedSide,
  },
  {
    name: 'image',
    kind: 'string',
    arrowType: 'string',
    description: 'the observation image, RGB PNG, relative to the dataset folder',
    value: (r) => r.imagePath,
  },
  {
    name: 'image_width_px',
    kind: 'int64',
    arrowType: 'int64',
    description: "the image's width",
    value: (r) => r.imageWidthPx,
  },
  {
    name: 'image_height_px',
    kind: 'int64',
    arrowType: 'int64',
    description: "the image's height",
    value: (r) => r.imageHeightPx,
  },
];

/** The image columns of one of the model's cameras besides the policy camera. */
function moreCameraColumns(camera: string): PairColumn[] {
  const image = (r: PairRowWithImage) => r.moreImages[camera]!;
  return [
    {
      name: `image_${camera}`,
      kind: 'string',
      arrowType: 'string',
      description: `camera "${camera}"'s picture at the observation, RGB PNG, relative to the dataset folder`,
      value: (r) => image(r).imagePath,
    },
    {
      name: `image_${camera}_width_px`,
      kind: 'int64',
      arrowType: 'int64',
      description: `the "${camera}" image's width`,
      value: (r) => image(r).imageWidthPx,
    },
    {
      name: `image_${camera}_height_px`,
      kind: 'int64',
      arrowType: 'int64',
      description: `the "${camera}" image's height`,
      value: (r) => image(r).imageHeightPx,
    },
  ];
}

/** PAIR_COLUMNS, then the image columns of each camera besides the policy camera. */
export function pairColumns(moreCameras: readonly string[] = []): PairColumn[] {
  const columns = [...PAIR_COLUMNS, ...moreCameras.flatMap(moreCameraColumns)];
  const names = columns.map((c) => c.name);
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `the model's cameras (${moreCameras.join(', ')}) would write the column "${clash}" twice: rename the camera`,
    );
  return columns;
}

/** pairs.parquet's bytes: one row per pair, in the order given. */
export function pairsParquetBytes(
  rows: readonly PairRowWithImage[],
  format: string,
  moreCameras: readonly string[] = [],
): Uint8Array {
  return parquetTableBytes(
    pairColumns(moreCameras).map((c) => ({ name: c.name, kind: c.kind, data: rows.map(c.value) })),
    { 'coach.format': format },
  );
}

/** The column list dataset.json carries, so a reader knows the schema without Coach's docs. */
export function pairColumnsDescription(
  moreCameras: readonly string[] = [],
): { name: string; type: string; description: string }[] {
  return pairColumns(moreCameras).map((c) => ({ name: c.name, type: c.arrowType, description: c.description }));
}
