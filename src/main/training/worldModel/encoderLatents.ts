import * as ort from 'onnxruntime-node';
import type { BcBatchBuilder } from '../bc/batchBuilder';
import { ortFeed } from '../bc/frozenContext';
import { WM_LATENT, WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';
import type { DemoDataset } from '../demonstrations/demoDataset';

const LATENT = WM_LATENT_NAMES.length;
const ENCODE_BATCH = 64;

/**
 * The frozen encoder's latent of each sample at `indices`, in that order ([indices.length × L]), by
 * onnxruntime (the graph inference uses). Reports progress through `log` every 15 s.
 */
export async function encodeFrames(
  encoderBytes: Uint8Array,
  builder: BcBatchBuilder,
  dataset: DemoDataset,
  indices: readonly number[],
  log: (line: string) => void = () => undefined,
): Promise<Float32Array> {
  const encoder = await ort.InferenceSession.create(encoderBytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const latents = new Float32Array(indices.length * LATENT);
  let lastLogMs = Date.now();
  try {
    for (let start = 0; start < indices.length; start += ENCODE_BATCH) {
      const batch = indices.slice(start, start + ENCODE_BATCH);
      const feeds = Object.fromEntries(
        Object.entries(builder.prefixFeeds(batch.map((i) => dataset.get(i)))).map(([name, f]) => [name, ortFeed(f)]),
      );
      const out = await encoder.run(feeds, [WM_LATENT]);
      latents.set(out[WM_LATENT]!.data as Float32Array, start * LATENT);
      if (Date.now() - lastLogMs > 15_000) {
        lastLogMs = Date.now();
        log(`world model: encoded ${start + batch.length}/${indices.length} frames`);
      }
    }
  } finally {
    await encoder.release();
  }
  return latents;
}

/** Mean |latent − the simulator's task state| per dim: `latents` of the samples at `indices`, in that order. */
export function latentError(latents: Float32Array, trueStates: Float32Array, indices: readonly number[]): number[] {
  const error = new Array<number>(LATENT).fill(0);
  indices.forEach((index, b) => {
    for (let d = 0; d < LATENT; d += 1)
      error[d]! += Math.abs(latents[b * LATENT + d]! - trueStates[index * LATENT + d]!) / indices.length;
  });
  return error;
}
