import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { ExecutionProvider } from '../../shared/system';
import { unnormalizeActions } from '../../shared/policy/actionNormalization';
import { gaussianNoise, sampleFlow } from '../../shared/policy/flowSampler';
import { ROBOT_STATE_DIMS, type ModelManifest } from '../../shared/policy/modelManifest';
import { SeededRandom } from '../../shared/sim/world/random';
import { imageToTensor, type RawImage } from './imagePreprocess';
import { InstructionTokenizer } from './instructionTokenizer';
import { ModelPackageError, type LoadedModelPackage } from './modelPackageTypes';
import { repeatBatch } from './repeatBatch';

export interface PolicyObservation {
  /** By the package's camera name ("scene"). */
  images: Record<string, RawImage>;
  instruction: string;
  /** The arm's state (ROBOT_STATE_NAMES), for packages whose prefix takes it. */
  robotState?: number[];
}

export interface InferenceOptions {
  /** Candidate chunks sampled from the same observation in one batched call (K). */
  candidates?: number;
  /** Seeds the noise; random when absent. */
  seed?: number;
  /** Overrides the manifest's flow.noiseScale (pair sampling uses 1). */
  noiseScale?: number;
}

export interface InferenceTimings {
  /** Decode, resize and lay out the images; tokenise. */
  preprocessMs: number;
  prefixMs: number;
  /** All flow steps of the expert, host-side Euler updates included. */
  expertMs: number;
  /** Time inside session.run alone (prefix + every expert step). */
  sessionMs: number;
  totalMs: number;
}

export interface InferenceResult {
  candidates: number;
  chunkLength: number;
  dims: number;
  /** [K, chunk, dims] in the policy's normalised range. */
  normalized: Float32Array;
  /** [K, chunk, dims] in physical units (unnormalised with q01/q99 and the mask). */
  actions: Float32Array;
  timings: InferenceTimings;
}

export interface PolicyRuntimeOptions {
  /** Providers to try, best first (default: CUDA where the binding has it, then CPU). */
  providers?: ExecutionProvider[];
  /** Skip the warm-up inference (tests that time the first call). */
  skipWarmup?: boolean;
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

async function createSessions(
  pkg: LoadedModelPackage,
  providers: ExecutionProvider[],
): Promise<{
  prefix: ort.InferenceSession;
  expert: ort.InferenceSession;
  provider: ExecutionProvider;
  note: string | null;
}> {
  const refusals: string[] = [];
  // A provider that is not usable here is reported in the note; onnxruntime's own log would only repeat it in red.
  const logLevel = ort.env.logLevel;
  ort.env.logLevel = 'fatal';
  try {
    return await firstWorkingProvider(pkg, providers, refusals);
  } finally {
    ort.env.logLevel = logLevel;
  }
}

async function firstWorkingProvider(
  pkg: LoadedModelPackage,
  providers: ExecutionProvider[],
  refusals: string[],
): Promise<{
  prefix: ort.InferenceSession;
  expert: ort.InferenceSession;
  provider: ExecutionProvider;
  note: string | null;
}> {
  for (const [index, provider] of providers.entries()) {
    const options: ort.InferenceSession.SessionOptions = { executionProviders: [provider], logSeverityLevel: 3 };
    const opened: ort.InferenceSession[] = [];
    try {
      for (const file of [pkg.prefixPath, pkg.expertPath]) {
        try {
          opened.push(await ort.InferenceSession.create(file, options));
        } catch (error) {
          // On the last provider (the CPU) a failure is the package's: name the graph.
          if (index === providers.length - 1)
            throw new ModelPackageError(path.basename(file), `onnxruntime cannot load it: ${firstLine(error)}`);
          throw error;
        }
      }
      const note = refusals.length ? refusals.join('; ') : provider === 'cpu' ? 'CUDA is not in this build' : null;
      return { prefix: opened[0]!, expert: opened[1]!, provider, note };
    } catch (error) {
      await Promise.all(opened.map((session) => session.release()));
      if (error instanceof ModelPackageError) throw error;
      refusals.push(`${provider} not usable: ${firstLine(error)}`);
    }
  }
  throw new Error(`no execution provider could run this package (${refusals.join('; ')})`);
}

function defaultProviders(): ExecutionProvider[] {
  const compiledIn = new Set(ort.listSupportedBackends().map((backend) => backend.name));
  return compiledIn.has('cuda') ? ['cuda', 'cpu'] : ['cpu'];
}

/**
 * A loaded policy: the two onnxruntime sessions, the tokenizer and the sampler. The prefix runs once
 * per observation; the expert runs `flow.steps` times on the batch of K candidate chunks, its
 * context repeated to the batch. Runs wherever it is created: Coach creates it in the inference
 * worker so the main event loop never waits on it.
 */
export class PolicyRuntime {
  private constructor(
    readonly pkg: LoadedModelPackage,
    private readonly prefix: ort.InferenceSession,
    private readonly expert: ort.InferenceSession,
    private readonly tokenizer: InstructionTokenizer,
    readonly provider: ExecutionProvider,
    readonly providerNote: string | null,
    readonly loadMs: number,
  ) {}

  warmupMs = 0;

  get manifest(): ModelManifest {
    return this.pkg.manifest;
  }

  static async load(pkg: LoadedModelPackage, options: PolicyRuntimeOptions = {}): Promise<PolicyRuntime> {
    const started = performance.now();
    const { prefix, expert, provider, note } = await createSessions(pkg, options.providers ?? defaultProviders());
    const tokenizer = new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction);
    const runtime = new PolicyRuntime(pkg, prefix, expert, tokenizer, provider, note, performance.now() - started);
    if (!options.skipWarmup) {
      const warmStarted = performance.now();
      await runtime.infer(runtime.blankObservation(), { candidates: 1, seed: 0 });
      runtime.warmupMs = performance.now() - warmStarted;
    }
    return runtime;
  }

  /** A mid-grey picture per camera and a short instruction: the warm-up input. */
  blankObservation(): PolicyObservation {
    const images: Record<string, RawImage> = {};
    for (const camera of this.manifest.cameras) {
      const data = new Uint8Array(camera.widthPx * camera.heightPx * 3).fill(128);
      images[camera.name] = { format: 'rgb24', widthPx: camera.widthPx, heightPx: camera.heightPx, data };
    }
    return { images, instruction: 'warm up', robotState: new Array<number>(ROBOT_STATE_DIMS).fill(0) };
  }

  /** The prefix's feeds for one observation (images laid out, instruction tokenised). */
  async prefixFeeds(observation: PolicyObservation): Promise<Record<string, ort.Tensor>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const camera of this.manifest.cameras) {
      const image = observation.images[camera.name];
      if (!image) throw new Error(`no picture from camera "${camera.name}", which the policy needs`);
      const tensor = await imageToTensor(image, camera);
      feeds[camera.input] = new ort.Tensor(camera.dtype, tensor.data, tensor.dims);
    }
    const { instruction } = this.manifest;
    const tokens = this.tokenizer.encode(observation.instruction);
    feeds[instruction.idsInput] = new ort.Tensor('int64', tokens.ids, [1, instruction.maxTokens]);
    if (instruction.maskInput)
      feeds[instruction.maskInput] = new ort.Tensor('int64', tokens.mask, [1, instruction.maxTokens]);
    const stateInput = this.manifest.prefix.robotStateInput;
    if (stateInput) {
      const state = observation.robotState;
      if (!state || state.length !== ROBOT_STATE_DIMS || !state.every(Number.isFinite))
        throw new Error(
          `this policy needs the arm's state (${ROBOT_STATE_DIMS} finite numbers: six joints and the gripper), got ${state ? `[${state.join(', ')}]` : 'none'}`,
        );
      feeds[stateInput] = new ort.Tensor('float32', Float32Array.from(state), [1, ROBOT_STATE_DIMS]);
    }
    return feeds;
  }

  async infer(observation: PolicyObservation, options: InferenceOptions = {}): Promise<InferenceResult> {
    const started = performance.now();
    const k = options.candidates ?? 1;
    if (!(Number.isInteger(k) && k >= 1 && k <= 64)) throw new RangeError(`candidates must be 1 … 64, got ${k}`);
    const { action, flow, expert: expertSpec } = this.manifest;
    const feeds = await this.prefixFeeds(observation);
    const preprocessed = performance.now();
    const prefixOut = await this.prefix.run(feeds, this.manifest.prefix.outputs);
    const prefixDone = performance.now();
    let sessionMs = prefixDone - preprocessed;

    const context: Record<string, ort.Tensor> = {};
    for (const [expertInput, prefixOutput] of Object.entries(expertSpec.context)) {
      context[expertInput] = repeatBatch(prefixOut[prefixOutput]!, k);
    }
    const random = new SeededRandom(options.seed ?? Math.floor(Math.random() * 2 ** 31));
    const shape = [k, action.chunkLength, action.dims];
    const noiseScale = options.noiseScale ?? flow.noiseScale;
    const noise = gaussianNoise(k * action.chunkLength * action.dims, random);
    if (noiseScale !== 1) for (let i = 0; i < noise.length; i += 1) noise[i]! *= noiseScale;
    const normalized = await sampleFlow(noise, k, flow.steps, async (xT, tValues) => {
      const runStarted = performance.now();
      const out = await this.expert.run(
        {
          ...context,
          [expertSpec.noisyActionInput]: new ort.Tensor('float32', xT, shape),
          [expertSpec.timeInput]: new ort.Tensor('float32', tValues, [k]),
        },
        [expertSpec.velocityOutput],
      );
      sessionMs += performance.now() - runStarted;
      return out[expertSpec.velocityOutput]!.data as Float32Array;
    });
    const expertDone = performance.now();
    return {
      candidates: k,
      chunkLength: action.chunkLength,
      dims: action.dims,
      normalized,
      actions: unnormalizeActions(normalized, action.normalization),
      timings: {
        preprocessMs: preprocessed - started,
        prefixMs: prefixDone - preprocessed,
        expertMs: expertDone - prefixDone,
        sessionMs,
        totalMs: expertDone - started,
      },
    };
  }

  /**
   * The bare graphs, for the benchmark's baseline: prefix once and `flow.steps` expert runs on
   * prepared feeds. Returns the time spent inside session.run alone, ms.
   */
  async runSessionsOnly(prefixFeeds: Record<string, ort.Tensor>, k: number): Promise<number> {
    const { action, flow, expert: expertSpec } = this.manifest;
    let started = performance.now();
    const prefixOut = await this.prefix.run(prefixFeeds, this.manifest.prefix.outputs);
    let sessionMs = performance.now() - started;
    const feeds: Record<string, ort.Tensor> = {
      [expertSpec.noisyActionInput]: new ort.Tensor('float32', new Float32Array(k * action.chunkLength * action.dims), [
        k,
        action.chunkLength,
        action.dims,
      ]),
      [expertSpec.timeInput]: new ort.Tensor('float32', new Float32Array(k).fill(0.5), [k]),
    };
    for (const [expertInput, prefixOutput] of Object.entries(expertSpec.context))
      feeds[expertInput] = repeatBatch(prefixOut[prefixOutput]!, k);
    for (let step = 0; step < flow.steps; step += 1) {
      started = performance.now();
      await this.expert.run(feeds, [expertSpec.velocityOutput]);
      sessionMs += performance.now() - started;
    }
    return sessionMs;
  }

  async release(): Promise<void> {
    await this.prefix.release();
    await this.expert.release();
  }
}
