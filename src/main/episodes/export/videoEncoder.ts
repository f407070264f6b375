import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { ExportError } from './exportTypes';

export type VideoCodec = 'h264' | 'av1';

export interface VideoCodecSupport {
  /** ffmpeg could be run at all. */
  ffmpeg: boolean;
  h264: boolean;
  av1: boolean;
  /** The AV1 encoder used: libsvtav1 preferred, else libaom-av1. */
  av1Encoder: 'libsvtav1' | 'libaom-av1' | null;
}

export const defaultFfmpegPath = () => process.env.COACH_FFMPEG ?? 'ffmpeg';

/** What this ffmpeg can encode, from `ffmpeg -hide_banner -encoders`. */
export async function videoCodecs(ffmpegPath = defaultFfmpegPath()): Promise<VideoCodecSupport> {
  const listing = await new Promise<string | null>((resolve) => {
    execFile(ffmpegPath, ['-hide_banner', '-encoders'], { maxBuffer: 4 * 1024 * 1024 }, (err, stdout) =>
      resolve(err ? null : stdout),
    );
  });
  if (listing === null) return { ffmpeg: false, h264: false, av1: false, av1Encoder: null };
  const has = (name: string) => new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(listing);
  const av1Encoder = has('libsvtav1') ? 'libsvtav1' : has('libaom-av1') ? 'libaom-av1' : null;
  return { ffmpeg: true, h264: has('libx264'), av1: av1Encoder !== null, av1Encoder };
}

/** At most this many ffmpeg processes encode at once (the exporter's whole budget of cores). */
const MAX_ENCODERS = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function acquireEncoder(): Promise<() => void> {
  if (running >= MAX_ENCODERS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  return () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

export interface EncodeVideoOptions {
  ffmpegPath: string;
  outFile: string;
  fps: number;
  /** Output size; even numbers (yuv420p needs them). */
  widthPx: number;
  heightPx: number;
  codec: VideoCodec;
  av1Encoder?: 'libsvtav1' | 'libaom-av1' | null;
  /** The JPEGs, one per output frame, in order. */
  frames: AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
  onFrame?: () => void;
}

export function encoderArgs(codec: VideoCodec, av1Encoder: 'libsvtav1' | 'libaom-av1' | null | undefined): string[] {
  if (codec === 'h264') return ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', '-g', '2'];
  if (av1Encoder === 'libaom-av1') {
    return ['-c:v', 'libaom-av1', '-crf', '30', '-b:v', '0', '-g', '2', '-cpu-used', '8', '-row-mt', '1'];
  }
  return ['-c:v', 'libsvtav1', '-crf', '30', '-g', '2', '-preset', '10'];
}

/** Encodes piped JPEGs to an mp4 at a constant fps: one output frame per JPEG. Resolves with the frame count. */
export async function encodeVideo(options: EncodeVideoOptions): Promise<number> {
  const { signal } = options;
  signal?.throwIfAborted();
  const release = await acquireEncoder();
  try {
    signal?.throwIfAborted();
    return await runEncoder(options);
  } finally {
    release();
  }
}

async function runEncoder(o: EncodeVideoOptions): Promise<number> {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-loglevel',
    'error',
    '-f',
    'image2pipe',
    '-framerate',
    String(o.fps),
    '-c:v',
    'mjpeg',
    '-i',
    'pipe:0',
    '-an',
    '-vf',
    `scale=${o.widthPx}:${o.heightPx},format=yuv420p`,
    ...encoderArgs(o.codec, o.av1Encoder),
    '-pix_fmt',
    'yuv420p',
    '-movflags',
    '+faststart',
    '-y',
    o.outFile,
  ];
  const child = spawn(o.ffmpegPath, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  const exited = new Promise<{ code: number | null; spawnError: Error | null }>((resolve) => {
    child.once('error', (err) => resolve({ code: null, spawnError: err }));
    child.once('close', (code) => resolve({ code, spawnError: null }));
  });
  const kill = () => child.kill('SIGKILL');
  o.signal?.addEventListener('abort', kill, { once: true });
  // EPIPE when ffmpeg dies early: the exit code and stderr below say why.
  child.stdin.on('error', () => undefined);
  let count = 0;
  try {
    for await (const jpeg of o.frames) {
      if (o.signal?.aborted || child.exitCode !== null || child.stdin.destroyed) break;
      if (!child.stdin.write(jpeg)) {
        await Promise.race([once(child.stdin, 'drain'), exited]);
      }
      count++;
      o.onFrame?.();
    }
  } catch (err) {
    kill();
    await exited;
    throw err;
  } finally {
    child.stdin.end();
    o.signal?.removeEventListener('abort', kill);
  }
  const { code, spawnError } = await exited;
  o.signal?.throwIfAborted();
  if (spawnError) {
    throw new ExportError(
      `cannot run ffmpeg (${o.ffmpegPath}): ${spawnError.message}. Install ffmpeg or set COACH_FFMPEG to its path`,
      { cause: spawnError },
    );
  }
  if (code !== 0) {
    if (/No space left on device/i.test(stderr)) {
      throw new ExportError(`the disk is full while writing ${o.outFile}: free space or choose another folder`);
    }
    throw new ExportError(
      `ffmpeg failed (exit ${code}) encoding ${o.outFile}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`,
    );
  }
  return count;
}

/** The camera's recorded size made even (yuv420p needs even width and height). */
export function evenSize(px: number): number {
  return Math.max(2, px - (px % 2));
}
