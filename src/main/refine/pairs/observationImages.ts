import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import type { CameraImages } from '../../evaluation/simAttempt';
import type { EpisodeObservation } from './episodeObservations';
import { frameRgb } from './frameRgb';

/**
 * What each of the model's cameras saw at an observation, by camera name: the recorded frame decoded and
 * stretched to the camera's size (frameRgb). The first camera is the policy camera (the observation's
 * frame); the others are the observation's moreFrames.
 */
export async function observationImages(
  observation: Pick<EpisodeObservation, 'frameFile' | 'moreFrames'>,
  cameras: readonly PolicyCameraSize[],
): Promise<CameraImages> {
  const entries = await Promise.all(
    cameras.map(async (camera, i) => {
      const file = i === 0 ? observation.frameFile : observation.moreFrames[camera.name]?.frameFile;
      if (!file) throw new Error(`the observation has no frame of camera "${camera.name}"`);
      return [camera.name, await frameRgb(file, camera.widthPx, camera.heightPx)] as const;
    }),
  );
  return Object.fromEntries(entries);
}
