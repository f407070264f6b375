import { describe, expect, it } from 'vitest';
import { describeFfmpegFailure, redactUrl, type CameraInput } from '../../../../src/main/camera/ffmpegFailure';

const device: CameraInput = { kind: 'v4l2', device: '/dev/video0', frameRateHz: 30 };
const neverStarted = { code: 1, signal: null, framesDelivered: 0 };

describe('describeFfmpegFailure', () => {
  it('explains a busy V4L2 device', () => {
    const stderr = [
      '[video4linux2,v4l2 @ 0x55f0] ioctl(VIDIOC_STREAMON): Device or resource busy',
      '/dev/video0: Device or resource busy',
    ];
    expect(describeFfmpegFailure(device, stderr, neverStarted)).toMatch(
      /^camera \/dev\/video0 is busy — another program is using it/,
    );
  });

  it('explains a missing device, an unplugged one and a metadata node', () => {
    expect(describeFfmpegFailure(device, ['/dev/video0: No such file or directory'], neverStarted)).toBe(
      'camera /dev/video0 not found — is it plugged in?',
    );
    expect(
      describeFfmpegFailure(device, ['[video4linux2,v4l2 @ 0x55f0] ioctl(VIDIOC_DQBUF): No such device'], {
        code: 1,
        signal: null,
        framesDelivered: 120,
      }),
    ).toBe('camera /dev/video0 disconnected — was it unplugged?');
    expect(describeFfmpegFailure(device, ['/dev/video0: Inappropriate ioctl for device'], neverStarted)).toMatch(
      /not a video capture device/,
    );
  });

  it('explains an unreachable stream without showing its password', () => {
    const input: CameraInput = { kind: 'url', url: 'rtsp://admin:hunter2@10.0.0.7:554/stream1' };
    const stderr = [
      '[tcp @ 0x5589] Connection to tcp://10.0.0.7:554?timeout=5000000 failed: Connection refused',
      'rtsp://admin:hunter2@10.0.0.7:554/stream1: Connection refused',
    ];
    const message = describeFfmpegFailure(input, stderr, neverStarted);
    expect(message).toMatch(
      /^camera stream rtsp:\/\/admin:\*\*\*@10\.0\.0\.7:554\/stream1 unreachable: .*Connection refused/,
    );
    expect(message).not.toContain('hunter2');

    const unresolved = describeFfmpegFailure(
      { kind: 'url', url: 'http://cam.invalid/video' },
      [
        '[tcp @ 0x55cb] Failed to resolve hostname cam.invalid: Name or service not known',
        'http://cam.invalid/video: Input/output error',
      ],
      neverStarted,
    );
    expect(unresolved).toContain('unreachable: Failed to resolve hostname cam.invalid');
  });

  it('explains an unreadable file and an ended or killed stream', () => {
    const file: CameraInput = { kind: 'file', path: '/data/bench.mp4' };
    expect(
      describeFfmpegFailure(
        file,
        ['[mov,mp4 @ 0x560c] moov atom not found', '/data/bench.mp4: Invalid data found when processing input'],
        neverStarted,
      ),
    ).toBe('/data/bench.mp4 is not a video ffmpeg can read (Invalid data found when processing input)');
    expect(describeFfmpegFailure(file, [], { code: 0, signal: null, framesDelivered: 30 })).toMatch(
      /^video file \/data\/bench\.mp4 ended/,
    );
    expect(describeFfmpegFailure(device, [], { code: null, signal: 'SIGKILL', framesDelivered: 30 })).toBe(
      'camera /dev/video0 stopped delivering: ffmpeg was killed (SIGKILL)',
    );
  });

  it('redacts passwords anywhere in a line', () => {
    expect(redactUrl('open rtsp://u:p@h/s and http://x:y@z')).toBe('open rtsp://u:***@h/s and http://x:***@z');
    expect(redactUrl('http://host:8080/x')).toBe('http://host:8080/x');
  });
});
