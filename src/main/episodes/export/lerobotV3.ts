import { ImageHistogram, type FeatureStats } from './featureStats';
import {
  CHUNKS_SIZE,
  cameraNames,
  coachEpisodeFields,
  concatRows,
  dataTable,
  encodeCameraVideo,
  episodeImageHistograms,
  episodeRows,
  fpsOf,
  lerobotFeatures,
  rowStats,
  runAll,
  taskTable,
  videoKey,
  type EpisodeRows,
  type LerobotJob,
} from './lerobotCommon';
import { parquetTableBytes, type ColumnKind, type TableColumn } from './parquetTable';

const DATA_PATH = 'data/chunk-{chunk_index:03d}/file-{file_index:03d}.parquet';
const VIDEO_PATH = 'videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4';
const DATA_FILES_SIZE_IN_MB = 100;
const VIDEO_FILES_SIZE_IN_MB = 500;
/** Everything goes in chunk 0, file 0: one data file, one video per camera, one episodes file. */
const DATA_FILE = 'data/chunk-000/file-000.parquet';
const EPISODES_FILE = 'meta/episodes/chunk-000/file-000.parquet';
const videoFile = (camera: string) => `videos/${videoKey(camera)}/chunk-000/file-000.mp4`;

/** LeRobot v3.0 (lerobot ≥ 0.4): many episodes per file, parquet metadata with per-episode offsets and stats. */
export async function writeLerobotV3(job: LerobotJob, abort: () => void): Promise<{ frames: number; videos: number }> {
  const { episodes, files, progress } = job;
  const fps = fpsOf(job);
  const { tasks, taskIndexOf } = taskTable(episodes);
  const cameras = cameraNames(job);
  const actionDims = episodes[0]!.header.action.dims;
  const allRows: EpisodeRows[] = [];
  const episodeStats: Record<string, FeatureStats>[] = [];
  const allImages = new Map(cameras.map((c) => [c, new ImageHistogram()]));
  let index = 0;

  progress.setPhase('writing');
  for (const [episodeIndex, episode] of episodes.entries()) {
    job.signal.throwIfAborted();
    const rows = episodeRows(episode, episodeIndex, index, taskIndexOf(episode));
    index += rows.index.length;
    allRows.push(rows);
    const images = await episodeImageHistograms(job, episode);
    images.forEach((h, camera) => allImages.get(camera)!.merge(h));
    episodeStats.push(rowStats(rows, images, true));
    progress.episodeDone();
  }
  const rows = concatRows(allRows);
  const { columns, kv } = dataTable(rows, actionDims);
  await files.write(DATA_FILE, parquetTableBytes(columns, kv));

  if (cameras.length > 0) progress.setPhase('encoding');
  await runAll(
    cameras.map((camera) => () => encodeCameraVideo(job, camera, episodes, videoFile(camera))),
    abort,
  );

  progress.setPhase('finishing');
  await files.write('meta/tasks.parquet', tasksTable(tasks));
  await files.write(EPISODES_FILE, episodesTable(job, allRows, episodeStats, taskIndexOf, fps));
  await files.writeJson('meta/stats.json', rowStats(rows, allImages, true));
  await files.writeJson('meta/info.json', {
    codebase_version: 'v3.0',
    robot_type: job.robotType,
    total_episodes: episodes.length,
    total_frames: index,
    total_tasks: tasks.length,
    chunks_size: CHUNKS_SIZE,
    data_files_size_in_mb: DATA_FILES_SIZE_IN_MB,
    video_files_size_in_mb: VIDEO_FILES_SIZE_IN_MB,
    fps,
    splits: { train: `0:${episodes.length}` },
    data_path: DATA_PATH,
    video_path: cameras.length > 0 ? VIDEO_PATH : null,
    features: lerobotFeatures(job, true),
  });
  return { frames: index, videos: cameras.length };
}

/** meta/tasks.parquet: task_index, with the task string as the pandas index (how lerobot reads it). */
function tasksTable(tasks: string[]): Uint8Array {
  const pandas = {
    index_columns: ['task'],
    column_indexes: [],
    columns: [
      { name: 'task_index', field_name: 'task_index', pandas_type: 'int64', numpy_type: 'int64', metadata: null },
      { name: 'task', field_name: 'task', pandas_type: 'unicode', numpy_type: 'object', metadata: null },
    ],
    creator: { library: 'coach', version: '1' },
    pandas_version: '2.2.0',
  };
  return parquetTableBytes(
    [
      { name: 'task_index', kind: 'int64', data: tasks.map((_, i) => i) },
      { name: 'task', kind: 'string', data: tasks },
    ],
    { pandas: JSON.stringify(pandas) },
  );
}

function episodesTable(
  job: LerobotJob,
  allRows: EpisodeRows[],
  episodeStats: Record<string, FeatureStats>[],
  taskIndexOf: (e: LerobotJob['episodes'][number]) => number,
  fps: number,
): Uint8Array {
  const { episodes } = job;
  const col = (name: string, kind: ColumnKind, data: unknown[]): TableColumn => ({ name, kind, data });
  const zeros = episodes.map(() => 0);
  const lengths = allRows.map((r) => r.index.length);
  const fromIndex = allRows.map((r) => r.index[0]!);
  const coach = episodes.map((e) => coachEpisodeFields(e.input.summary, e));
  const columns: TableColumn[] = [
    col(
      'episode_index',
      'int64',
      episodes.map((_, i) => i),
    ),
    col(
      'tasks',
      'string[]',
      episodes.map((e) => [e.task]),
    ),
    col('length', 'int64', lengths),
    col('data/chunk_index', 'int64', zeros),
    col('data/file_index', 'int64', zeros),
    col('dataset_from_index', 'int64', fromIndex),
    col(
      'dataset_to_index',
      'int64',
      fromIndex.map((from, i) => from + lengths[i]!),
    ),
  ];
  for (const camera of cameraNames(job)) {
    const key = `videos/${videoKey(camera)}`;
    columns.push(
      col(`${key}/chunk_index`, 'int64', zeros),
      col(`${key}/file_index`, 'int64', zeros),
      col(
        `${key}/from_timestamp`,
        'float64',
        fromIndex.map((from) => from / fps),
      ),
      col(
        `${key}/to_timestamp`,
        'float64',
        fromIndex.map((from, i) => (from + lengths[i]!) / fps),
      ),
    );
  }
  columns.push(
    col(
      'task_index',
      'int64',
      episodes.map((e) => taskIndexOf(e)),
    ),
    col(
      'coach_episode_id',
      'int64',
      coach.map((c) => c.coach_episode_id),
    ),
    col(
      'outcome',
      'string?',
      coach.map((c) => c.outcome),
    ),
    col(
      'label',
      'string?',
      coach.map((c) => c.label),
    ),
    col(
      'note',
      'string',
      coach.map((c) => c.note),
    ),
    col(
      'excluded',
      'boolean',
      coach.map((c) => c.excluded),
    ),
    col(
      'strokes',
      'int64',
      coach.map((c) => c.strokes),
    ),
    col(
      'duration_s',
      'float64',
      coach.map((c) => c.duration_s),
    ),
    col(
      'model_version',
      'string?',
      coach.map((c) => c.model_version),
    ),
    col(
      'marks',
      'string',
      coach.map((c) => JSON.stringify(c.marks)),
    ),
  );
  for (const [feature, stats] of Object.entries(episodeStats[0]!)) {
    const isImage = feature.startsWith('observation.images.');
    for (const stat of Object.keys(stats)) {
      const kind: ColumnKind = stat === 'count' ? 'int64[]' : isImage ? 'float64[][][]' : 'float64[]';
      columns.push(
        col(
          `stats/${feature}/${stat}`,
          kind,
          episodeStats.map((s) => s[feature]![stat]!),
        ),
      );
    }
  }
  columns.push(col('meta/episodes/chunk_index', 'int64', zeros), col('meta/episodes/file_index', 'int64', zeros));
  return parquetTableBytes(columns);
}
