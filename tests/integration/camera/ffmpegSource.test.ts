import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FfmpegCameraSource, type CameraInput } from '../../../src/main/camera/ffmpegCameraSource';
import { FrameBus } from '../../../src/main/camera/frameBus';
import type { CameraFrame } from '../../../src/main/camera/frameTypes';

const WIDTH_PX = 320;
const HEIGHT_PX = 240;
const RATE_HZ = 15;

let dir = '';
let clipPath = '';
const sources: FfmpegCameraSource[] = [];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-ffmpeg-source-'));
  clipPath = path.join(dir, 'testsrc.mp4');
  execFileSync(process.env.COACH_FFMPEG ?? 'ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=duration=2:size=${WIDTH_PX}x${HEIGHT_PX}:rate=${RATE_HZ}`,
    '-c:v',
    'mpeg4',
    '-q:v',
    '4',
    '-pix_fmt',
    'yuv420p',
    clipPath,
  ]);
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function makeSource(input: CameraInput, extra: { stallAfterMs?: number; ffmpegPath?: string } = {}) {
  const bus = new FrameBus();
  const source = new FfmpegCameraSource({
    camera: 'bench',
    input,
    widthPx: WIDTH_PX,
    heightPx: HEIGHT_PX,
    bus,
    ...extra,
  });
  sources.push(source);
  return { bus, source };
}

async function waitFor(what: string, predicate: () => boolean, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

describe('FfmpegCameraSource on a replayed video file', () => {
  it('publishes rgb24 frames of the right size at the file rate, in order, with real pictures', async () => {
    const { bus, source } = makeSource({ kind: 'file', path: clipPath, loop: true });
    const frames: CameraFrame[] = [];
    bus.subscribe('bench', 'test', (frame, done) => {
      frames.push(frame);
      done();
    });
    source.start();
    expect(source.state).toBe('starting');
    await waitFor('live frames', () => source.state === 'live');
    const liveAtMs = Date.now();
    await waitFor('1.6 s of frames', () => Date.now() - liveAtMs >= 1600);
    const stats = bus.cameraStats('bench')!;

    expect(stats.state).toBe('live');
    expect(stats.fps).toBeGreaterThanOrEqual(RATE_HZ - 3);
    expect(stats.fps).toBeLessThanOrEqual(RATE_HZ + 3);
    expect(stats.lastFrameAgeMs).toBeLessThan(500);
    expect(stats.framesPublished).toBe(frames.length);
    expect(frames.length).toBeGreaterThanOrEqual(20);
    for (const frame of frames) {
      expect(frame).toMatchObject({ camera: 'bench', widthPx: WIDTH_PX, heightPx: HEIGHT_PX, format: 'rgb24' });
      expect(frame.data.byteLength).toBe(WIDTH_PX * HEIGHT_PX * 3);
    }
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => frames[0]!.seq + i));
    for (let i = 1; i < frames.length; i += 1) {
      expect(frames[i]!.capturedAtMs).toBeGreaterThanOrEqual(frames[i - 1]!.capturedAtMs);
    }
    // testsrc draws colour bars, a gradient and a moving counter: many values, and frames differ.
    const first = frames[0]!.data;
    expect(new Set(first).size).toBeGreaterThan(50);
    expect(Buffer.compare(first, frames[RATE_HZ]!.data)).not.toBe(0);
    expect(bus.latest('bench')).toBe(frames.at(-1));

    const pid = source.pid!;
    await source.stop();
    expect(source.state).toBe('stopped');
    expect(source.pid).toBeNull();
    expect(processIsGone(pid)).toBe(true);
    expect(bus.cameraStats('bench')!.state).toBe('stopped');
  });

  it('reports the end of a recording that is not looped as a failure with the reason', async () => {
    const { bus, source } = makeSource({ kind: 'file', path: clipPath });
    source.start();
    await waitFor('the clip to end', () => source.state === 'failed');
    expect(source.lastError).toBe(`video file ${clipPath} ended (replay it with loop on to keep it going)`);
    expect(bus.cameraStats('bench')!.framesPublished).toBeGreaterThanOrEqual(2 * RATE_HZ - 2);
  });

  it('goes stalled when ffmpeg stops delivering, and live again when it resumes', async () => {
    const { bus, source } = makeSource({ kind: 'file', path: clipPath, loop: true }, { stallAfterMs: 400 });
    source.start();
    await waitFor('live frames', () => source.state === 'live');
    const pid = source.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await waitFor('the stall', () => source.state === 'stalled');
      expect(source.lastError).toMatch(new RegExp(`^no frame from video file .*testsrc\\.mp4 for 0\\.[4-9] s`));
      expect(bus.cameraStats('bench')).toMatchObject({ state: 'stalled', lastError: source.lastError });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor('frames again', () => source.state === 'live');
    expect(bus.cameraStats('bench')!.state).toBe('live');
  });

  it('reports a camera process killed mid-run as failed with the reason, without throwing', async () => {
    const { bus, source } = makeSource({ kind: 'file', path: clipPath, loop: true });
    source.start();
    await waitFor('live frames', () => source.state === 'live');
    const pid = source.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the failure', () => source.state === 'failed');
    expect(source.lastError).toBe(`video file ${clipPath} stopped delivering: ffmpeg was killed (SIGKILL)`);
    expect(bus.cameraStats('bench')).toMatchObject({ state: 'failed', lastError: source.lastError });
    expect(source.pid).toBeNull();
    expect(processIsGone(pid)).toBe(true);
    await source.stop();
    expect(source.state).toBe('stopped');
  });
});

describe('FfmpegCameraSource errors in the operator’s words', () => {
  it('reports a missing file', () => {
    const missing = path.join(dir, 'nope.mp4');
    const { bus, source } = makeSource({ kind: 'file', path: missing });
    source.start();
    expect(source.state).toBe('failed');
    expect(source.lastError).toBe(`video file ${missing} not found`);
    expect(bus.cameraStats('bench')).toMatchObject({ state: 'failed', lastError: `video file ${missing} not found` });
    expect(source.pid).toBeNull();
  });

  it('reports a file ffmpeg cannot read', async () => {
    const garbage = path.join(dir, 'garbage.mp4');
    fs.writeFileSync(garbage, Buffer.alloc(4096, 7));
    const { source } = makeSource({ kind: 'file', path: garbage });
    source.start();
    await waitFor('the failure', () => source.state === 'failed');
    expect(source.lastError).toMatch(new RegExp(`^${garbage} is not a video ffmpeg can read`));
    expect(source.stderrTail.join('\n')).toMatch(/Invalid data found/);
  });

  it('reports a missing camera device', () => {
    const { source } = makeSource({ kind: 'v4l2', device: '/dev/video93', frameRateHz: 30 });
    source.start();
    expect(source.state).toBe('failed');
    expect(source.lastError).toBe('camera /dev/video93 not found — is it plugged in?');
  });

  it('reports an unreachable stream URL', async () => {
    const { source } = makeSource({ kind: 'url', url: 'http://127.0.0.1:1/video' });
    source.start();
    await waitFor('the failure', () => source.state === 'failed');
    expect(source.lastError).toMatch(/^camera stream http:\/\/127\.0\.0\.1:1\/video unreachable: .*Connection refused/);
  });

  it('reports a bad URL and a missing ffmpeg', async () => {
    const bad = makeSource({ kind: 'url', url: 'ftp://camera/stream' }).source;
    bad.start();
    expect(bad.lastError).toMatch(/ftp:\/\/ is not a camera stream protocol/);

    const noFfmpeg = makeSource({ kind: 'file', path: clipPath }, { ffmpegPath: path.join(dir, 'no-ffmpeg') }).source;
    noFfmpeg.start();
    await waitFor('the failure', () => noFfmpeg.state === 'failed');
    expect(noFfmpeg.lastError).toMatch(/^ffmpeg not found .* — install ffmpeg or set COACH_FFMPEG/);
    await noFfmpeg.stop();
    expect(noFfmpeg.state).toBe('stopped');
  });
});
