import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface CameraFrameSize {
  widthPx: number;
  heightPx: number;
}

/** A stepwise size range ("{32-4096, 2}x{32-2304, 2}" in ffmpeg's listing). */
export interface CameraFrameSizeRange {
  minWidthPx: number;
  maxWidthPx: number;
  stepWidthPx: number;
  minHeightPx: number;
  maxHeightPx: number;
  stepHeightPx: number;
}

/** One pixel format a V4L2 device offers, with its frame sizes. ffmpeg does not list frame rates. */
export interface CameraMode {
  compressed: boolean;
  /** ffmpeg's name for it, usable as input_format: 'yuyv422', 'mjpeg', 'h264', or 'Unsupported'. */
  pixelFormat: string;
  /** The driver's description, e.g. 'YUYV 4:2:2' or 'Motion-JPEG'. */
  description: string;
  /** Converted by libv4l in software rather than produced by the camera. */
  emulated: boolean;
  sizes: CameraFrameSize[];
  sizeRanges: CameraFrameSizeRange[];
}

export interface CameraDevice {
  /** e.g. /dev/video0 */
  path: string;
  /** From /sys/class/video4linux/videoN/name, e.g. 'HD Pro Webcam C920'. */
  name: string;
  modes: CameraMode[];
  /** Why no modes were found (metadata node, ffmpeg missing, timeout), else null. */
  problem: string | null;
}

export interface ListCamerasOptions {
  devDir?: string;
  sysDir?: string;
  ffmpegPath?: string;
  /** Per device. Default 3000. */
  timeoutMs?: number;
}

const MODE_LINE =
  /^(?:\[[^\]]*\]\s*)?(Raw|Compressed)\s*:\s*(\S+)\s*:\s*(.*?)\s*:(\s*Emulated\s*:)?((?:\s+(?:\d+x\d+|\{[^}]*\}x\{[^}]*\}))*)\s*$/;
const STEPWISE = /^\{(\d+)-(\d+),\s*(\d+)\}x\{(\d+)-(\d+),\s*(\d+)\}$/;

/** Parses the stderr of `ffmpeg -hide_banner -f v4l2 -list_formats all -i /dev/videoN`. */
export function parseV4l2FormatList(stderr: string): CameraMode[] {
  const modes: CameraMode[] = [];
  for (const line of stderr.split(/\r?\n/)) {
    const match = MODE_LINE.exec(line.trim());
    if (!match) continue;
    const [, kind, pixelFormat, description, emulated, sizeText] = match;
    const mode: CameraMode = {
      compressed: kind === 'Compressed',
      pixelFormat: pixelFormat!,
      description: description!,
      emulated: emulated !== undefined,
      sizes: [],
      sizeRanges: [],
    };
    // Stepwise tokens contain a space ("{32-4096, 2}"), so tokens are matched, not split.
    for (const token of sizeText!.match(/\d+x\d+|\{[^}]*\}x\{[^}]*\}/g) ?? []) {
      const step = STEPWISE.exec(token);
      if (step) {
        const [minW, maxW, stepW, minH, maxH, stepH] = step.slice(1).map(Number) as [
          number,
          number,
          number,
          number,
          number,
          number,
        ];
        mode.sizeRanges.push({
          minWidthPx: minW,
          maxWidthPx: maxW,
          stepWidthPx: stepW,
          minHeightPx: minH,
          maxHeightPx: maxH,
          stepHeightPx: stepH,
        });
      } else {
        const [widthPx, heightPx] = token.split('x').map(Number) as [number, number];
        mode.sizes.push({ widthPx, heightPx });
      }
    }
    modes.push(mode);
  }
  return modes;
}

function runFormatListing(
  ffmpegPath: string,
  device: string,
  timeoutMs: number,
): Promise<{ stderr: string; problem: string | null }> {
  const args = ['-hide_banner', '-nostdin', '-f', 'v4l2', '-list_formats', 'all', '-i', device];
  return new Promise((resolve) => {
    // ffmpeg exits with 1 after listing ("Immediate exit requested"), so the exit code says nothing.
    execFile(ffmpegPath, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
      const err = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      if (err?.code === 'ENOENT') {
        resolve({ stderr, problem: `ffmpeg not found ("${ffmpegPath}") — install ffmpeg or set COACH_FFMPEG` });
      } else if (err?.killed) {
        resolve({ stderr, problem: `ffmpeg took longer than ${timeoutMs} ms to list its formats` });
      } else {
        resolve({ stderr, problem: null });
      }
    });
  });
}

/** Why a device listed no modes, from ffmpeg's stderr. */
function noModesReason(stderr: string): string {
  if (/Inappropriate ioctl|Not a video capture device/i.test(stderr)) {
    return 'not a video capture device (often the metadata node of a camera listed next to it)';
  }
  if (/Permission denied/i.test(stderr)) return 'permission denied — add this user to the "video" group';
  const lastLine = stderr
    .split(/\r?\n/)
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim())
    .filter((l) => l && !/Immediate exit requested/.test(l))
    .at(-1);
  return lastLine ? `no video formats listed (${lastLine})` : 'no video formats listed';
}

/** The V4L2 cameras on this machine with their modes; [] when there are none. Never rejects for missing devices. */
export async function listCameras(options: ListCamerasOptions = {}): Promise<CameraDevice[]> {
  const devDir = options.devDir ?? '/dev';
  const sysDir = options.sysDir ?? '/sys/class/video4linux';
  const ffmpegPath = options.ffmpegPath ?? process.env.COACH_FFMPEG ?? 'ffmpeg';
  const timeoutMs = options.timeoutMs ?? 3000;
  let entries: string[];
  try {
    entries = await fs.readdir(devDir);
  } catch {
    return [];
  }
  const nodes = entries
    .filter((entry) => /^video\d+$/.test(entry))
    .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
  return Promise.all(
    nodes.map(async (node): Promise<CameraDevice> => {
      const devicePath = path.join(devDir, node);
      const name = await fs
        .readFile(path.join(sysDir, node, 'name'), 'utf8')
        .then((text) => text.trim() || 'unnamed camera')
        .catch(() => 'unnamed camera');
      const { stderr, problem } = await runFormatListing(ffmpegPath, devicePath, timeoutMs);
      const modes = parseV4l2FormatList(stderr);
      return { path: devicePath, name, modes, problem: problem ?? (modes.length ? null : noModesReason(stderr)) };
    }),
  );
}
