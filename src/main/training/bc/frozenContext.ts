import * as ort from 'onnxruntime-node';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import { ONNX_TYPE } from '../onnx';
import type { TrainingObservation } from '../trainingTypes';
import type { BcBatchBuilder, HostFeed } from './batchBuilder';

/** A host feed as an onnxruntime tensor (int64 inputs are held as int32 on the host). */
export function ortFeed(feed: HostFeed): ort.Tensor {
  switch (feed.onnxType) {
    case ONNX_TYPE.int64:
      return new ort.Tensor('int64', BigInt64Array.from(feed.data as Int32Array, BigInt), feed.dims);
    case ONNX_TYPE.uint8:
      return new ort.Tensor('uint8', Uint8Array.from(feed.data), feed.dims);
    default:
      return new ort.Tensor('float32', feed.data as Float32Array, feed.dims);
  }
}

function hostFeed(tensor: ort.Tensor, name: string): HostFeed {
  const dims = [...tensor.dims];
  switch (tensor.type) {
    case 'float32':
      return { data: tensor.data as Float32Array, dims, onnxType: ONNX_TYPE.float32 };
    case 'bool':
      return { data: Uint8Array.from(tensor.data as Uint8Array), dims, onnxType: ONNX_TYPE.bool };
    case 'int64':
      return { data: Int32Array.from(tensor.data as BigInt64Array, Number), dims, onnxType: ONNX_TYPE.int64 };
    case 'int32':
      return { data: Int32Array.from(tensor.data as Int32Array), dims, onnxType: ONNX_TYPE.int32 };
    default:
      throw new Error(`prefix output "${name}" is ${tensor.type}; the trainer takes float32, bool and int64 contexts`);
  }
}

/** Observations by index (a BcDataset or a PreferenceDataset serves). Deterministic: an index is one observation. */
export interface ObservationSource {
  get(index: number): TrainingObservation;
}

/** How a FrozenPrefixContext names and keys dataset indices. */
export interface ContextNaming {
  /** Names an index in errors: "dataset sample" (→ "dataset sample 3"), "pair". */
  what: string;
  /** The cache key of an index: indices with one key share one observation, hence one context. Default: the index. */
  keyOf: (index: number) => number | string;
}

/**
 * The context of a frozen prefix, per observation, from onnxruntime: the same graph and feeds inference uses,
 * batch 1. Cached by dataset index (the dataset is deterministic) up to a byte budget, so a small data set
 * runs the prefix once per sample.
 */
export class FrozenPrefixContext {
  private readonly cache = new Map<number | string, Record<string, HostFeed>>();
  private cachedBytes = 0;
  private prefixRuns = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: ModelManifest,
    private readonly builder: BcBatchBuilder,
    private readonly cacheBytes: number,
    private readonly naming: ContextNaming,
  ) {}

  static async create(
    prefixPath: string,
    manifest: ModelManifest,
    builder: BcBatchBuilder,
    cacheBytes: number,
    naming: Partial<ContextNaming> = {},
  ): Promise<FrozenPrefixContext> {
    const session = await ort.InferenceSession.create(prefixPath, { executionProviders: ['cpu'], logSeverityLevel: 3 });
    return new FrozenPrefixContext(session, manifest, builder, cacheBytes, {
      what: naming.what ?? 'dataset sample',
      keyOf: naming.keyOf ?? ((index) => index),
    });
  }

  /** The expert's context inputs for these dataset indices, stacked on axis 0. */
  async contexts(source: ObservationSource, indices: readonly number[]): Promise<Record<string, HostFeed>> {
    const perSample: Record<string, HostFeed>[] = [];
    for (const index of indices)
      perSample.push(this.cache.get(this.naming.keyOf(index)) ?? (await this.compute(index, source.get(index))));
    const stacked: Record<string, HostFeed> = {};
    for (const name of Object.keys(this.manifest.expert.context)) {
      const parts = perSample.map((context) => context[name]!);
      const Constructor = parts[0]!.data.constructor as new (length: number) => HostFeed['data'];
      const data = new Constructor(parts.reduce((sum, part) => sum + part.data.length, 0));
      parts.forEach((part, i) => data.set(part.data, i * part.data.length));
      stacked[name] = { data, dims: [parts.length, ...parts[0]!.dims.slice(1)], onnxType: parts[0]!.onnxType };
    }
    return stacked;
  }

  /** Computes (and caches, within the budget) the context of `observation`, which is `index`'s; for warming up. */
  async prime(index: number, observation: TrainingObservation): Promise<void> {
    if (!this.cache.has(this.naming.keyOf(index))) await this.compute(index, observation);
  }

  /** onnxruntime runs of the prefix so far (one per observation while the cache holds them all). */
  get runs(): number {
    return this.prefixRuns;
  }

  private async compute(index: number, observation: TrainingObservation): Promise<Record<string, HostFeed>> {
    this.builder.checkObservation(observation, index, this.naming.what);
    const feeds = Object.fromEntries(
      Object.entries(this.builder.prefixFeeds([observation])).map(([name, feed]) => [name, ortFeed(feed)]),
    );
    const outputs = await this.session.run(feeds, this.manifest.prefix.outputs);
    this.prefixRuns += 1;
    const context: Record<string, HostFeed> = {};
    for (const [input, output] of Object.entries(this.manifest.expert.context))
      context[input] = hostFeed(outputs[output]!, output);
    const bytes = Object.values(context).reduce((sum, feed) => sum + feed.data.byteLength, 0);
    if (this.cachedBytes + bytes <= this.cacheBytes) {
      this.cache.set(this.naming.keyOf(index), context);
      this.cachedBytes += bytes;
    }
    return context;
  }

  async release(): Promise<void> {
    this.cache.clear();
    await this.session.release();
  }
}
