import type { ExportResult } from '../../../shared/episodes/episodeTypes';
import { checkSameShape, loadExportEpisodes } from './exportEpisodeData';
import { defaultExportIo, ExportFiles, ExportProgressReporter } from './exportOutput';
import { ExportCancelledError, ExportError, type ExportOptions } from './exportTypes';
import { writeJsonlExport } from './jsonlExport';
import type { LerobotJob } from './lerobotCommon';
import { writeLerobotV21 } from './lerobotV21';
import { writeLerobotV3 } from './lerobotV3';
import { prepareOutDir, removeExportOutput, type PreparedOutDir } from './outDir';
import { defaultFfmpegPath, videoCodecs } from './videoEncoder';

export { videoCodecs } from './videoEncoder';
export { ExportCancelledError, ExportError } from './exportTypes';

/**
 * Exports the given episodes to request.outDir in request.format. Never modifies the episode folders.
 * Resolves with the result; rejects with ExportError (bad folder, disk full, nothing left to export, …)
 * or ExportCancelledError (signal aborted). Either way, whatever the export wrote is removed first.
 */
export async function exportEpisodes(options: ExportOptions): Promise<ExportResult> {
  const { request } = options;
  const startedMs = Date.now();
  const progress = new ExportProgressReporter(
    { jobId: options.jobId ?? 1, format: request.format, outDir: request.outDir },
    options.onProgress,
  );
  progress.episodesTotal = options.episodes.length;
  // One controller for cancel and for "a sibling task failed": both stop every encoder.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let out: PreparedOutDir | null = null;
  try {
    progress.setPhase('preparing');
    options.signal?.throwIfAborted();
    out = await prepareOutDir(request.outDir);
    const result = await runExport(options, out, progress, stop, startedMs);
    progress.setPhase('done', null, result);
    return result;
  } catch (err) {
    stop.abort();
    if (out) await removeExportOutput(out).catch(() => undefined);
    if (options.signal?.aborted) {
      const cancelled = new ExportCancelledError(request.outDir);
      progress.setPhase('cancelled', cancelled.message);
      throw cancelled;
    }
    const failure =
      err instanceof ExportError ? err : new ExportError(`export failed: ${(err as Error).message}`, { cause: err });
    progress.setPhase('failed', failure.message);
    throw failure;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function runExport(
  options: ExportOptions,
  out: PreparedOutDir,
  progress: ExportProgressReporter,
  stop: AbortController,
  startedMs: number,
): Promise<ExportResult> {
  const { request } = options;
  const isLerobot = request.format !== 'jsonl';
  const ffmpegPath = options.ffmpegPath ?? defaultFfmpegPath();
  const { episodes, skipped } = await loadExportEpisodes(options.episodes, isLerobot, stop.signal);
  if (episodes.length === 0) {
    const reasons = skipped.map((s) => `episode ${s.id}: ${s.reason}`).join('; ');
    throw new ExportError(`nothing to export: every episode was skipped (${reasons || 'none given'})`);
  }
  progress.episodesTotal = episodes.length;
  const files = new ExportFiles(out.dir, options.io ?? defaultExportIo);
  let frames: number;
  let videos = 0;
  if (isLerobot) {
    checkSameShape(episodes);
    const cameras = episodes[0]!.cameras.size;
    let av1Encoder: LerobotJob['av1Encoder'] = null;
    if (cameras > 0) av1Encoder = await checkEncoders(ffmpegPath, request.videoCodec);
    progress.framesTotal = cameras * episodes.reduce((n, e) => n + e.steps.length, 0);
    const job: LerobotJob = {
      episodes,
      files,
      progress,
      robotType: request.robotType,
      codec: request.videoCodec,
      av1Encoder,
      ffmpegPath,
      signal: stop.signal,
    };
    const write = request.format === 'lerobot-v3' ? writeLerobotV3 : writeLerobotV21;
    ({ frames, videos } = await write(job, () => stop.abort()));
  } else {
    ({ frames } = await writeJsonlExport(episodes, files, progress, stop.signal));
  }
  stop.signal.throwIfAborted();
  return {
    format: request.format,
    outDir: out.dir,
    episodes: episodes.length,
    frames,
    videos,
    bytes: files.bytes,
    durationS: (Date.now() - startedMs) / 1000,
    skipped,
    files: files.files,
  };
}

async function checkEncoders(ffmpegPath: string, codec: 'h264' | 'av1'): Promise<LerobotJob['av1Encoder']> {
  const support = await videoCodecs(ffmpegPath);
  if (!support.ffmpeg) {
    throw new ExportError(
      `cannot run ffmpeg (${ffmpegPath}), which LeRobot exports need for the videos: install ffmpeg or set COACH_FFMPEG`,
    );
  }
  if (codec === 'h264' && !support.h264)
    throw new ExportError(`this ffmpeg (${ffmpegPath}) has no H.264 encoder (libx264)`);
  if (codec === 'av1' && !support.av1) {
    throw new ExportError(
      `this ffmpeg (${ffmpegPath}) has no AV1 encoder (libsvtav1 or libaom-av1): export with H.264`,
    );
  }
  return support.av1Encoder;
}
