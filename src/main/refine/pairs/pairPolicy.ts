import { cameraSizes, type PackageAction, type PolicyCameraSize } from '../../../shared/policy/modelManifest';
import { deriveSeed } from '../../../shared/sim/world/random';
import type { ExecutionProvider } from '../../../shared/system';
import { rawImages } from '../../evaluation/packagePolicy';
import type { CameraImages } from '../../evaluation/simAttempt';
import { loadModelPackage } from '../../policy/modelPackage';
import { PolicyRuntime } from '../../policy/policyRuntime';

/** The policy whose samples make the counterparts of pairs: K chunks at one observation, seeded. */
export interface PairPolicy {
  model: { name: string; version: string; path: string };
  action: Pick<PackageAction, 'space' | 'chunkLength' | 'dims' | 'names'>;
  /**
   * The package's cameras in manifest order (the first is the policy camera): names and the sizes pictures
   * are fed at.
   */
  cameras: PolicyCameraSize[];
  /** K chunks ([chunkLength × dims] each, physical units) from one RGB picture per camera, by name, at its size. */
  sample(
    images: CameraImages,
    instruction: string,
    robotState: number[],
    k: number,
    seed: number,
  ): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/** The seed of one observation's samples: the same build seed, episode and step give the same K chunks. */
export function observationSeed(buildSeed: number, episodeId: number, stepIndex: number): number {
  return deriveSeed(buildSeed, `pairs/${episodeId}/${stepIndex}`) % 2 ** 31;
}

/** A model package as a PairPolicy: its own onnxruntime sessions, K candidates batched per observation. */
export async function loadPairPolicy(modelPath: string, providers?: ExecutionProvider[]): Promise<PairPolicy> {
  const pkg = await loadModelPackage(modelPath);
  const runtime = await PolicyRuntime.load(pkg, providers ? { providers } : {});
  const { manifest } = pkg;
  const cameras = cameraSizes(manifest.cameras);
  return {
    model: { name: manifest.name, version: manifest.version, path: pkg.dir },
    action: manifest.action,
    cameras,
    async sample(images, instruction, robotState, k, seed) {
      const result = await runtime.infer(
        { images: rawImages(cameras, images), instruction, robotState },
        { candidates: k, seed, noiseScale: 1 },
      );
      const width = result.chunkLength * result.dims;
      return Array.from({ length: k }, (_, i) => result.actions.slice(i * width, (i + 1) * width));
    },
    release: () => runtime.release(),
  };
}

/** Why episodes recorded with `recorded` cannot pair with this policy's chunks; null when they can. */
export function actionSpaceMismatch(
  recorded: { space: string; dims: number; names: string[]; chunkLength: number },
  policy: PairPolicy['action'],
): string | null {
  const describe = (a: typeof recorded) => `${a.space}, ${a.dims} dims [${a.names.join(', ')}] × ${a.chunkLength}`;
  const same =
    recorded.space === policy.space &&
    recorded.dims === policy.dims &&
    recorded.chunkLength === policy.chunkLength &&
    recorded.names.length === policy.names.length &&
    recorded.names.every((name, i) => name === policy.names[i]);
  return same ? null : `recorded with actions ${describe(recorded)}; the model acts in ${describe(policy)}`;
}
