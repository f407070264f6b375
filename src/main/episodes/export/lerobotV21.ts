import { ImageHistogram } from './featureStats';
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
import { parquetTableBytes } from './parquetTable';

const DATA_PATH = 'data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet';
const VIDEO_PATH = 'videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const dataPath = (episodeIndex: number) =>
  `data/chunk-${pad(Math.floor(episodeIndex / CHUNKS_SIZE), 3)}/episode_${pad(episodeIndex, 6)}.parquet`;
const videoPath = (episodeIndex: number, camera: string) =>
  `videos/chunk-${pad(Math.floor(episodeIndex / CHUNKS_SIZE), 3)}/${videoKey(camera)}/episode_${pad(episodeIndex, 6)}.mp4`;

/** LeRobot v2.1 (lerobot 0.3.x): one parquet and one mp4 per camera per episode, JSON-lines metadata. */
export async function writeLerobotV21(job: LerobotJob, abort: () => void): Promise<{ frames: number; videos: number }> {
  const { episodes, files, progress } = job;
  const { tasks, taskIndexOf } = taskTable(episodes);
  const cameras = cameraNames(job);
  const actionDims = episodes[0]!.header.action.dims;
  const allRows: EpisodeRows[] = [];
  const episodeLines: unknown[] = [];
  const statsLines: unknown[] = [];
  const allImages = new Map(cameras.map((c) => [c, new ImageHistogram()]));
  let index = 0;

  progress.setPhase('writing');
  for (const [episodeIndex, episode] of episodes.entries()) {
    job.signal.throwIfAborted();
    const rows = episodeRows(episode, episodeIndex, index, taskIndexOf(episode));
    index += rows.index.length;
    allRows.push(rows);
    const { columns, kv } = dataTable(rows, actionDims);
    await files.write(dataPath(episodeIndex), parquetTableBytes(columns, kv));
    const images = await episodeImageHistograms(job, episode);
    images.forEach((h, camera) => allImages.get(camera)!.merge(h));
    statsLines.push({ episode_index: episodeIndex, stats: rowStats(rows, images, false) });
    episodeLines.push({
      episode_index: episodeIndex,
      tasks: [episode.task],
      length: rows.index.length,
      ...coachEpisodeFields(episode.input.summary, episode),
    });
    progress.episodeDone();
  }

  if (cameras.length > 0) progress.setPhase('encoding');
  await runAll(
    episodes.flatMap((episode, episodeIndex) =>
      cameras.map((camera) => () => encodeCameraVideo(job, camera, [episode], videoPath(episodeIndex, camera))),
    ),
    abort,
  );

  progress.setPhase('finishing');
  const totalFrames = index;
  await files.writeJsonLines('meta/episodes.jsonl', episodeLines);
  await files.writeJsonLines(
    'meta/tasks.jsonl',
    tasks.map((task, taskIndex) => ({ task_index: taskIndex, task })),
  );
  await files.writeJsonLines('meta/episodes_stats.jsonl', statsLines);
  await files.writeJson('meta/stats.json', rowStats(concatRows(allRows), allImages, false));
  await files.writeJson('meta/info.json', {
    codebase_version: 'v2.1',
    robot_type: job.robotType,
    total_episodes: episodes.length,
    total_frames: totalFrames,
    total_tasks: tasks.length,
    total_videos: episodes.length * cameras.length,
    total_chunks: Math.ceil(episodes.length / CHUNKS_SIZE),
    chunks_size: CHUNKS_SIZE,
    fps: fpsOf(job),
    splits: { train: `0:${episodes.length}` },
    data_path: DATA_PATH,
    video_path: cameras.length > 0 ? VIDEO_PATH : null,
    features: lerobotFeatures(job, false),
  });
  return { frames: totalFrames, videos: episodes.length * cameras.length };
}
