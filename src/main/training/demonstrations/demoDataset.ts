import type { BcDataset, TrainingSample } from '../trainingTypes';
import { KEYPOINTS, WRIST_KEYPOINTS } from './demoRollout';

const SHARD_SAMPLES = 4096;

/** The arrays a DemoDataset is made of (what the cache stores). */
export interface DemoArrays {
  camera: { widthPx: number; heightPx: number };
  chunkLength: number;
  dims: number;
  instructions: string[];
  /** Per sample: index into `instructions`, and the episode it came from. */
  sampleInstruction: Uint16Array;
  sampleEpisode: Int32Array;
  /** [size × 7] */
  robotStates: Float32Array;
  /** [size × chunkLength × dims], physical units. */
  actions: Float32Array;
  /** [size × KEYPOINTS × 2] camera pixels of the named object, the goal and the TCP. */
  keypoints: Float32Array;
  /** RGB images, SHARD_SAMPLES per shard (the last one shorter). */
  imageShards: Uint8Array[];
  /** The wrist camera's pictures (sharded the same way) and labels, when the config draws it. */
  wrist?: WristArrays;
}

export interface WristArrays {
  camera: { widthPx: number; heightPx: number };
  /** [size × WRIST_KEYPOINTS × 3]: the named object's and the goal's wrist-camera pixels, and whether each is in view. */
  keypoints: Float32Array;
  imageShards: Uint8Array[];
}

/** The camera name a dataset's wrist pictures are fed to (a package's camera of that name). */
export const WRIST_CAMERA_NAME = 'wrist';

/** Sample `index`'s picture in RGB shards of `imageBytes` per sample. */
function shardPicture(shards: readonly Uint8Array[], imageBytes: number, index: number): Uint8Array {
  const shard = shards[Math.floor(index / SHARD_SAMPLES)]!;
  const offset = (index % SHARD_SAMPLES) * imageBytes;
  return shard.subarray(offset, offset + imageBytes);
}

const shardedCount = (shards: readonly Uint8Array[], imageBytes: number) =>
  shards.reduce((sum, shard) => sum + shard.length / imageBytes, 0);

/** Scripted-expert demonstrations held in memory, as the trainer reads them. */
export class DemoDataset implements BcDataset {
  readonly size: number;
  private readonly imageBytes: number;
  private readonly wristBytes: number;

  constructor(readonly arrays: DemoArrays) {
    this.size = arrays.sampleEpisode.length;
    this.imageBytes = arrays.camera.widthPx * arrays.camera.heightPx * 3;
    const imageCount = shardedCount(arrays.imageShards, this.imageBytes);
    if (imageCount !== this.size || arrays.robotStates.length !== this.size * 7)
      throw new Error(`inconsistent demonstrations: ${this.size} samples, ${imageCount} images`);
    const { wrist } = arrays;
    this.wristBytes = wrist ? wrist.camera.widthPx * wrist.camera.heightPx * 3 : 0;
    if (wrist) {
      const wristCount = shardedCount(wrist.imageShards, this.wristBytes);
      if (wristCount !== this.size || wrist.keypoints.length !== this.size * WRIST_KEYPOINTS * 3)
        throw new Error(`inconsistent demonstrations: ${this.size} samples, ${wristCount} wrist images`);
    }
  }

  get(index: number): TrainingSample {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size))
      throw new RangeError(`sample ${index} is outside 0 … ${this.size - 1}`);
    const { arrays } = this;
    const actionWidth = arrays.chunkLength * arrays.dims;
    return {
      image: shardPicture(arrays.imageShards, this.imageBytes, index),
      ...(arrays.wrist
        ? { moreImages: { [WRIST_CAMERA_NAME]: shardPicture(arrays.wrist.imageShards, this.wristBytes, index) } }
        : {}),
      instruction: arrays.instructions[arrays.sampleInstruction[index]!]!,
      robotState: Array.from(arrays.robotStates.subarray(index * 7, index * 7 + 7)),
      actions: arrays.actions.slice(index * actionWidth, (index + 1) * actionWidth),
    };
  }

  /** The keypoints' pixels of sample `index` (KEYPOINTS × [x, y]): labels a warm-up may use, never an input. */
  keypointsOf(index: number): Float32Array {
    return this.arrays.keypoints.subarray(index * KEYPOINTS * 2, (index + 1) * KEYPOINTS * 2);
  }

  /** The wrist keypoints of sample `index` (WRIST_KEYPOINTS × [x, y, in view]), or null without a wrist camera. */
  wristKeypointsOf(index: number): Float32Array | null {
    const keypoints = this.arrays.wrist?.keypoints;
    return keypoints ? keypoints.subarray(index * WRIST_KEYPOINTS * 3, (index + 1) * WRIST_KEYPOINTS * 3) : null;
  }

  /** The episode sample `index` came from. */
  episodeOf(index: number): number {
    return this.arrays.sampleEpisode[index]!;
  }
}

/** Collects samples one by one into shards. */
export class DemoDatasetBuilder {
  private readonly imageBytes: number;
  private readonly shards: Uint8Array[] = [];
  private readonly instructions: string[] = [];
  private readonly instructionIndex = new Map<string, number>();
  private readonly sampleInstruction: number[] = [];
  private readonly sampleEpisode: number[] = [];
  private readonly robotStates: number[] = [];
  private readonly actionChunks: Float32Array[] = [];
  private readonly keypoints: number[] = [];
  private readonly wristShards: Uint8Array[] = [];
  private readonly wristKeypoints: number[] = [];
  private readonly wristBytes: number;
  private count = 0;

  constructor(
    private readonly camera: { widthPx: number; heightPx: number },
    private readonly chunkLength: number,
    private readonly wristCamera: { widthPx: number; heightPx: number } | null = null,
    private readonly dims = 7,
  ) {
    this.imageBytes = camera.widthPx * camera.heightPx * 3;
    this.wristBytes = wristCamera ? wristCamera.widthPx * wristCamera.heightPx * 3 : 0;
  }

  add(
    sample: { image: Uint8Array; instruction: string; robotState: number[]; actions: Float32Array },
    keypoints: ArrayLike<number>,
    episode: number,
    wrist?: { image: Uint8Array; keypoints: ArrayLike<number> },
  ) {
    if (sample.image.length !== this.imageBytes)
      throw new Error(`image of ${sample.image.length} bytes, expected ${this.imageBytes}`);
    if (Boolean(wrist) !== Boolean(this.wristCamera))
      throw new Error(this.wristCamera ? 'the sample has no wrist picture' : 'the set has no wrist camera');
    if (wrist && wrist.image.length !== this.wristBytes)
      throw new Error(`wrist image of ${wrist.image.length} bytes, expected ${this.wristBytes}`);
    putInShards(this.shards, this.imageBytes, this.count, sample.image);
    if (wrist) {
      putInShards(this.wristShards, this.wristBytes, this.count, wrist.image);
      for (let i = 0; i < WRIST_KEYPOINTS * 3; i += 1) this.wristKeypoints.push(wrist.keypoints[i]!);
    }
    let instruction = this.instructionIndex.get(sample.instruction);
    if (instruction === undefined) {
      instruction = this.instructions.length;
      this.instructions.push(sample.instruction);
      this.instructionIndex.set(sample.instruction, instruction);
    }
    this.sampleInstruction.push(instruction);
    this.sampleEpisode.push(episode);
    this.robotStates.push(...sample.robotState);
    this.actionChunks.push(sample.actions);
    for (let i = 0; i < KEYPOINTS * 2; i += 1) this.keypoints.push(keypoints[i]!);
    this.count += 1;
  }

  build(): DemoDataset {
    const actions = new Float32Array(this.count * this.chunkLength * this.dims);
    this.actionChunks.forEach((chunk, i) => actions.set(chunk, i * chunk.length));
    return new DemoDataset({
      camera: { ...this.camera },
      chunkLength: this.chunkLength,
      dims: this.dims,
      instructions: [...this.instructions],
      sampleInstruction: Uint16Array.from(this.sampleInstruction),
      sampleEpisode: Int32Array.from(this.sampleEpisode),
      robotStates: Float32Array.from(this.robotStates),
      actions,
      keypoints: Float32Array.from(this.keypoints),
      imageShards: trimmedShards(this.shards, this.imageBytes, this.count),
      ...(this.wristCamera
        ? {
            wrist: {
              camera: { ...this.wristCamera },
              keypoints: Float32Array.from(this.wristKeypoints),
              imageShards: trimmedShards(this.wristShards, this.wristBytes, this.count),
            },
          }
        : {}),
    });
  }
}

function putInShards(shards: Uint8Array[], imageBytes: number, index: number, image: Uint8Array): void {
  if (index % SHARD_SAMPLES === 0) shards.push(new Uint8Array(SHARD_SAMPLES * imageBytes));
  shards.at(-1)!.set(image, (index % SHARD_SAMPLES) * imageBytes);
}

/** The shards with the last one cut to the samples it holds. */
function trimmedShards(shards: readonly Uint8Array[], imageBytes: number, count: number): Uint8Array[] {
  const filled = count % SHARD_SAMPLES;
  const trimmed = [...shards];
  if (filled > 0) trimmed[trimmed.length - 1] = trimmed.at(-1)!.slice(0, filled * imageBytes);
  return trimmed;
}

export const DEMO_SHARD_SAMPLES = SHARD_SAMPLES;
