import * as ort from 'onnxruntime-node';
import type { BcBatchBuilder } from '../bc/batchBuilder';
import { ortFeed } from '../bc/frozenContext';
import { WM_LATENT, WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';
import type { DemoDataset } from '../demonstrations/demoDataset';

const LATENT = WM_LATENT_NAMES.length;
const MEASURE_BATCH = 64;

/** Mean |latent − the simulator's task state| per dim over `indices`, by the encoder graph in onnxruntime. */
export async function encoderLatentError(
  encoderBytes: Uint8Array,
  builder: BcBatchBuilder,
  dataset: DemoDataset,
  trueStates: Float32Array,
  indices: readonly number[],
): Promise<number[]> {
  const session = await ort.InferenceSession.create(encoderBytes, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const error = new Array<number>(LATENT).fill(0);
  try {
    for (let start = 0; start < indices.length; start += MEASURE_BATCH) {
      const batch = indices.slice(start, start + MEASURE_BATCH);
      const feeds = Object.fromEntries(
        Object.entries(builder.prefixFeeds(batch.map((i) => dataset.get(i)))).map(([name, f]) => [name, ortFeed(f)]),
      );
      const latents = (await session.run(feeds, [WM_LATENT]))[WM_LATENT]!.data as Float32Array;
      batch.forEach((index, b) => {
        for (let d = 0; d < LATENT; d += 1)
          error[d]! += Math.abs(latents[b * LATENT + d]! - trueStates[index * LATENT + d]!) / indices.length;
      });
    }
  } finally {
    await session.release();
  }
  return error;
}
