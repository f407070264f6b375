import { loadModelPackage } from '../policy/modelPackage';
import { PolicyRuntime } from '../policy/policyRuntime';
import type { ExecutionProvider } from '../../shared/system';
import type { ChunkPolicy } from './simAttempt';

/** A model package as a ChunkPolicy: its own onnxruntime sessions, one candidate per observation. */
export async function loadPackagePolicy(
  modelPath: string,
  providers?: ExecutionProvider[],
): Promise<{ policy: ChunkPolicy; model: { name: string; version: string; path: string }; release(): Promise<void> }> {
  const pkg = await loadModelPackage(modelPath);
  const runtime = await PolicyRuntime.load(pkg, providers ? { providers } : {});
  const { manifest } = pkg;
  const camera = manifest.cameras[0]!;
  const policy: ChunkPolicy = {
    action: manifest.action,
    controlRateHz: manifest.control.rateHz,
    camera: { name: camera.name, widthPx: camera.widthPx, heightPx: camera.heightPx },
    async infer(rgb, instruction, seed, robotState) {
      const result = await runtime.infer(
        {
          images: { [camera.name]: { format: 'rgb24', widthPx: camera.widthPx, heightPx: camera.heightPx, data: rgb } },
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
