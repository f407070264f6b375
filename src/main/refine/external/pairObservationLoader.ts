import type { PreferencePair } from '../../../shared/refine/pairTypes';
import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import { frameRgb } from '../pairs/frameRgb';
import { pairCameraFrames, pairFrameFile } from '../pairs/pairCameraFrames';
import type { ObservationImage, ObservationLoader } from './exportPairsDataset';

async function decoded(file: string, camera: PolicyCameraSize): Promise<ObservationImage> {
  const { widthPx, heightPx } = camera;
  return { rgb: await frameRgb(file, widthPx, heightPx), widthPx, heightPx };
}

/**
 * The pictures the export writes for each pair, at the model's camera sizes: the pair's frame of the policy
 * camera, and each other camera's frame at the same step (pairCameraFrames: found up front, so an episode
 * that did not record one of the model's cameras is refused before anything is written).
 */
export async function pairObservationLoader(
  episodesRoot: string,
  pairs: readonly PreferencePair[],
  cameras: readonly PolicyCameraSize[],
): Promise<ObservationLoader> {
  const [policyCamera, ...moreCameras] = cameras;
  const used = pairs.filter((pair) => pair.status !== 'discarded');
  const frames = await pairCameraFrames(
    episodesRoot,
    used,
    moreCameras.map((camera) => camera.name),
  );
  return async (pair) => {
    const image = await decoded(pairFrameFile(episodesRoot, pair), policyCamera!);
    if (moreCameras.length === 0) return image;
    const more = await Promise.all(
      moreCameras.map(
        async (camera) => [camera.name, await decoded(frames.get(pair.id)![camera.name]!.frameFile, camera)] as const,
      ),
    );
    return { ...image, moreImages: Object.fromEntries(more) };
  };
}
