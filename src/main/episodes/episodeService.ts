import fs from 'node:fs';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import type {
  EpisodeCounts,
  EpisodeEvent,
  EpisodeFilter,
  EpisodeFrame,
  EpisodeLabel,
  EpisodeReplay,
  EpisodeSummary,
  ExportProgress,
  ExportRequest,
  RecordingSettings,
} from '../../shared/episodes/episodeTypes';
import { Topic } from '../system/topic';
import { EpisodeCatalog } from './catalog/episodeCatalog';
import { exportEpisodes } from './export/exportEpisodes';
import { ExportCancelledError } from './export/exportTypes';
import { videoCodecs } from './export/videoEncoder';
import { EpisodeRecorder, type RecorderPorts } from './recording/episodeRecorder';
import { recoverInterrupted } from './recording/recoverInterrupted';
import { buildReplay } from './replay/buildReplay';
import { selectExportEpisodes } from './exportSelection';
import { CATALOG_FILE, episodeDir } from './store/episodeFormat';
import { EpisodeFileError, EpisodeReader } from './store/episodeReader';

export type EpisodeServicePorts = Omit<RecorderPorts, 'root' | 'catalog' | 'onStarted' | 'onEnded'> & {
  settings: () => RecordingSettings;
};

/**
 * Episodes: the recorder, the SQLite catalog, labels and marks, delete with undo for the session,
 * replay data, and export jobs. Deleted episodes stay on disk (hidden) until Coach closes, so an undo
 * brings them back whole; their files go at close (or at the next start, after a crash).
 */
export class EpisodeService {
  readonly eventsTopic = new Topic<EpisodeEvent>({ replayLatest: false });
  readonly exportTopic = new Topic<ExportProgress | null>();
  readonly catalog: EpisodeCatalog;
  readonly recorder: EpisodeRecorder;
  /** Recovered at start: episodes a crash interrupted, ready once `ready` settles. */
  readonly ready: Promise<number[]>;
  private lastDeleted: number[] = [];
  private exportJob: { jobId: number; abort: AbortController; done: Promise<void> } | null = null;
  private lastExport: ExportProgress | null = null;
  private exportJobs = 0;
  private readonly warnings: string[] = [];

  constructor(
    readonly root: string,
    ports: EpisodeServicePorts,
  ) {
    fs.mkdirSync(root, { recursive: true });
    this.catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
    this.purgeDeleted();
    this.ready = recoverInterrupted(root, this.catalog).then((ids) => {
      if (ids.length) this.emit('recovered', ids, null);
      return ids;
    });
    this.recorder = new EpisodeRecorder({
      ...ports,
      root,
      catalog: this.catalog,
      onStarted: (id) => this.emit('recording', [id], this.catalog.get(id)),
      onEnded: (id, problem) => {
        if (problem) this.warnings.push(problem);
        if (id > 0) this.emit('recorded', [id], this.safeGet(id));
      },
    });
    this.exportTopic.publish(null);
  }

  /** Problems met while recording (a full disk, say), oldest first. */
  get recordingWarnings(): readonly string[] {
    return this.warnings;
  }

  list(filter: EpisodeFilter, limit?: number, offset?: number) {
    return this.catalog.list(filter, limit, offset);
  }

  counts(filter: EpisodeFilter): EpisodeCounts {
    return this.catalog.counts(filter);
  }

  get(id: number): EpisodeSummary {
    return this.catalog.get(id);
  }

  label(ids: number[], label: EpisodeLabel | null): EpisodeSummary[] {
    return this.updated(this.catalog.label(ids, label));
  }

  setNote(id: number, note: string): EpisodeSummary {
    return this.updated([this.catalog.setNote(id, note)])[0]!;
  }

  setExcluded(ids: number[], excluded: boolean): EpisodeSummary[] {
    return this.updated(this.catalog.setExcluded(ids, excluded));
  }

  addMark(id: number, startS: number, endS: number, label: EpisodeLabel, note: string): EpisodeSummary {
    return this.updated([this.catalog.addMark(id, startS, endS, label, note)])[0]!;
  }

  removeMark(id: number, markId: number): EpisodeSummary {
    return this.updated([this.catalog.removeMark(id, markId)])[0]!;
  }

  delete(ids: number[]): { deleted: number[] } {
    const recording = this.recorder.recordingId;
    if (recording !== null && ids.includes(recording))
      throw new CoachError('busy', `episode ${recording} is still recording; delete it when it has ended`);
    const deleted = this.catalog.softDelete(ids);
    this.lastDeleted = deleted;
    this.emit('deleted', deleted, null);
    return { deleted };
  }

  undoDelete(): { restored: number[] } {
    if (this.lastDeleted.length === 0) throw new CoachError('nothing_to_undo', 'no delete to undo in this session');
    const restored = this.catalog.restore(this.lastDeleted);
    this.lastDeleted = [];
    this.emit('restored', restored, null);
    return { restored };
  }

  async replay(id: number): Promise<EpisodeReplay> {
    const episode = this.catalog.get(id);
    return buildReplay(episode, await this.reader(id));
  }

  async frame(id: number, camera: string, index: number): Promise<EpisodeFrame> {
    this.catalog.get(id);
    const reader = await this.reader(id);
    if (!reader.cameraNames.includes(camera))
      throw new CoachError(
        'not_found',
        `episode ${id} has no camera "${camera}" (it has ${reader.cameraNames.join(', ') || 'none'})`,
      );
    const records = await reader.frameIndex(camera);
    const record = records[index];
    if (!record)
      throw new CoachError(
        'not_found',
        `episode ${id} has ${records.length} ${camera} frames; there is no frame ${index}`,
      );
    try {
      const jpeg = await reader.frameJpeg(camera, record);
      return { camera, index, tS: record.tS, jpeg: new Uint8Array(jpeg) };
    } catch (error) {
      if (error instanceof EpisodeFileError) throw new CoachError('frame_missing', error.message);
      throw error;
    }
  }

  startManual(instruction: string): EpisodeSummary {
    try {
      return this.catalog.get(this.recorder.startManual(instruction));
    } catch (error) {
      if (error instanceof CoachError) throw error;
      throw new CoachError('busy', (error as Error).message);
    }
  }

  async stopManual(): Promise<EpisodeSummary> {
    let id: number;
    try {
      id = await this.recorder.stopManual();
    } catch (error) {
      throw new CoachError('not_recording', (error as Error).message);
    }
    await this.recorder.settled();
    return this.catalog.get(id);
  }

  /** What the export dialog may offer: ffmpeg (its command, null when it cannot run), H.264, AV1. */
  async codecs(): Promise<{ ffmpeg: string | null; h264: boolean; av1: boolean }> {
    const support = await videoCodecs();
    return {
      ffmpeg: support.ffmpeg ? (process.env.COACH_FFMPEG ?? 'ffmpeg') : null,
      h264: support.h264,
      av1: support.av1,
    };
  }

  /** Starts an export job (one at a time); progress goes out on exportTopic. */
  startExport(request: ExportRequest): ExportProgress {
    if (this.exportJob) throw new CoachError('busy', `export ${this.exportJob.jobId} is running; cancel it or wait`);
    const { filter, episodes } = selectExportEpisodes(this.catalog, this.root, request.filter);
    if (episodes.length === 0)
      throw new CoachError('nothing_to_export', 'no recorded episode matches the filter; widen the filter');
    const jobId = (this.exportJobs += 1);
    const abort = new AbortController();
    const first: ExportProgress = {
      jobId,
      format: request.format,
      outDir: request.outDir,
      phase: 'preparing',
      episodesDone: 0,
      episodesTotal: episodes.length,
      framesEncoded: 0,
      fraction: 0,
      message: null,
      result: null,
    };
    this.publishExport(first);
    const done = exportEpisodes({
      episodes,
      request: { ...request, filter },
      jobId,
      signal: abort.signal,
      onProgress: (progress) => this.publishExport(progress),
    }).then(
      (result) =>
        this.publishExport({
          ...(this.lastExport ?? first),
          phase: 'done',
          episodesDone: result.episodes,
          fraction: 1,
          message: null,
          result,
        }),
      (error: Error) =>
        this.publishExport({
          ...(this.lastExport ?? first),
          phase: error instanceof ExportCancelledError ? 'cancelled' : 'failed',
          message: error.message,
          result: null,
        }),
    );
    this.exportJob = { jobId, abort, done: done.finally(() => (this.exportJob = null)) };
    return first;
  }

  async cancelExport(jobId: number): Promise<ExportProgress> {
    const job = this.exportJob;
    if (!job || job.jobId !== jobId) {
      if (this.lastExport?.jobId === jobId) return this.lastExport;
      throw new CoachError('not_found', `no export job ${jobId}`);
    }
    job.abort.abort();
    await job.done;
    return this.lastExport!;
  }

  /** Resolves when the running export (if any) has ended. */
  async exportSettled(): Promise<ExportProgress | null> {
    await this.exportJob?.done;
    return this.lastExport;
  }

  async close(): Promise<void> {
    await this.recorder.close();
    this.exportJob?.abort.abort();
    await this.exportJob?.done;
    this.purgeDeleted();
    this.catalog.close();
  }

  private async reader(id: number): Promise<EpisodeReader> {
    try {
      return await EpisodeReader.open(episodeDir(this.root, id), id);
    } catch (error) {
      if (error instanceof EpisodeFileError) throw new CoachError('episode_unreadable', error.message);
      throw error;
    }
  }

  private publishExport(progress: ExportProgress): void {
    this.lastExport = progress;
    this.exportTopic.publish(progress);
  }

  /** Removes deleted episodes for good: files first, then the rows. */
  private purgeDeleted(): void {
    const ids = this.catalog.deletedIds();
    const gone: number[] = [];
    for (const id of ids) {
      try {
        fs.rmSync(episodeDir(this.root, id), { recursive: true, force: true });
        gone.push(id);
      } catch (error) {
        this.warnings.push(`could not remove deleted episode ${id}'s files: ${(error as Error).message}`);
      }
    }
    this.catalog.forget(gone);
  }

  private updated(episodes: EpisodeSummary[]): EpisodeSummary[] {
    this.emit(
      'updated',
      episodes.map((episode) => episode.id),
      episodes.length === 1 ? episodes[0]! : null,
    );
    return episodes;
  }

  private safeGet(id: number): EpisodeSummary | null {
    try {
      return this.catalog.get(id);
    } catch {
      return null;
    }
  }

  private emit(kind: EpisodeEvent['kind'], ids: number[], episode: EpisodeSummary | null): void {
    this.eventsTopic.publish({ kind, ids, episode });
  }
}
