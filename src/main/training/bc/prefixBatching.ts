import { type CompiledGraph } from '../onnx';
import { tree, type JaxArray } from '../onnx/jax';
import type { HostFeed } from './batchBuilder';
import { jaxFeeds, runPrefix, samplesOfFeeds } from './prefixContext';

export interface PrefixBatchProbe {
  batched: boolean;
  /** Why a batched call was rejected (for the progress message and the result). */
  reason: string | null;
}

const TOLERANCE = 1e-4;

/**
 * Whether the prefix graph gives, for a batch of two different samples, what it gives for each sample
 * alone. Exports with a fixed batch of 1 fail here (a Reshape to [1, …], a Concat with a [1, …] constant)
 * or, worse, mix samples; both make the trainer call the prefix once per sample. Borrows the params.
 */
export async function probePrefixBatching(
  graph: CompiledGraph,
  params: Record<string, JaxArray>,
  twoSamples: Record<string, HostFeed>,
  outputNames: readonly string[],
): Promise<PrefixBatchProbe> {
  const read = async (outputs: Record<string, JaxArray>) => {
    const result: Record<string, { dims: number[]; data: Float32Array }> = {};
    for (const [name, array] of Object.entries(outputs)) {
      const dims = array.shape;
      const data = await array.data();
      result[name] = { dims, data: Float32Array.from(data as ArrayLike<number>, Number) };
    }
    return result;
  };
  let batched;
  try {
    batched = await read(runPrefix(graph, tree.ref(params), jaxFeeds(twoSamples), outputNames));
  } catch (error) {
    return { batched: false, reason: `a batch of 2 fails: ${(error as Error).message.split('\n')[0]}` };
  }
  const alone = await read(
    runPrefix(graph, tree.ref(params), samplesOfFeeds(twoSamples, 2).map(jaxFeeds), outputNames),
  );
  for (const name of outputNames) {
    const a = batched[name]!;
    const b = alone[name]!;
    if (a.dims.join(',') !== b.dims.join(','))
      return { batched: false, reason: `output "${name}" has dims [${a.dims}] for a batch of 2, expected [${b.dims}]` };
    let worst = 0;
    for (let i = 0; i < a.data.length; i += 1)
      worst = Math.max(worst, Math.abs(a.data[i]! - b.data[i]!) / (1 + Math.abs(b.data[i]!)));
    if (!(worst <= TOLERANCE))
      return {
        batched: false,
        reason: `output "${name}" of a batch of 2 differs from the samples run alone (${worst.toExponential(1)})`,
      };
  }
  return { batched: true, reason: null };
}
