import type { EpisodeSummary, ExportProgress, ExportRequest } from '../../../shared/episodes/episodeTypes';

export interface ExportEpisodeInput {
  summary: EpisodeSummary;
  /** The episode's payload folder (read only; never modified). */
  dir: string;
}

/** How the exporter writes its own files (parquet, JSON, CSV): injectable so tests can make the disk "full". */
export interface ExportIo {
  writeFile(file: string, data: Uint8Array | string): Promise<void>;
}

export interface ExportOptions {
  /** Episodes already chosen by the caller (catalog query + filter), in export order. */
  episodes: ExportEpisodeInput[];
  request: ExportRequest;
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
  /** Default: $COACH_FFMPEG, else 'ffmpeg' from PATH. */
  ffmpegPath?: string;
  /** Reported in every ExportProgress; default 1. */
  jobId?: number;
  io?: ExportIo;
}

/** An export that could not be done, in the operator's words. Whatever it had written is already removed. */
export class ExportError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExportError';
  }
}

/** The export was cancelled through its AbortSignal; its partial output is already removed. */
export class ExportCancelledError extends Error {
  constructor(outDir: string) {
    super(`export to ${outDir} cancelled; the partial output was removed`);
    this.name = 'ExportCancelledError';
  }
}
