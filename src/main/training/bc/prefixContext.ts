import type { ModelManifest } from '../../../shared/policy/modelManifest';
import { arrayFromData, type CompiledGraph, type Params } from '../onnx';
import { np, tree, type JaxArray } from '../onnx/jax';
import type { HostFeed } from './batchBuilder';

/**
 * How the prefix meets a batch. 'batched': one call on [B, …] inputs. 'perSample': one call per sample,
 * outputs concatenated on axis 0 (for prefixes exported with a fixed batch of 1). 'frozen': the prefix is
 * not trained; onnxruntime computes each sample's context (frozenContext.ts).
 */
export type PrefixMode = 'batched' | 'perSample' | 'frozen';

export const jaxFeed = (feed: HostFeed): JaxArray => arrayFromData(feed.data, feed.dims, feed.onnxType);

export const jaxFeeds = (feeds: Record<string, HostFeed>): Record<string, JaxArray> =>
  Object.fromEntries(Object.entries(feeds).map(([name, feed]) => [name, jaxFeed(feed)]));

/** Sample `index` of a batched feed, as a batch of one. */
export function sampleOfFeed(feed: HostFeed, index: number): HostFeed {
  const size = feed.data.length / feed.dims[0]!;
  return {
    data: feed.data.slice(index * size, (index + 1) * size),
    dims: [1, ...feed.dims.slice(1)],
    onnxType: feed.onnxType,
  };
}

export function samplesOfFeeds(feeds: Record<string, HostFeed>, count: number): Record<string, HostFeed>[] {
  return Array.from({ length: count }, (_, i) =>
    Object.fromEntries(Object.entries(feeds).map(([name, feed]) => [name, sampleOfFeed(feed, i)])),
  );
}

/**
 * Runs the prefix (jit- and grad-friendly): once on batched inputs, or once per sample with the outputs
 * concatenated on axis 0. Consumes params and inputs; returns the outputs named in prefix.outputs.
 */
export function runPrefix(
  graph: CompiledGraph,
  params: Params,
  inputs: Record<string, JaxArray> | Record<string, JaxArray>[],
  outputNames: readonly string[],
): Record<string, JaxArray> {
  const pick = (outputs: Record<string, JaxArray>) => {
    const kept: Record<string, JaxArray> = {};
    for (const [name, array] of Object.entries(outputs))
      if (outputNames.includes(name)) kept[name] = array;
      else array.dispose();
    return kept;
  };
  if (!Array.isArray(inputs)) return pick(graph.run(params, inputs));
  const runs = inputs.map((sample, i) => pick(graph.run(i === inputs.length - 1 ? params : tree.ref(params), sample)));
  return Object.fromEntries(
    outputNames.map((name) => [
      name,
      np.concatenate(
        runs.map((run) => run[name]!),
        0,
      ),
    ]),
  );
}

/** The expert's context inputs from the prefix's outputs, mapped as manifest.expert.context says. Consumes them. */
export function expertContext(
  prefixOutputs: Record<string, JaxArray>,
  manifest: ModelManifest,
): Record<string, JaxArray> {
  const entries = Object.entries(manifest.expert.context);
  const readers = new Map<string, number>();
  for (const [, output] of entries) readers.set(output, (readers.get(output) ?? 0) + 1);
  const context: Record<string, JaxArray> = {};
  for (const [input, output] of entries) {
    const left = readers.get(output)! - 1;
    readers.set(output, left);
    context[input] = left > 0 ? prefixOutputs[output]!.ref : prefixOutputs[output]!;
  }
  for (const [name, array] of Object.entries(prefixOutputs)) if (!readers.has(name)) array.dispose();
  return context;
}
