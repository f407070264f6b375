import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExportFormat, ExportProgress, ExportResult } from '../../../shared/episodes/episodeTypes';
import { describeWriteError } from './outDir';
import type { ExportIo } from './exportTypes';

export const defaultExportIo: ExportIo = { writeFile: (file, data) => fs.writeFile(file, data) };

/** Writes the export's files under its folder and keeps the list (relative paths) and total size. */
export class ExportFiles {
  readonly files: string[] = [];
  bytes = 0;

  constructor(
    readonly outDir: string,
    private readonly io: ExportIo,
  ) {}

  async write(relPath: string, data: Uint8Array | string): Promise<void> {
    const file = await this.prepare(relPath);
    try {
      await this.io.writeFile(file, data);
    } catch (err) {
      throw describeWriteError(err, file);
    }
    this.files.push(relPath);
    this.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }

  async writeJson(relPath: string, value: unknown): Promise<void> {
    await this.write(relPath, `${JSON.stringify(value, null, 4)}\n`);
  }

  async writeJsonLines(relPath: string, values: unknown[]): Promise<void> {
    await this.write(relPath, values.map((v) => `${JSON.stringify(v)}\n`).join(''));
  }

  /** Creates the file's folder; returns its absolute path (for files another program writes, e.g. ffmpeg). */
  async prepare(relPath: string): Promise<string> {
    const file = path.join(this.outDir, relPath);
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
    } catch (err) {
      throw describeWriteError(err, path.dirname(file), 'creating');
    }
    return file;
  }

  /** Records a file another program wrote. */
  async recordWritten(relPath: string): Promise<void> {
    const stat = await fs.stat(path.join(this.outDir, relPath));
    this.files.push(relPath);
    this.bytes += stat.size;
  }
}

const PROGRESS_INTERVAL_MS = 100;

/** Turns the exporter's counters into ExportProgress events, at most every 100 ms except on phase changes. */
export class ExportProgressReporter {
  phase: ExportProgress['phase'] = 'preparing';
  episodesTotal = 0;
  episodesDone = 0;
  framesEncoded = 0;
  /** Frames to encode, all cameras together. */
  framesTotal = 0;
  private lastEmitMs = 0;

  constructor(
    private readonly base: { jobId: number; format: ExportFormat; outDir: string },
    private readonly onProgress?: (p: ExportProgress) => void,
  ) {}

  setPhase(phase: ExportProgress['phase'], message: string | null = null, result: ExportResult | null = null): void {
    this.phase = phase;
    this.emit(message, result);
  }

  episodeDone(): void {
    this.episodesDone++;
    this.emitThrottled();
  }

  frameEncoded(): void {
    this.framesEncoded++;
    this.emitThrottled();
  }

  fraction(): number {
    switch (this.phase) {
      case 'preparing':
        return 0;
      case 'finishing':
        return 0.97;
      case 'done':
        return 1;
      default: {
        const total = this.framesTotal + this.episodesTotal;
        const done = this.framesEncoded + this.episodesDone;
        return total > 0 ? Math.min(0.95, 0.02 + (0.93 * done) / total) : 0.02;
      }
    }
  }

  private emitThrottled(): void {
    if (Date.now() - this.lastEmitMs >= PROGRESS_INTERVAL_MS) this.emit(null, null);
  }

  private emit(message: string | null, result: ExportResult | null): void {
    this.lastEmitMs = Date.now();
    this.onProgress?.({
      ...this.base,
      phase: this.phase,
      episodesDone: this.episodesDone,
      episodesTotal: this.episodesTotal,
      framesEncoded: this.framesEncoded,
      fraction: this.fraction(),
      message,
      result,
    });
  }
}
