import { normalizeActions } from '../../../shared/policy/actionNormalization';
import { ROBOT_STATE_DIMS, type ModelManifest, type PackageCamera } from '../../../shared/policy/modelManifest';
import { rgbToTensorData } from '../../policy/imagePreprocess';
import type { InstructionTokenizer } from '../../policy/instructionTokenizer';
import { ONNX_TYPE } from '../onnx';
import type { TrainingObservation, TrainingSample } from '../trainingTypes';
import { TrainingError } from './trainingErrors';

/** One graph input for a batch, in host memory: int64 inputs are held as int32 (as the interpreter takes them). */
export interface HostFeed {
  data: Float32Array | Int32Array | Uint8Array;
  dims: number[];
  /** TensorProto.DataType of the graph input. */
  onnxType: number;
}

function concat<T extends Float32Array | Int32Array | Uint8Array>(parts: T[]): T {
  const Constructor = parts[0]!.constructor as new (length: number) => T;
  const out = new Constructor(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** An observation's picture from `camera`: `image` for the policy camera, `moreImages` for the others. */
function pictureOf(
  observation: TrainingObservation,
  camera: PackageCamera,
  policyCamera: PackageCamera,
): Uint8Array | undefined {
  return camera === policyCamera ? observation.image : observation.moreImages?.[camera.name];
}

function describePictures(observation: TrainingObservation, policyCamera: PackageCamera): string {
  const names = [policyCamera.name, ...Object.keys(observation.moreImages ?? {})];
  return names.map((name) => `"${name}"`).join(', ');
}

/**
 * Turns training samples into the prefix's inputs and normalised action targets exactly as inference
 * prepares an observation (PolicyRuntime.prefixFeeds): the camera's layout and normalisation, the
 * package's tokenizer with its template, padding and truncation, the arm's state when the prefix takes it.
 */
export class BcBatchBuilder {
  /** The policy camera (the manifest's first), whose pictures are the observations' `image`. */
  readonly camera: PackageCamera;
  readonly valuesPerSample: number;

  constructor(
    readonly manifest: ModelManifest,
    private readonly tokenizer: InstructionTokenizer,
  ) {
    this.camera = manifest.cameras[0]!;
    this.valuesPerSample = manifest.action.chunkLength * manifest.action.dims;
  }

  /** Refuses a sample the package cannot learn from, naming the dataset index and the mismatch. */
  checkSample(sample: TrainingSample, index: number): void {
    const { chunkLength, dims } = this.manifest.action;
    const refuse = (problem: string): never => {
      throw new TrainingError('training_invalid_data', `dataset sample ${index}: ${problem}`, { index });
    };
    if (sample.actions.length !== this.valuesPerSample)
      refuse(
        `has ${sample.actions.length} action values, but the package's chunk is ${chunkLength} actions × ${dims} dims = ${this.valuesPerSample}`,
      );
    if (!sample.actions.every(Number.isFinite)) refuse('has actions that are not finite numbers');
    this.checkObservation(sample, index);
  }

  /**
   * Refuses an observation the prefix cannot take (picture size, the arm's state), naming it as
   * `${what} ${index}` ("dataset sample 3", "pair 3").
   */
  checkObservation(observation: TrainingObservation, index: number, what = 'dataset sample'): void {
    const refuse = (problem: string): never => {
      throw new TrainingError('training_invalid_data', `${what} ${index}: ${problem}`, { index });
    };
    for (const camera of this.manifest.cameras) {
      const { widthPx: w, heightPx: h } = camera;
      const picture = pictureOf(observation, camera, this.camera);
      if (!picture)
        refuse(
          `it has no picture from camera "${camera.name}", which the package takes (it has ${describePictures(observation, this.camera)})`,
        );
      else if (picture.length !== w * h * 3)
        refuse(
          `its "${camera.name}" picture has ${picture.length} bytes; that camera needs ${w}×${h} RGB = ${w * h * 3}`,
        );
    }
    if (this.manifest.prefix.robotStateInput) {
      const state = observation.robotState;
      if (!state || state.length !== ROBOT_STATE_DIMS || !state.every(Number.isFinite))
        refuse(
          `the package's prefix takes the arm's state (${ROBOT_STATE_DIMS} finite numbers), the ${what.split(' ').at(-1)} has ${state ? `${state.length} values` : 'none'}`,
        );
    }
  }

  /** The prefix's inputs for these observations, stacked on axis 0 (batch = samples.length). */
  prefixFeeds(samples: readonly TrainingObservation[]): Record<string, HostFeed> {
    const n = samples.length;
    const { instruction } = this.manifest;
    const feeds: Record<string, HostFeed> = {};
    for (const camera of this.manifest.cameras) {
      const images = samples.map((sample) => rgbToTensorData(pictureOf(sample, camera, this.camera)!, camera));
      feeds[camera.input] = {
        data: concat(images.map((image) => image.data)),
        dims: [n, ...images[0]!.dims.slice(1)],
        onnxType: camera.dtype === 'uint8' ? ONNX_TYPE.uint8 : ONNX_TYPE.float32,
      };
    }
    const tokens = samples.map((sample) => this.tokenizer.encode(sample.instruction));
    const ints = (values: BigInt64Array) => Int32Array.from(values, Number);
    feeds[instruction.idsInput] = {
      data: concat(tokens.map((t) => ints(t.ids))),
      dims: [n, instruction.maxTokens],
      onnxType: ONNX_TYPE.int64,
    };
    if (instruction.maskInput)
      feeds[instruction.maskInput] = {
        data: concat(tokens.map((t) => ints(t.mask))),
        dims: [n, instruction.maxTokens],
        onnxType: ONNX_TYPE.int64,
      };
    const stateInput = this.manifest.prefix.robotStateInput;
    if (stateInput)
      feeds[stateInput] = {
        data: Float32Array.from(samples.flatMap((sample) => sample.robotState!)),
        dims: [n, ROBOT_STATE_DIMS],
        onnxType: ONNX_TYPE.float32,
      };
    return feeds;
  }

  /** The samples' action chunks normalised with the manifest's q01/q99 and mask, [n, chunk, dims] flattened. */
  normalizedActions(samples: readonly TrainingSample[]): Float32Array {
    const out = new Float32Array(samples.length * this.valuesPerSample);
    samples.forEach((sample, i) =>
      out.set(normalizeActions(sample.actions, this.manifest.action.normalization), i * this.valuesPerSample),
    );
    return out;
  }
}
