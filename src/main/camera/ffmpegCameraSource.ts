import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import type { Readable } from 'node:stream';
import type { FrameBus } from './frameBus';
import type { CameraState } from './frameTypes';
import { describeFfmpegFailure, describeInput, type CameraInput } from './ffmpegFailure';

export type { CameraInput } from './ffmpegFailure';

export interface FfmpegCameraSourceOptions {
  /** Name the frames are published under, e.g. 'scene' or 'wrist'. */
  camera: string;
  input: CameraInput;
  /** Size of the published frames; ffmpeg scales to it. For V4L2 it is also the size asked of the device. */
  widthPx: number;
  heightPx: number;
  bus: FrameBus;
  /** No frame for this long while ffmpeg runs → 'stalled'. Default 2000. */
  stallAfterMs?: number;
  /** Default: $COACH_FFMPEG, else 'ffmpeg' from PATH. */
  ffmpegPath?: string;
}

const STDERR_TAIL_LINES = 20;
const STDERR_MAX_LINE_CHARS = 1000;
const STOP_GRACE_MS = 2000;
const URL_IO_TIMEOUT_US = 5_000_000;

/** ffmpeg's command line (without the program) for an input, emitting raw rgb24 frames of widthPx × heightPx on stdout. */
export function ffmpegArgs(input: CameraInput, widthPx: number, heightPx: number): string[] {
  const args = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'warning'];
  switch (input.kind) {
    case 'v4l2':
      args.push('-f', 'v4l2', '-video_size', `${widthPx}x${heightPx}`, '-framerate', String(input.frameRateHz));
      if (input.inputFormat) args.push('-input_format', input.inputFormat);
      args.push('-i', input.device);
      break;
    case 'url':
      args.push('-fflags', 'nobuffer');
      if (/^rtsps?:/i.test(input.url)) args.push('-rtsp_transport', 'tcp', '-timeout', String(URL_IO_TIMEOUT_US));
      else args.push('-rw_timeout', String(URL_IO_TIMEOUT_US));
      args.push('-i', input.url);
      break;
    case 'file':
      // -re paces a recording at its own frame rate, as a live camera would deliver it.
      args.push('-re');
      if (input.loop) args.push('-stream_loop', '-1');
      args.push('-i', input.path);
      break;
  }
  args.push('-an', '-sn', '-dn', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${widthPx}x${heightPx}`, 'pipe:1');
  return args;
}

/** Problems found before starting ffmpeg, in the operator's words; null when it is worth trying. */
export function checkInputBeforeStart(input: CameraInput): string | null {
  switch (input.kind) {
    case 'v4l2':
      if (!fs.existsSync(input.device)) return `camera ${input.device} not found — is it plugged in?`;
      try {
        fs.accessSync(input.device, fs.constants.R_OK | fs.constants.W_OK);
      } catch {
        return `no permission to open camera ${input.device} — add this user to the "video" group and log in again`;
      }
      return null;
    case 'file': {
      let stat;
      try {
        stat = fs.statSync(input.path);
      } catch {
        return `video file ${input.path} not found`;
      }
      if (stat.isDirectory()) return `${input.path} is a folder, not a video file`;
      try {
        fs.accessSync(input.path, fs.constants.R_OK);
      } catch {
        return `video file ${input.path} is not readable (permission denied)`;
      }
      return null;
    }
    case 'url': {
      let protocol;
      try {
        protocol = new URL(input.url).protocol;
      } catch {
        return `"${input.url}" is not a URL (expected rtsp://, http:// or https://…)`;
      }
      if (!['rtsp:', 'rtsps:', 'http:', 'https:', 'rtmp:', 'srt:', 'udp:', 'tcp:'].includes(protocol)) {
        return `${protocol}// is not a camera stream protocol (expected rtsp://, http:// or https://…)`;
      }
      return null;
    }
  }
}

/**
 * A camera read through an ffmpeg child process (V4L2 device, RTSP/HTTP stream or video file), publishing
 * rgb24 frames to the FrameBus. Failures never throw into the caller: they show as state 'failed' or
 * 'stalled' with `lastError`, both here and in the bus's stats.
 */
export class FfmpegCameraSource {
  readonly camera: string;
  private readonly frameBytes: number;
  private readonly stallAfterMs: number;
  private readonly ffmpegPath: string;
  private child: ChildProcessByStdio<null, Readable, Readable> | null = null;
  private stateValue: CameraState = 'stopped';
  private lastErrorValue: string | null = null;
  private readonly stderrLines: string[] = [];
  private stderrPartial = '';
  private pending: Uint8Array | null = null;
  private pendingFilledBytes = 0;
  private nextSeq = 0;
  private framesThisRun = 0;
  private lastFrameAtMs = 0;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private watchdog: NodeJS.Timeout | null = null;

  constructor(private readonly options: FfmpegCameraSourceOptions) {
    const { widthPx, heightPx } = options;
    if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0) {
      throw new RangeError(`camera size must be whole pixels > 0, got ${widthPx}×${heightPx}`);
    }
    this.camera = options.camera;
    this.frameBytes = widthPx * heightPx * 3;
    this.stallAfterMs = options.stallAfterMs ?? 2000;
    this.ffmpegPath = options.ffmpegPath ?? process.env.COACH_FFMPEG ?? 'ffmpeg';
  }

  get state(): CameraState {
    return this.stateValue;
  }

  get lastError(): string | null {
    return this.lastErrorValue;
  }

  /** ffmpeg's last stderr lines, for diagnostics. */
  get stderrTail(): readonly string[] {
    return this.stderrLines;
  }

  /** The running ffmpeg's process id, or null. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Starts ffmpeg (no-op while it runs). Never throws: problems end in state 'failed' with lastError. */
  start(): void {
    if (this.child) return;
    this.stopping = false;
    this.framesThisRun = 0;
    this.pending = null;
    this.pendingFilledBytes = 0;
    this.stderrLines.length = 0;
    this.stderrPartial = '';
    this.lastErrorValue = null;
    this.setState('starting', null);
    const problem = checkInputBeforeStart(this.options.input);
    if (problem) {
      this.fail(problem);
      return;
    }
    const args = ffmpegArgs(this.options.input, this.options.widthPx, this.options.heightPx);
    const child = spawn(this.ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.lastFrameAtMs = performance.now();
    let exited = () => {};
    this.exited = new Promise((resolve) => (exited = resolve));
    const forget = () => {
      if (this.child === child) this.child = null;
      this.stopWatchdog();
      exited();
    };
    child.on('close', (code, signal) => {
      this.onExit(code, signal);
      forget();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.fail(
        error.code === 'ENOENT'
          ? `ffmpeg not found ("${this.ffmpegPath}") — install ffmpeg or set COACH_FFMPEG to its path`
          : `could not start ffmpeg: ${error.message}`,
      );
      // A child that never started may not emit 'close'.
      if (child.pid === undefined) forget();
    });
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => this.onStderr(text));
    child.stdout.on('error', () => {});
    child.stderr.on('error', () => {});
    const checkEveryMs = Math.max(20, Math.min(250, this.stallAfterMs / 4));
    this.watchdog = setInterval(() => this.checkStall(), checkEveryMs);
    this.watchdog.unref();
  }

  /** Stops ffmpeg (SIGTERM, then SIGKILL after 2 s) and resolves once the child has exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopWatchdog();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killTimer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(killTimer);
    } else {
      await this.exited;
    }
    this.pending = null;
    this.setState('stopped', null);
  }

  private onData(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      // Every frame gets its own buffer: consumers may hold on to it while newer frames arrive.
      this.pending ??= new Uint8Array(this.frameBytes);
      const copied = Math.min(this.frameBytes - this.pendingFilledBytes, chunk.length - offset);
      this.pending.set(chunk.subarray(offset, offset + copied), this.pendingFilledBytes);
      this.pendingFilledBytes += copied;
      offset += copied;
      if (this.pendingFilledBytes === this.frameBytes) {
        this.publish(this.pending);
        this.pending = null;
        this.pendingFilledBytes = 0;
      }
    }
  }

  private publish(data: Uint8Array): void {
    if (this.stopping) return;
    this.framesThisRun += 1;
    this.lastFrameAtMs = performance.now();
    this.stateValue = 'live';
    this.options.bus.publish({
      camera: this.camera,
      seq: this.nextSeq++,
      capturedAtMs: Date.now(),
      widthPx: this.options.widthPx,
      heightPx: this.options.heightPx,
      format: 'rgb24',
      data,
    });
  }

  private onStderr(text: string): void {
    const parts = (this.stderrPartial + text).split(/\r?\n|\r/);
    this.stderrPartial = (parts.pop() ?? '').slice(-STDERR_MAX_LINE_CHARS);
    for (const line of parts) {
      if (!line.trim()) continue;
      this.stderrLines.push(line.slice(0, STDERR_MAX_LINE_CHARS));
      if (this.stderrLines.length > STDERR_TAIL_LINES) this.stderrLines.shift();
    }
  }

  private checkStall(): void {
    if (this.stopping || !this.child) return;
    if (this.stateValue !== 'live' && this.stateValue !== 'starting') return;
    const silentMs = performance.now() - this.lastFrameAtMs;
    if (silentMs < this.stallAfterMs) return;
    const what = describeInput(this.options.input);
    const seconds = (silentMs / 1000).toFixed(1);
    const lastLine = this.stderrLines.at(-1);
    this.setState(
      'stalled',
      `${this.framesThisRun ? `no frame from ${what} for ${seconds} s` : `no frame yet from ${what} after ${seconds} s`}` +
        `${lastLine ? ` (ffmpeg: ${lastLine})` : ''}`,
    );
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (this.stateValue === 'failed') return; // already explained (spawn error)
    if (this.stderrPartial.trim()) this.onStderr('\n');
    this.fail(
      describeFfmpegFailure(this.options.input, this.stderrLines, {
        code,
        signal,
        framesDelivered: this.framesThisRun,
      }),
    );
  }

  private fail(reason: string): void {
    this.stopWatchdog();
    this.setState('failed', reason);
  }

  private setState(state: CameraState, lastError: string | null): void {
    this.stateValue = state;
    if (lastError !== null) this.lastErrorValue = lastError;
    this.options.bus.setState(this.camera, state, lastError);
  }

  private stopWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
  }
}
