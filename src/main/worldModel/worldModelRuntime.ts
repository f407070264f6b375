import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ROBOT_STATE_DIMS } from '../../shared/policy/modelManifest';
import type { ExecutionProvider } from '../../shared/system';
import type { WorldModelManifest } from '../../shared/worldModel/worldModelManifest';
import { imageToTensor } from '../policy/imagePreprocess';
import { InstructionTokenizer } from '../policy/instructionTokenizer';
import { WorldModelPackageError, type LoadedWorldModelPackage } from './worldModelPackage';

/** One frame for the encoder: RGB at any size (resized to the package's), the instruction and the arm's state. */
export interface WmObservation {
  /** widthPx × heightPx × 3 bytes, row-major RGB. */
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** Read only by encoders that take the instruction. */
  instruction: string;
  /** ROBOT_STATE_NAMES (7 values); read only by encoders that take the arm's state. */
  robotState: number[];
}

export interface WorldModelRuntimeOptions {
  /** Providers to try, best first (default: CUDA where the binding has it, then CPU). */
  providers?: ExecutionProvider[];
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** CUDA when the onnxruntime binding has it, then the CPU (as the policy runtime). */
function defaultProviders(): ExecutionProvider[] {
  const compiledIn = new Set(ort.listSupportedBackends().map((backend) => backend.name));
  return compiledIn.has('cuda') ? ['cuda', 'cpu'] : ['cpu'];
}

interface Sessions {
  encoder: ort.InferenceSession;
  predictor: ort.InferenceSession;
  provider: ExecutionProvider;
  note: string | null;
}

/** Both sessions on the first provider that opens both; on the last one (the CPU) a failure is the package's. */
async function createSessions(pkg: LoadedWorldModelPackage, providers: ExecutionProvider[]): Promise<Sessions> {
  const refusals: string[] = [];
  const logLevel = ort.env.logLevel;
  ort.env.logLevel = 'fatal';
  try {
    for (const [index, provider] of providers.entries()) {
      const options: ort.InferenceSession.SessionOptions = { executionProviders: [provider], logSeverityLevel: 3 };
      const opened: ort.InferenceSession[] = [];
      try {
        for (const file of [pkg.encoderPath, pkg.predictorPath]) {
          try {
            opened.push(await ort.InferenceSession.create(file, options));
          } catch (error) {
            if (index === providers.length - 1)
              throw new WorldModelPackageError(path.basename(file), `onnxruntime cannot load it: ${firstLine(error)}`);
            throw error;
          }
        }
        const note = refusals.length ? refusals.join('; ') : provider === 'cpu' ? 'CUDA is not in this build' : null;
        return { encoder: opened[0]!, predictor: opened[1]!, provider, note };
      } catch (error) {
        await Promise.all(opened.map((session) => session.release()));
        if (error instanceof WorldModelPackageError) throw error;
        refusals.push(`${provider} not usable: ${firstLine(error)}`);
      }
    }
  } finally {
    ort.env.logLevel = logLevel;
  }
  throw new Error(`no execution provider could run this world model (${refusals.join('; ')})`);
}

/** The most items one run of the session takes: 1 when an input has a static batch of 1, else unbounded. */
function batchLimit(session: ort.InferenceSession): number {
  const fixed = session.inputMetadata.some((input) => input.isTensor && input.shape[0] === 1);
  return fixed ? 1 : Number.POSITIVE_INFINITY;
}

/** `count` copies of `values` end to end. */
function repeat(values: Float32Array, count: number): Float32Array {
  const out = new Float32Array(values.length * count);
  for (let i = 0; i < count; i += 1) out.set(values, i * values.length);
  return out;
}

/** The parts end to end in one array made by `Make`. */
function concat<T extends Float32Array | Uint8Array | BigInt64Array>(
  parts: readonly T[],
  Make: new (length: number) => T,
): T {
  const out = new Make(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    (out as Uint8Array).set(part as Uint8Array, offset);
    offset += part.length;
  }
  return out;
}

/**
 * A loaded world model: the encoder and predictor sessions and, when the encoder reads the instruction,
 * its tokenizer. The energy of a candidate chunk is `energy(finalLatents(z, [chunk])[0], goalLatent)`,
 * where z encodes the current frame and goalLatent the goal frame; lower is better.
 */
export class WorldModelRuntime {
  private constructor(
    readonly pkg: LoadedWorldModelPackage,
    private readonly encoder: ort.InferenceSession,
    private readonly predictor: ort.InferenceSession,
    private readonly tokenizer: InstructionTokenizer | null,
    readonly provider: ExecutionProvider,
    /** Why a better provider was not used (null when the first choice worked). */
    readonly providerNote: string | null,
  ) {
    this.encoderBatch = batchLimit(encoder);
    this.predictorBatch = batchLimit(predictor);
  }

  private readonly encoderBatch: number;
  private readonly predictorBatch: number;

  get manifest(): WorldModelManifest {
    return this.pkg.manifest;
  }

  /** Latent size L. */
  get latentSize(): number {
    return this.manifest.latent.size;
  }

  static async load(pkg: LoadedWorldModelPackage, options: WorldModelRuntimeOptions = {}): Promise<WorldModelRuntime> {
    const { instruction } = pkg.manifest;
    let tokenizer: InstructionTokenizer | null = null;
    if (instruction) {
      if (!pkg.tokenizerJson)
        throw new WorldModelPackageError(instruction.tokenizer, 'was not loaded with the package');
      tokenizer = new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, instruction);
    }
    const { encoder, predictor, provider, note } = await createSessions(pkg, options.providers ?? defaultProviders());
    return new WorldModelRuntime(pkg, encoder, predictor, tokenizer, provider, note);
  }

  /** The encoder's feeds for a batch of (checked) observations: images resized and laid out, text tokenised. */
  private async encoderFeeds(observations: readonly WmObservation[]): Promise<Record<string, ort.Tensor>> {
    const { camera, instruction, encoder } = this.manifest;
    const b = observations.length;
    const images: (Float32Array | Uint8Array)[] = [];
    const ids: BigInt64Array[] = [];
    const masks: BigInt64Array[] = [];
    const states: Float32Array[] = [];
    let imageDims: number[] = [];
    for (const observation of observations) {
      const tensor = await imageToTensor(
        { format: 'rgb24', widthPx: observation.widthPx, heightPx: observation.heightPx, data: observation.rgb },
        camera,
      );
      images.push(tensor.data);
      imageDims = tensor.dims;
      if (this.tokenizer) {
        const tokens = this.tokenizer.encode(observation.instruction);
        ids.push(tokens.ids);
        masks.push(tokens.mask);
      }
      if (encoder.robotStateInput) states.push(Float32Array.from(observation.robotState));
    }
    const shape = [b, ...imageDims.slice(1)];
    const feeds: Record<string, ort.Tensor> = {
      [camera.input]:
        camera.dtype === 'uint8'
          ? new ort.Tensor('uint8', concat(images as Uint8Array[], Uint8Array), shape)
          : new ort.Tensor('float32', concat(images as Float32Array[], Float32Array), shape),
    };
    if (instruction) {
      const tokenShape = [b, instruction.maxTokens];
      feeds[instruction.idsInput] = new ort.Tensor('int64', concat(ids, BigInt64Array), tokenShape);
      if (instruction.maskInput)
        feeds[instruction.maskInput] = new ort.Tensor('int64', concat(masks, BigInt64Array), tokenShape);
    }
    if (encoder.robotStateInput)
      feeds[encoder.robotStateInput] = new ort.Tensor('float32', concat(states, Float32Array), [b, ROBOT_STATE_DIMS]);
    return feeds;
  }

  /** Refuses an observation the encoder could not take, saying what it needs. */
  private checkObservation(observation: WmObservation, index: number): void {
    const { widthPx: w, heightPx: h, rgb } = observation;
    const which = `observation ${index}`;
    if (!(Number.isInteger(w) && w > 0 && Number.isInteger(h) && h > 0))
      throw new RangeError(`${which}: the picture's size must be whole numbers of pixels, got ${w}×${h}`);
    if (rgb.length !== w * h * 3)
      throw new RangeError(
        `${which}: an RGB picture of ${w}×${h} needs ${w * h * 3} bytes (width × height × 3), got ${rgb.length}`,
      );
    if (this.manifest.encoder.robotStateInput) {
      const state = observation.robotState;
      if (state.length !== ROBOT_STATE_DIMS || !state.every(Number.isFinite))
        throw new RangeError(
          `${which}: this world model needs the arm's state (${ROBOT_STATE_DIMS} finite numbers: six joints and ` +
            `the gripper), got [${state.join(', ')}]`,
        );
    }
  }

  /** The latent of each observation ([latent.size] each), from one batched encoder run. */
  async encode(observations: readonly WmObservation[]): Promise<Float32Array[]> {
    observations.forEach((observation, i) => this.checkObservation(observation, i));
    const { encoder, latent } = this.manifest;
    const size = latent.size;
    const latents: Float32Array[] = [];
    for (let start = 0; start < observations.length; start += this.encoderBatch) {
      const part = observations.slice(start, start + this.encoderBatch);
      const out = await this.encoder.run(await this.encoderFeeds(part), [encoder.latentOutput]);
      const data = this.floatOutput(
        out[encoder.latentOutput]!,
        part.length * size,
        `encoder output "${encoder.latentOutput}"`,
      );
      for (let i = 0; i < part.length; i += 1) latents.push(data.slice(i * size, (i + 1) * size));
    }
    return latents;
  }

  private floatOutput(tensor: ort.Tensor, expected: number, what: string): Float32Array {
    if (tensor.type !== 'float32') throw new Error(`${what} is ${tensor.type}; it must be float32`);
    const data = tensor.data as Float32Array;
    if (data.length !== expected)
      throw new Error(`${what} has ${data.length} values [${tensor.dims.join(', ')}], expected ${expected}`);
    return data;
  }

  private checkLatent(latent: Float32Array, what: string): void {
    const size = this.latentSize;
    if (latent.length !== size)
      throw new RangeError(`${what} has ${latent.length} values; this world model's latent has ${size}`);
  }

  /**
   * The latents after every action of each chunk, from the latent before it: chunks are physical
   * actions, [chunkLength × dims] flat each (divided by action.scale here). Returns, for each chunk,
   * chunkLength latents. All chunks go through one batched predictor run.
   */
  async rollout(latent: Float32Array, chunks: readonly Float32Array[]): Promise<Float32Array[][]> {
    this.checkLatent(latent, 'the latent');
    const { action, predictor } = this.manifest;
    const { chunkLength: c, dims: d, scale } = action;
    chunks.forEach((chunk, i) => {
      if (chunk.length !== c * d)
        throw new RangeError(
          `chunk ${i} has ${chunk.length} values; this world model takes chunks of ${c} actions × ${d} dims = ${c * d}`,
        );
    });
    const size = this.latentSize;
    const results: Float32Array[][] = [];
    for (let start = 0; start < chunks.length; start += this.predictorBatch) {
      const part = chunks.slice(start, start + this.predictorBatch);
      const b = part.length;
      const actions = new Float32Array(b * c * d);
      part.forEach((chunk, k) => {
        for (let i = 0; i < c * d; i += 1) actions[k * c * d + i] = chunk[i]! / scale[i % d]!;
      });
      const out = await this.predictor.run(
        {
          [predictor.latentInput]: new ort.Tensor('float32', repeat(latent, b), [b, size]),
          [predictor.actionsInput]: new ort.Tensor('float32', actions, [b, c, d]),
        },
        [predictor.latentsOutput],
      );
      const data = this.floatOutput(
        out[predictor.latentsOutput]!,
        b * c * size,
        `predictor output "${predictor.latentsOutput}"`,
      );
      for (let k = 0; k < b; k += 1) {
        const steps: Float32Array[] = [];
        for (let step = 0; step < c; step += 1) {
          const offset = (k * c + step) * size;
          steps.push(data.slice(offset, offset + size));
        }
        results.push(steps);
      }
    }
    return results;
  }

  /** The latent after the last action of each chunk (see rollout). */
  async finalLatents(latent: Float32Array, chunks: readonly Float32Array[]): Promise<Float32Array[]> {
    return (await this.rollout(latent, chunks)).map((steps) => steps[steps.length - 1]!);
  }

  /**
   * The distance of a predicted latent from the goal's, per manifest.energy: l1 Σ w|ẑ − g|, l2 √(Σ w(ẑ − g)²);
   * with reduction 'mean' the sum is divided by Σ w first (weights default to 1). Lower is better.
   */
  energy(predicted: Float32Array, goal: Float32Array): number {
    this.checkLatent(predicted, 'the predicted latent');
    this.checkLatent(goal, 'the goal latent');
    const { metric, weights, reduction } = this.manifest.energy;
    let sum = 0;
    let totalWeight = 0;
    for (let i = 0; i < predicted.length; i += 1) {
      const difference = predicted[i]! - goal[i]!;
      const w = weights ? weights[i]! : 1;
      sum += metric === 'l1' ? w * Math.abs(difference) : w * difference * difference;
      totalWeight += w;
    }
    if (reduction === 'mean') sum /= totalWeight;
    return metric === 'l1' ? sum : Math.sqrt(sum);
  }

  /** Each chunk's energy against the goal latent from the current latent (one predictor run); lower is better. */
  async energies(latent: Float32Array, goal: Float32Array, chunks: readonly Float32Array[]): Promise<number[]> {
    this.checkLatent(goal, 'the goal latent');
    return (await this.finalLatents(latent, chunks)).map((predicted) => this.energy(predicted, goal));
  }

  async release(): Promise<void> {
    await this.encoder.release();
    await this.predictor.release();
  }
}
