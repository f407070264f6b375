import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CameraDevice } from '../../../src/main/camera/cameraDiscovery';
import { runCamerasCommand } from '../../../src/main/cli/commands/camerasCommand';
import { runCli } from '../../../src/main/cli/runCli';
import { captureOutput } from '../../helpers/captureOutput';

afterEach(() => vi.restoreAllMocks());

const C920: CameraDevice = {
  path: '/dev/video0',
  name: 'HD Pro Webcam C920',
  problem: null,
  modes: [
    {
      compressed: true,
      pixelFormat: 'mjpeg',
      description: 'Motion-JPEG',
      emulated: false,
      sizes: [
        { widthPx: 640, heightPx: 480 },
        { widthPx: 1920, heightPx: 1080 },
      ],
      sizeRanges: [],
    },
  ],
};

describe('coach cameras', () => {
  it('lists this machine’s cameras, or says there are none', async () => {
    const io = captureOutput();
    expect(await runCli(['cameras'])).toBe(0);
    const lines = io.out().trim().split('\n');
    if (lines[0]!.startsWith('no cameras found')) expect(lines).toHaveLength(1);
    else expect(lines[0]).toMatch(/^\/dev\/video\d+ {2}/);
  });

  it('prints devices with their modes and problems, as text or JSON', async () => {
    const metadataNode: CameraDevice = {
      path: '/dev/video1',
      name: 'HD Pro Webcam C920',
      problem: 'not a video capture device (often the metadata node of a camera listed next to it)',
      modes: [],
    };
    const io = captureOutput();
    expect(await runCamerasCommand([], async () => [C920, metadataNode])).toBe(0);
    expect(io.out()).toBe(
      [
        '/dev/video0  HD Pro Webcam C920',
        '    mjpeg (compressed, Motion-JPEG): 640x480 1920x1080',
        '/dev/video1  HD Pro Webcam C920',
        '    not a video capture device (often the metadata node of a camera listed next to it)',
        '',
      ].join('\n'),
    );
    expect(await runCamerasCommand(['--json'], async () => [C920])).toBe(0);
    expect(JSON.parse(io.out().slice(io.out().indexOf('['))) as unknown).toEqual([C920]);
  });

  it('says "no cameras found" when there are none, and rejects unknown options', async () => {
    const io = captureOutput();
    expect(await runCamerasCommand([], async () => [])).toBe(0);
    expect(io.out()).toMatch(/^no cameras found/);
    expect(await runCamerasCommand(['--bogus'], async () => [])).toBe(2);
    expect(io.err()).toMatch(/coach cameras: Unknown option '--bogus'/);
  });
});
