import path from 'node:path';
import type { PreferencePair } from '../../../shared/refine/pairTypes';
import { cameraDir, frameFileName } from '../../episodes/store/episodeFormat';
import type { PreferenceDataset, PreferenceSample } from '../../training/trainingTypes';
import { SyncFrameDecoder } from './syncFrameDecoder';

/** Decoded pictures kept by default: about 1,700 observations at 224 × 224. */
export const DEFAULT_IMAGE_CACHE_BYTES = 256 * 1024 * 1024;

export interface PairDatasetOptions {
  /** The episodes folder the pairs' frames are in. */
  root: string;
  /** The model camera's size: pictures are decoded and stretched to it. */
  camera: { widthPx: number; heightPx: number };
  /** Most bytes of decoded RGB kept in memory (least recently used go first). */
  imageCacheBytes?: number;
}

/**
 * Stored preference pairs as the DPO trainer reads them. Pictures are read and decoded when a pair is first
 * asked for (the pipeline the pair builder fed the policy), and kept up to a byte budget; pairs sharing an
 * observation share one picture. A flipped pair gives its chunks swapped. Close it to stop its decoder.
 */
export class PairDataset implements PreferenceDataset {
  readonly size: number;
  private readonly cache = new Map<string, Uint8Array>();
  private cachedBytes = 0;
  private decoder: SyncFrameDecoder | null = null;
  private readonly budgetBytes: number;

  constructor(
    readonly pairs: readonly PreferencePair[],
    private readonly options: PairDatasetOptions,
  ) {
    this.size = pairs.length;
    this.budgetBytes = options.imageCacheBytes ?? DEFAULT_IMAGE_CACHE_BYTES;
    const discarded = pairs.find((pair) => pair.status === 'discarded');
    if (discarded) throw new Error(`pair ${discarded.id} is discarded; training never uses it`);
  }

  get(index: number): PreferenceSample {
    const pair = this.pairs[index];
    if (!pair || !Number.isInteger(index)) throw new RangeError(`pair ${index} is outside 0 … ${this.size - 1}`);
    const flat = (rows: number[][]) => Float32Array.from(rows.flat());
    const [chosen, rejected] = pair.status === 'flipped' ? [pair.rejected, pair.chosen] : [pair.chosen, pair.rejected];
    return {
      image: this.image(pair),
      instruction: pair.instruction,
      robotState: [...pair.robotState],
      chosen: flat(chosen),
      rejected: flat(rejected),
      actionSpace: pair.actionSpace,
      actionNames: pair.actionNames,
    };
  }

  /** Pairs at the same observation share this key (a trainer may cache the prefix's context by it). */
  observationKey(index: number): string {
    const pair = this.pairs[index]!;
    return `${pair.episodeId}/${pair.camera}/${pair.frameIndex}`;
  }

  /** Bytes of decoded pictures held now. */
  get imageCacheBytes(): number {
    return this.cachedBytes;
  }

  async close(): Promise<void> {
    this.cache.clear();
    this.cachedBytes = 0;
    await this.decoder?.close();
    this.decoder = null;
  }

  private image(pair: PreferencePair): Uint8Array {
    const key = `${pair.episodeId}/${pair.camera}/${pair.frameIndex}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const { widthPx, heightPx } = this.options.camera;
    const file = path.join(cameraDir(this.options.root, pair.episodeId, pair.camera), frameFileName(pair.frameIndex));
    this.decoder ??= new SyncFrameDecoder();
    const rgb = this.decoder.decode(file, widthPx, heightPx);
    this.cache.set(key, rgb);
    this.cachedBytes += rgb.length;
    for (const [oldKey, old] of this.cache) {
      if (this.cachedBytes <= this.budgetBytes) break;
      this.cache.delete(oldKey);
      this.cachedBytes -= old.length;
    }
    return rgb;
  }
}
