import * as ort from 'onnxruntime-node';
import { normalizeActions } from '../../../src/shared/policy/actionNormalization';
import { SeededRandom } from '../../../src/shared/sim/world/random';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../src/main/policy/policyRuntime';
import type { PreferenceDataset } from '../../../src/main/training/trainingTypes';

/** Per-row flow-matching errors (mean over chunk and dims) of a package's expert, by onnxruntime. */
async function flowErrors(
  modelDir: string,
  pairs: PreferenceDataset,
  draws: number,
  seed: number,
): Promise<{ chosen: number[]; rejected: number[] }> {
  const pkg = await loadModelPackage(modelDir);
  const { manifest } = pkg;
  const runtime = await PolicyRuntime.load(pkg, { providers: ['cpu'], skipWarmup: true });
  const prefix = await ort.InferenceSession.create(pkg.prefixPath);
  const expert = await ort.InferenceSession.create(pkg.expertPath);
  const camera = manifest.cameras[0]!;
  const { chunkLength, dims } = manifest.action;
  const values = chunkLength * dims;
  const random = new SeededRandom(seed);
  const chosen: number[] = [];
  const rejected: number[] = [];
  for (let index = 0; index < pairs.size; index += 1) {
    const pair = pairs.get(index);
    const feeds = await runtime.prefixFeeds({
      images: {
        [camera.name]: { format: 'rgb24', widthPx: camera.widthPx, heightPx: camera.heightPx, data: pair.image },
      },
      instruction: pair.instruction,
      ...(pair.robotState ? { robotState: pair.robotState } : {}),
    });
    const context = await prefix.run(feeds);
    for (let k = 0; k < draws; k += 1) {
      const t = random.next() ** (2 / 3) * 0.999 + 0.001;
      const noise = Float32Array.from({ length: values }, () => random.gaussian());
      for (const [which, chunk] of [
        [chosen, pair.chosen],
        [rejected, pair.rejected],
      ] as const) {
        const a = normalizeActions(chunk, manifest.action.normalization);
        const xT = a.map((value, i) => t * noise[i]! + (1 - t) * value);
        const expertFeeds: Record<string, ort.Tensor> = {
          [manifest.expert.noisyActionInput]: new ort.Tensor('float32', xT, [1, chunkLength, dims]),
          [manifest.expert.timeInput]: new ort.Tensor('float32', Float32Array.of(t), [1]),
        };
        for (const [input, output] of Object.entries(manifest.expert.context)) expertFeeds[input] = context[output]!;
        const v = (await expert.run(expertFeeds))[manifest.expert.velocityOutput]!.data as Float32Array;
        let sum = 0;
        for (let i = 0; i < values; i += 1) sum += (v[i]! - (noise[i]! - a[i]!)) ** 2;
        which.push(sum / values);
      }
    }
  }
  await Promise.all([prefix.release(), expert.release(), runtime.release()]);
  return { chosen, rejected };
}

/**
 * The implicit accuracy of `policyDir` against `referenceDir` on these pairs, computed apart from the
 * trainer (onnxruntime, its own noise): the fraction of (pair, draw) rows with a positive margin
 * −[(L_w − L_w_ref) − (L_l − L_l_ref)] (0 counts ½), and how often each package alone has L_w < L_l.
 */
export async function onnxruntimeImplicitAccuracy(
  policyDir: string,
  referenceDir: string,
  pairs: PreferenceDataset,
  draws = 4,
  seed = 77,
): Promise<{ accuracy: number; policyPrefersChosen: number; referencePrefersChosen: number }> {
  const policy = await flowErrors(policyDir, pairs, draws, seed);
  const reference = await flowErrors(referenceDir, pairs, draws, seed);
  const n = policy.chosen.length;
  let right = 0;
  let policyPrefers = 0;
  let referencePrefers = 0;
  for (let i = 0; i < n; i += 1) {
    const margin = -(policy.chosen[i]! - reference.chosen[i]! - (policy.rejected[i]! - reference.rejected[i]!));
    right += margin > 0 ? 1 : margin === 0 ? 0.5 : 0;
    if (policy.chosen[i]! < policy.rejected[i]!) policyPrefers += 1;
    if (reference.chosen[i]! < reference.rejected[i]!) referencePrefers += 1;
  }
  return { accuracy: right / n, policyPrefersChosen: policyPrefers / n, referencePrefersChosen: referencePrefers / n };
}
