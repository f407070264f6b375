import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { listCameras, parseV4l2FormatList } from '../../../../src/main/camera/cameraDiscovery';

// What ffmpeg 5.1 prints for a Logitech C920 (`ffmpeg -hide_banner -f v4l2 -list_formats all -i /dev/video0`).
const C920_STDERR = `[video4linux2,v4l2 @ 0x55d3c1a4e4c0] Raw       :     yuyv422 :           YUYV 4:2:2 : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080 2304x1296 2304x1536
[video4linux2,v4l2 @ 0x55d3c1a4e4c0] Compressed:        h264 :                H.264 : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080
[video4linux2,v4l2 @ 0x55d3c1a4e4c0] Compressed:       mjpeg :          Motion-JPEG : 640x480 160x90 160x120 176x144 320x180 320x240 352x288 432x240 640x360 800x448 800x600 864x480 960x720 1024x576 1280x720 1600x896 1920x1080
/dev/video0: Immediate exit requested
`;

// A stepwise driver (e.g. v4l2loopback or a CSI bridge) and a libv4l-emulated format.
const STEPWISE_STDERR = `[video4linux2,v4l2 @ 0x5612a4c0f900] Raw       :     yuv420p :     Planar YUV 4:2:0 : {32-4096, 2}x{32-2304, 2}
[video4linux2,v4l2 @ 0x5612a4c0f900] Raw       :       bgr24 :     BGR3 : Emulated : 1280x720 640x480
[video4linux2,v4l2 @ 0x5612a4c0f900] Raw       : Unsupported :          Y10B : 640x400
/dev/video2: Immediate exit requested
`;

const METADATA_NODE_STDERR = `[video4linux2,v4l2 @ 0x560c7a1d8900] ioctl(VIDIOC_G_FMT): Inappropriate ioctl for device
/dev/video1: Inappropriate ioctl for device
`;

describe('parseV4l2FormatList', () => {
  it('reads raw and compressed formats with their discrete sizes (descriptions may contain colons)', () => {
    const modes = parseV4l2FormatList(C920_STDERR);
    expect(modes.map((m) => [m.pixelFormat, m.compressed, m.description])).toEqual([
      ['yuyv422', false, 'YUYV 4:2:2'],
      ['h264', true, 'H.264'],
      ['mjpeg', true, 'Motion-JPEG'],
    ]);
    expect(modes[0]!.sizes).toHaveLength(19);
    expect(modes[0]!.sizes[0]).toEqual({ widthPx: 640, heightPx: 480 });
    expect(modes[0]!.sizes.at(-1)).toEqual({ widthPx: 2304, heightPx: 1536 });
    expect(modes[2]!.sizes).toContainEqual({ widthPx: 1920, heightPx: 1080 });
    expect(modes.every((m) => !m.emulated && m.sizeRanges.length === 0)).toBe(true);
  });

  it('reads stepwise ranges, emulated and unsupported formats', () => {
    const [yuv, bgr, y10] = parseV4l2FormatList(STEPWISE_STDERR);
    expect(yuv).toMatchObject({ pixelFormat: 'yuv420p', description: 'Planar YUV 4:2:0', sizes: [] });
    expect(yuv!.sizeRanges).toEqual([
      { minWidthPx: 32, maxWidthPx: 4096, stepWidthPx: 2, minHeightPx: 32, maxHeightPx: 2304, stepHeightPx: 2 },
    ]);
    expect(bgr).toMatchObject({ pixelFormat: 'bgr24', description: 'BGR3', emulated: true });
    expect(bgr!.sizes).toEqual([
      { widthPx: 1280, heightPx: 720 },
      { widthPx: 640, heightPx: 480 },
    ]);
    expect(y10).toMatchObject({ pixelFormat: 'Unsupported', description: 'Y10B' });
  });

  it('finds nothing in an error or an empty listing', () => {
    expect(parseV4l2FormatList(METADATA_NODE_STDERR)).toEqual([]);
    expect(parseV4l2FormatList('')).toEqual([]);
  });
});

describe('listCameras', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  function tempDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cameras-'));
    dirs.push(dir);
    return dir;
  }

  it('returns [] without error when there are no video devices', async () => {
    const devDir = tempDir();
    fs.writeFileSync(path.join(devDir, 'ttyACM0'), '');
    await expect(listCameras({ devDir })).resolves.toEqual([]);
    await expect(listCameras({ devDir: path.join(devDir, 'missing') })).resolves.toEqual([]);
  });

  it('names each node from sysfs and lists its modes, explaining nodes without any', async () => {
    const root = tempDir();
    const devDir = path.join(root, 'dev');
    const sysDir = path.join(root, 'sys');
    fs.mkdirSync(devDir);
    for (const node of ['video10', 'video0', 'video1']) {
      fs.writeFileSync(path.join(devDir, node), '');
      fs.mkdirSync(path.join(sysDir, node), { recursive: true });
    }
    fs.writeFileSync(path.join(sysDir, 'video0', 'name'), 'HD Pro Webcam C920\n');
    fs.writeFileSync(path.join(sysDir, 'video1', 'name'), 'HD Pro Webcam C920\n');
    fs.writeFileSync(path.join(root, 'c920.txt'), C920_STDERR);
    fs.writeFileSync(path.join(root, 'meta.txt'), METADATA_NODE_STDERR);
    // A stand-in ffmpeg that prints the captured listings for the device it is asked about.
    const fakeFfmpeg = path.join(root, 'ffmpeg');
    fs.writeFileSync(
      fakeFfmpeg,
      `#!/bin/sh\nfor last; do :; done\ncase "$last" in\n  */video0) cat "${root}/c920.txt" >&2 ;;\n  */video1) cat "${root}/meta.txt" >&2 ;;\n  *) exec sleep 5 ;;\nesac\nexit 1\n`,
      { mode: 0o755 },
    );

    const cameras = await listCameras({ devDir, sysDir, ffmpegPath: fakeFfmpeg, timeoutMs: 500 });
    expect(cameras.map((c) => [c.path, c.name])).toEqual([
      [path.join(devDir, 'video0'), 'HD Pro Webcam C920'],
      [path.join(devDir, 'video1'), 'HD Pro Webcam C920'],
      [path.join(devDir, 'video10'), 'unnamed camera'],
    ]);
    expect(cameras[0]!.modes.map((m) => m.pixelFormat)).toEqual(['yuyv422', 'h264', 'mjpeg']);
    expect(cameras[0]!.problem).toBeNull();
    expect(cameras[1]!.problem).toMatch(/not a video capture device/);
    expect(cameras[2]!.problem).toMatch(/took longer than 500 ms/);
  });

  it('says so when ffmpeg is missing', async () => {
    const devDir = tempDir();
    fs.writeFileSync(path.join(devDir, 'video0'), '');
    const [camera] = await listCameras({ devDir, ffmpegPath: path.join(devDir, 'no-ffmpeg') });
    expect(camera!.problem).toMatch(/ffmpeg not found/);
  });
});
