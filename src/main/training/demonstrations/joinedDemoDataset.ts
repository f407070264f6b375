import type { BcDataset, TrainingSample } from '../trainingTypes';
import type { DemoDataset } from './demoDataset';

/** Several demonstration sets read as one (indices run through them in order). */
export class JoinedDemoDataset implements BcDataset {
  readonly size: number;
  private readonly starts: number[] = [];

  constructor(readonly parts: DemoDataset[]) {
    if (parts.length === 0) throw new Error('no demonstration sets to join');
    let start = 0;
    for (const part of parts) {
      this.starts.push(start);
      start += part.size;
    }
    this.size = start;
  }

  private locate(index: number): [DemoDataset, number] {
    if (!(Number.isInteger(index) && index >= 0 && index < this.size))
      throw new RangeError(`sample ${index} is outside 0 … ${this.size - 1}`);
    let part = this.parts.length - 1;
    while (this.starts[part]! > index) part -= 1;
    return [this.parts[part]!, index - this.starts[part]!];
  }

  get(index: number): TrainingSample {
    const [part, local] = this.locate(index);
    return part.get(local);
  }

  /** The wrist keypoints of sample `index` (see DemoDataset.wristKeypointsOf). */
  wristKeypointsOf(index: number): Float32Array | null {
    const [part, local] = this.locate(index);
    return part.wristKeypointsOf(local);
  }

  /** The keypoints' pixels of sample `index` (see DemoDataset.keypointsOf). */
  keypointsOf(index: number): Float32Array {
    const [part, local] = this.locate(index);
    return part.keypointsOf(local);
  }
}
