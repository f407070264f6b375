import { parseArgs } from 'node:util';
import { listCameras, type CameraDevice, type CameraMode } from '../../camera/cameraDiscovery';

export const CAMERAS_USAGE = `Usage: coach cameras [--json]

  Lists the V4L2 cameras (/dev/video*) with their names, pixel formats and frame sizes.
  --json      print machine-readable JSON
`;

function formatMode(mode: CameraMode): string {
  const sizes = [
    ...mode.sizes.map((s) => `${s.widthPx}x${s.heightPx}`),
    ...mode.sizeRanges.map(
      (r) => `${r.minWidthPx}-${r.maxWidthPx}/${r.stepWidthPx} x ${r.minHeightPx}-${r.maxHeightPx}/${r.stepHeightPx}`,
    ),
  ];
  const kind = mode.compressed ? 'compressed' : 'raw';
  const emulated = mode.emulated ? ', emulated' : '';
  return `    ${mode.pixelFormat} (${kind}${emulated}, ${mode.description}): ${sizes.join(' ') || 'sizes not listed'}`;
}

export function formatCameraList(cameras: readonly CameraDevice[]): string[] {
  if (cameras.length === 0) return ['no cameras found (no /dev/video* devices — is a camera plugged in?)'];
  const lines: string[] = [];
  for (const camera of cameras) {
    lines.push(`${camera.path}  ${camera.name}`);
    if (camera.problem) lines.push(`    ${camera.problem}`);
    for (const mode of camera.modes) lines.push(formatMode(mode));
  }
  return lines;
}

/** `coach cameras`: list the cameras on this machine. */
export async function runCamerasCommand(
  argv: string[],
  list: () => Promise<CameraDevice[]> = () => listCameras(),
): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    }));
  } catch (error) {
    process.stderr.write(`coach cameras: ${(error as Error).message}\n\n${CAMERAS_USAGE}`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(CAMERAS_USAGE);
    return 0;
  }
  try {
    const cameras = await list();
    const text = values.json ? JSON.stringify(cameras, null, 2) : formatCameraList(cameras).join('\n');
    process.stdout.write(`${text}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`coach cameras: ${(error as Error).message}\n`);
    return 1;
  }
}
