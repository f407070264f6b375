import type { PreferencePair } from '../../../shared/refine/pairTypes';
import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import type { PreferenceDataset, PreferenceSample } from '../../training/trainingTypes';
import { pairFrameFile, type PairCameraFrames } from './pairCameraFrames';
import { SyncFrameDecoder } from './syncFrameDecoder';

/** Decoded pictures kept by default: about 1,700 observations at 224 × 224. */
export const DEFAULT_IMAGE_CACHE_BYTES = 256 * 1024 * 1024;

export interface PairDatasetOptions {
  /** The episodes folder the pairs' frames are in. */
  root: string;
  /**
   * The model's cameras in manifest order; each camera's pictures are decoded and stretched to its size. The
   * first is the policy camera, whose frame a pair stores; the others' frames come from `moreFrames`.
   */
  cameras: readonly PolicyCameraSize[];
  /** Each pair's frames of the other cameras (pairCameraFrames): needed when there is more than one camera. */
  moreFrames?: PairCameraFrames;
  /** Most bytes of decoded RGB kept in memory (least recently used go first). */
  imageCacheBytes?: number;
}

/**
 * Stored preference pairs as the DPO trainer reads them: the policy camera's picture as `image`, the other
 * cameras' as `moreImages`. Pictures are read and decoded when a pair is first asked for (the pipeline the
 * pair builder fed the policy), and kept up to a byte budget; pairs sharing an observation share its pictures.
 * A flipped pair gives its chunks swapped. Close it to stop its decoder. loadPairDataset opens one with the
 * other cameras' frames found.
 */
export class PairDataset implements PreferenceDataset {
  readonly size: number;
  private readonly cache = new Map<string, Uint8Array>();
  private cachedBytes = 0;
  private decoder: SyncFrameDecoder | null = null;
  private readonly budgetBytes: number;
  /** The model's cameras besides the policy camera. */
  private readonly moreCameras: readonly PolicyCameraSize[];

  constructor(
    readonly pairs: readonly PreferencePair[],
    private readonly options: PairDatasetOptions,
  ) {
    this.size = pairs.length;
    this.budgetBytes = options.imageCacheBytes ?? DEFAULT_IMAGE_CACHE_BYTES;
    const discarded = pairs.find((pair) => pair.status === 'discarded');
    if (discarded) throw new Error(`pair ${discarded.id} is discarded; training never uses it`);
    if (options.cameras.length === 0) throw new Error("a pair dataset needs the model's cameras");
    this.moreCameras = options.cameras.slice(1);
    for (const pair of pairs)
      for (const camera of this.moreCameras)
        if (!options.moreFrames?.get(pair.id)?.[camera.name])
          throw new Error(
            `pair ${pair.id}: no frame of camera "${camera.name}" was given; open the dataset with loadPairDataset`,
          );
  }

  get(index: number): PreferenceSample {
    const pair = this.pairs[index];
    if (!pair || !Number.isInteger(index)) throw new RangeError(`pair ${index} is outside 0 … ${this.size - 1}`);
    const flat = (rows: number[][]) => Float32Array.from(rows.flat());
    const [chosen, rejected] = pair.status === 'flipped' ? [pair.rejected, pair.chosen] : [pair.chosen, pair.rejected];
    const more = this.moreCameras.map((camera) => {
      const frame = this.options.moreFrames!.get(pair.id)![camera.name]!;
      return [camera.name, this.picture(camera, frame.frameFile)] as const;
    });
    return {
      image: this.picture(this.options.cameras[0]!, pairFrameFile(this.options.root, pair)),
      ...(more.length ? { moreImages: Object.fromEntries(more) } : {}),
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
    const frames = this.options.moreFrames?.get(pair.id);
    const more = this.moreCameras.map((camera) => `/${camera.name}/${frames![camera.name]!.frameIndex}`);
    return `${pair.episodeId}/${pair.camera}/${pair.frameIndex}${more.join('')}`;
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

  /** A recorded frame decoded at a model camera's size, from the cache when it is there. */
  private picture(camera: PolicyCameraSize, file: string): Uint8Array {
    const key = `${camera.name}:${file}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    this.decoder ??= new SyncFrameDecoder();
    const rgb = this.decoder.decode(file, camera.widthPx, camera.heightPx);
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
