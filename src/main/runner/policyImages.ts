import { CoachError } from '../../shared/contract/errors';
import type { PolicyInfo } from '../../shared/policy/policyTypes';
import { SIM_CAMERA_NAMES } from '../camera/cameraService';
import type { CameraFrame } from '../camera/frameTypes';
import type { RawImage } from '../policy/imagePreprocess';
import type { RunnerCameras } from './runnerPorts';

type PolicyCamera = PolicyInfo['cameras'][number];

/** How long a stale picture may take to be replaced by a fresh one before the camera's error ends the attempt. */
export const FRESH_FRAME_GRACE_MS = 1000;

/** Sim cameras deliver a copy at the policy's size: then no decoding or resizing on the way. */
function imageAtPolicySize(frame: CameraFrame, camera: PolicyCamera): RawImage {
  const rgb = frame.policyRgb;
  return rgb?.widthPx === camera.widthPx && rgb.heightPx === camera.heightPx
    ? { format: 'rgb24', ...rgb }
    : { format: frame.format, widthPx: frame.widthPx, heightPx: frame.heightPx, data: frame.data };
}

function otherCameraFrame(cameras: RunnerCameras, camera: string): CameraFrame {
  try {
    return cameras.cameraFrame(camera);
  } catch (error) {
    if ((error as CoachError).code !== 'unknown_camera') throw error;
    const simHint = (SIM_CAMERA_NAMES as readonly string[]).includes(camera) ? ' (the simulated bench has one)' : '';
    throw new CoachError(
      'no_camera',
      `the policy takes a "${camera}" camera and the console has none; add a camera named "${camera}"${simHint}`,
    );
  }
}

/**
 * The newest picture for each camera the policy takes, by its name: the first from the operator's policy camera
 * (whatever its name), every other from the console camera of the same name. Throws the CoachError of the first
 * camera that is missing, has no picture yet, or only a stale one.
 */
export function policyImages(cameras: RunnerCameras, policyCameras: readonly PolicyCamera[]): Record<string, RawImage> {
  const images: Record<string, RawImage> = {};
  policyCameras.forEach((camera, i) => {
    const frame = i === 0 ? cameras.policyFrame().frame : otherCameraFrame(cameras, camera.name);
    images[camera.name] = imageAtPolicySize(frame, camera);
  });
  return images;
}

/** A camera that has not delivered yet (just started) or only a stale picture may catch up within the grace. */
const WAITED_FOR = new Set(['stale_frame', 'no_frame']);

/**
 * policyImages, giving a camera with no picture yet or a stale one (a busy machine, a camera starting or
 * catching up) FRESH_FRAME_GRACE_MS to deliver a fresh one before its camera's error is thrown.
 */
export async function freshPolicyImages(
  cameras: RunnerCameras,
  policyCameras: readonly PolicyCamera[],
): Promise<Record<string, RawImage>> {
  const until = Date.now() + FRESH_FRAME_GRACE_MS;
  for (;;) {
    try {
      return policyImages(cameras, policyCameras);
    } catch (error) {
      if (!WAITED_FOR.has((error as CoachError).code) || Date.now() >= until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
