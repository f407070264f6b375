import type { BcDataset, TrainingSample } from '../trainingTypes';
import { KEYPOINTS } from './demoRollout';

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
}

/** Scripted-expert demonstrations held in memory, as the trainer reads them. */
export class DemoDataset implements BcDataset {
  readonly size: number;
  private readonly imageBytes: number;

  constructor(readonly arrays: DemoArrays) {
    this.size = arrays.sampleEpisode.length;
    this.imageBytes = arrays.camera.widthPx * arrays.camera.heightPx * 3;
    const imageCount = arrays.imageShards.reduce((sum, shard) => sum + shard.length / this.imageBytes, 0);
    if (imageCount !== this.size || arrays.robotStates.length !== this.size * 7)
      throw new Error(`inconsistent demonstrations: ${this.size} samples, ${imageCount} images`);
  }

  get(index: number): TrainingSample {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size))
      throw new RangeError(`sample ${index} is outside 0 … ${this.size - 1}`);
    const { arrays } = this;
    const shard = arrays.imageShards[Math.floor(index / SHARD_SAMPLES)]!;
    const offset = (index % SHARD_SAMPLES) * this.imageBytes;
    const actionWidth = arrays.chunkLength * arrays.dims;
    return {
      image: shard.subarray(offset, offset + this.imageBytes),
      instruction: arrays.instructions[arrays.sampleInstruction[index]!]!,
      robotState: Array.from(arrays.robotStates.subarray(index * 7, index * 7 + 7)),
      actions: arrays.actions.slice(index * actionWidth, (index + 1) * actionWidth),
    };
  }

  /** The keypoints' pixels of sample `index` (KEYPOINTS × [x, y]): labels a warm-up may use, never an input. */
  keypointsOf(index: number): Float32Array {
    return this.arrays.keypoints.subarray(index * KEYPOINTS * 2, (index + 1) * KEYPOINTS * 2);
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
  private count = 0;

  constructor(
    private readonly camera: { widthPx: number; heightPx: number },
    private readonly chunkLength: number,
    private readonly dims = 7,
  ) {
    this.imageBytes = camera.widthPx * camera.heightPx * 3;
  }

  add(
    sample: { image: Uint8Array; instruction: string; robotState: number[]; actions: Float32Array },
    keypoints: ArrayLike<number>,
    episode: number,
  ) {
    if (sample.image.length !== this.imageBytes)
      throw new Error(`image of ${sample.image.length} bytes, expected ${this.imageBytes}`);
    if (this.count % SHARD_SAMPLES === 0) this.shards.push(new Uint8Array(SHARD_SAMPLES * this.imageBytes));
    this.shards.at(-1)!.set(sample.image, (this.count % SHARD_SAMPLES) * this.imageBytes);
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
    const filled = this.count % SHARD_SAMPLES;
    const shards = [...this.shards];
    if (filled > 0) shards[shards.length - 1] = shards.at(-1)!.slice(0, filled * this.imageBytes);
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
      imageShards: shards,
    });
  }
}

export const DEMO_SHARD_SAMPLES = SHARD_SAMPLES;
