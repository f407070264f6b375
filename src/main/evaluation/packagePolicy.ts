import { loadModelPackage } from '../policy/modelPackage';
import { PolicyRuntime } from '../policy/policyRuntime';
import type { ExecutionProvider } from '../../shared/system';
import type { RawImage } from '../policy/imagePreprocess';
import { cameraSizes, type PolicyCameraSize } from '../../shared/policy/modelManifest';
import type { CameraImages, ChunkPolicy } from './simAttempt';

/** A model package as a ChunkPolicy: its own onnxruntime sessions, one candidate per observation. */
export async function loadPackagePolicy(
  modelPath: string,
  providers?: ExecutionProvider[],
): Promise<{ policy: ChunkPolicy; model: { name: string; version: string; path: string }; release(): Promise<void> }> {
  const pkg = await loadModelPackage(modelPath);
  const runtime = await PolicyRuntime.load(pkg, providers ? { providers } : {});
  const { manifest } = pkg;
  const cameras = cameraSizes(manifest.cameras);
  const policy: ChunkPolicy = {
    action: manifest.action,
    controlRateHz: manifest.control.rateHz,
    cameras,
    async infer(images, instruction, seed, robotState) {
      const result = await runtime.infer(
        {
          images: rawImages(cameras, images),
          instruction,
          robotState,
        },
        { candidates: 1, seed: seed % 2 ** 31 },
      );
      return result.actions.slice(0, result.chunkLength * result.dims);
    },
  };
  return {
    policy,
    model: { name: manifest.name, version: manifest.version, path: pkg.dir },
    release: () => runtime.release(),
  };
}

/** The runtime's images for one RGB picture per camera; a missing camera is left for the runtime to refuse. */
export function rawImages(cameras: readonly PolicyCameraSize[], images: CameraImages): Record<string, RawImage> {
  const raw: Record<string, RawImage> = {};
  for (const { name, widthPx, heightPx } of cameras) {
    const data = images[name];
    if (data) raw[name] = { format: 'rgb24', widthPx, heightPx, data };
  }
  return raw;
}
