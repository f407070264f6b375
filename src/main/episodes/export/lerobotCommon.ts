import type { EpisodeSummary } from '../../../shared/episodes/episodeTypes';
import { observationState, STATE_FEATURE_NAMES, type ExportEpisode } from './exportEpisodeData';
import type { ExportFiles, ExportProgressReporter } from './exportOutput';
import { vectorStats, type FeatureStats, type ImageHistogram } from './featureStats';
import { episodeImageHistogram } from './imageStats';
import { huggingfaceFeatures, type TableColumn } from './parquetTable';
import { encodeVideo, evenSize, type VideoCodec } from './videoEncoder';

/** What every LeRobot writer needs besides the episodes. */
export interface LerobotJob {
  episodes: ExportEpisode[];
  files: ExportFiles;
  progress: ExportProgressReporter;
  robotType: string;
  codec: VideoCodec;
  av1Encoder: 'libsvtav1' | 'libaom-av1' | null;
  ffmpegPath: string;
  /** Aborted on cancel or on the first failure: stops every encoder. */
  signal: AbortSignal;
}

export const CHUNKS_SIZE = 1000;
export const videoKey = (camera: string) => `observation.images.${camera}`;
export const fpsOf = (job: LerobotJob) => job.episodes[0]!.header.controlRateHz;
export const cameraNames = (job: LerobotJob) => [...job.episodes[0]!.cameras.keys()].sort();

/** The video size of a camera: its recorded size in the first episode, made even. */
export function cameraSizePx(job: LerobotJob, camera: string): { widthPx: number; heightPx: number } {
  const header = job.episodes[0]!.header;
  const cam = header.cameras.find((c) => c.name === camera)!;
  return { widthPx: evenSize(cam.widthPx), heightPx: evenSize(cam.heightPx) };
}

/** meta/info.json's features. v3 also gives every non-video feature its fps. */
export function lerobotFeatures(job: LerobotJob, withFps: boolean): Record<string, Record<string, unknown>> {
  const first = job.episodes[0]!.header;
  const fps = fpsOf(job);
  const extra = withFps ? { fps } : {};
  const features: Record<string, Record<string, unknown>> = {
    action: { dtype: 'float32', shape: [first.action.dims], names: first.action.names, ...extra },
    'observation.state': { dtype: 'float32', shape: [7], names: STATE_FEATURE_NAMES, ...extra },
  };
  for (const camera of cameraNames(job)) {
    const { widthPx, heightPx } = cameraSizePx(job, camera);
    features[videoKey(camera)] = {
      dtype: 'video',
      shape: [heightPx, widthPx, 3],
      names: ['height', 'width', 'channels'],
      info: {
        'video.height': heightPx,
        'video.width': widthPx,
        'video.codec': job.codec,
        'video.pix_fmt': 'yuv420p',
        'video.is_depth_map': false,
        'video.fps': fps,
        'video.channels': 3,
        has_audio: false,
      },
    };
  }
  for (const name of ['timestamp', 'frame_index', 'episode_index', 'index', 'task_index']) {
    features[name] = { dtype: name === 'timestamp' ? 'float32' : 'int64', shape: [1], names: null, ...extra };
  }
  return features;
}

/** The rows of one episode, one per executed step. */
export interface EpisodeRows {
  state: number[][];
  action: number[][];
  timestampS: number[];
  frameIndex: number[];
  episodeIndex: number[];
  index: number[];
  taskIndex: number[];
}

export function episodeRows(
  episode: ExportEpisode,
  episodeIndex: number,
  firstIndex: number,
  taskIndex: number,
): EpisodeRows {
  const fps = episode.header.controlRateHz;
  const n = episode.steps.length;
  const range = Array.from({ length: n }, (_, k) => k);
  return {
    state: episode.steps.map(observationState),
    action: episode.steps.map((s) => s.action),
    // LeRobot checks that timestamps advance by exactly 1/fps: the row's place, not the step's wall time.
    timestampS: range.map((k) => Math.fround(k / fps)),
    frameIndex: range,
    episodeIndex: range.map(() => episodeIndex),
    index: range.map((k) => firstIndex + k),
    taskIndex: range.map(() => taskIndex),
  };
}

export function concatRows(all: EpisodeRows[]): EpisodeRows {
  return {
    state: all.flatMap((r) => r.state),
    action: all.flatMap((r) => r.action),
    timestampS: all.flatMap((r) => r.timestampS),
    frameIndex: all.flatMap((r) => r.frameIndex),
    episodeIndex: all.flatMap((r) => r.episodeIndex),
    index: all.flatMap((r) => r.index),
    taskIndex: all.flatMap((r) => r.taskIndex),
  };
}

/** The data parquet's columns and its `huggingface` metadata. */
export function dataTable(
  rows: EpisodeRows,
  actionDims: number,
): { columns: TableColumn[]; kv: Record<string, string> } {
  const columns: TableColumn[] = [
    { name: 'action', kind: 'float32[]', data: rows.action },
    { name: 'observation.state', kind: 'float32[]', data: rows.state },
    { name: 'timestamp', kind: 'float32', data: rows.timestampS },
    { name: 'frame_index', kind: 'int64', data: rows.frameIndex },
    { name: 'episode_index', kind: 'int64', data: rows.episodeIndex },
    { name: 'index', kind: 'int64', data: rows.index },
    { name: 'task_index', kind: 'int64', data: rows.taskIndex },
  ];
  const kv = {
    huggingface: huggingfaceFeatures([
      { name: 'action', dtype: 'float32', length: actionDims },
      { name: 'observation.state', dtype: 'float32', length: 7 },
      { name: 'timestamp', dtype: 'float32' },
      { name: 'frame_index', dtype: 'int64' },
      { name: 'episode_index', dtype: 'int64' },
      { name: 'index', dtype: 'int64' },
      { name: 'task_index', dtype: 'int64' },
    ]),
  };
  return { columns, kv };
}

/** Stats of every feature over some rows (one episode, or the whole dataset). */
export function rowStats(
  rows: EpisodeRows,
  images: Map<string, ImageHistogram>,
  withQuantiles: boolean,
): Record<string, FeatureStats> {
  const scalar = (values: number[]) =>
    vectorStats(
      values.map((v) => [v]),
      withQuantiles,
    );
  const stats: Record<string, FeatureStats> = {
    action: vectorStats(rows.action, withQuantiles),
    'observation.state': vectorStats(rows.state, withQuantiles),
  };
  for (const [camera, histogram] of images) stats[videoKey(camera)] = histogram.stats(withQuantiles);
  stats.timestamp = scalar(rows.timestampS);
  stats.frame_index = scalar(rows.frameIndex);
  stats.episode_index = scalar(rows.episodeIndex);
  stats.index = scalar(rows.index);
  stats.task_index = scalar(rows.taskIndex);
  return stats;
}

export async function episodeImageHistograms(job: LerobotJob, episode: ExportEpisode) {
  const histograms = new Map<string, ImageHistogram>();
  for (const camera of cameraNames(job)) histograms.set(camera, await episodeImageHistogram(episode, camera));
  return histograms;
}

/** Coach's own per-episode fields, kept beside LeRobot's. */
export function coachEpisodeFields(summary: EpisodeSummary, episode: ExportEpisode) {
  return {
    coach_episode_id: summary.id,
    outcome: summary.outcome,
    label: summary.label,
    note: summary.note,
    excluded: summary.excluded,
    strokes: summary.strokes,
    duration_s: summary.durationS,
    model_version: summary.modelVersion ?? episode.header.model?.version ?? null,
    marks: summary.marks,
  };
}

/** Task strings in order of first appearance, and each episode's task index. */
export function taskTable(episodes: ExportEpisode[]): { tasks: string[]; taskIndexOf: (e: ExportEpisode) => number } {
  const tasks: string[] = [];
  const indexOf = new Map<string, number>();
  for (const e of episodes) {
    if (!indexOf.has(e.task)) {
      indexOf.set(e.task, tasks.length);
      tasks.push(e.task);
    }
  }
  return { tasks, taskIndexOf: (e) => indexOf.get(e.task)! };
}

/** The JPEG each row shows, reading each file once. */
export async function* rowJpegs(episode: ExportEpisode, camera: string): AsyncGenerator<Uint8Array> {
  const rows = episode.cameras.get(camera)!;
  let last = -1;
  let jpeg: Uint8Array = new Uint8Array();
  for (const frame of rows.rowFrames) {
    if (frame !== last) {
      jpeg = await episode.reader.frameJpeg(camera, rows.records[frame]!);
      last = frame;
    }
    yield jpeg;
  }
}

/** Encodes the rows of some episodes (one after another) into one mp4 of a camera. */
export async function encodeCameraVideo(
  job: LerobotJob,
  camera: string,
  episodes: ExportEpisode[],
  relPath: string,
): Promise<void> {
  const outFile = await job.files.prepare(relPath);
  async function* frames() {
    for (const e of episodes) yield* rowJpegs(e, camera);
  }
  const expected = episodes.reduce((n, e) => n + e.steps.length, 0);
  const encoded = await encodeVideo({
    ffmpegPath: job.ffmpegPath,
    outFile,
    fps: fpsOf(job),
    ...cameraSizePx(job, camera),
    codec: job.codec,
    av1Encoder: job.av1Encoder,
    frames: frames(),
    signal: job.signal,
    onFrame: () => job.progress.frameEncoded(),
  });
  if (encoded !== expected) throw new Error(`encoded ${encoded} frames into ${outFile}, expected ${expected}`);
  await job.files.recordWritten(relPath);
}

/** Runs jobs together (the encoder pool limits ffmpeg); on the first failure aborts the rest and waits for them. */
export async function runAll(tasks: (() => Promise<void>)[], abort: () => void): Promise<void> {
  let first: { error: unknown } | null = null;
  await Promise.allSettled(
    tasks.map((t) =>
      t().catch((error: unknown) => {
        first ??= { error };
        abort();
      }),
    ),
  );
  if (first) throw (first as { error: unknown }).error;
}
