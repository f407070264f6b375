import fs from 'node:fs/promises';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import { ROBOT_STATE_DIMS } from '../../shared/policy/modelManifest';
import { worldModelManifestSchema, type WorldModelManifest } from '../../shared/worldModel/worldModelManifest';
import { formatManifestIssues } from '../policy/manifestIssues';
import { ModelPackageError } from '../policy/modelPackageTypes';
import { readOnnxGraphInfo, type GraphTensor, type OnnxGraphInfo } from '../policy/onnxGraphInfo';
import { showShape } from '../policy/packageGraphChecks';
import { MANIFEST, packageFolderFiles, TOKENIZER_CONFIG } from '../policy/packageFolderFiles';

const WHAT_A_PACKAGE_HOLDS =
  'a world-model package is a folder holding manifest.json, encoder.onnx and predictor.onnx ' +
  '(and tokenizer.json when the encoder reads the instruction); see docs/world-model-package.md';

/** A world-model package Coach refuses, with the file at fault and what is wrong with it. */
export class WorldModelPackageError extends CoachError {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super('world_model_invalid', `${file}: ${problem}`, { file, problem });
    this.name = 'WorldModelPackageError';
  }
}

/** A world-model package folder that passed validation. */
export interface LoadedWorldModelPackage {
  /** Absolute path of the package folder. */
  dir: string;
  manifest: WorldModelManifest;
  encoderPath: string;
  predictorPath: string;
  /** The parsed tokenizer.json (Hugging Face format) when the encoder reads the instruction, else null. */
  tokenizerJson: Record<string, unknown> | null;
  /** tokenizer_config.json beside it, when the encoder reads the instruction and the file is present. */
  tokenizerConfig: Record<string, unknown> | null;
  /** Weights in both graphs (elements of all initializers). */
  parameterCount: number;
}

/** A file of the package with its size. */
export interface WorldModelPackageFile {
  file: string;
  bytes: number;
}

/** A validated package plus what the validator read of its graphs. */
export interface WorldModelPackageInspection {
  pkg: LoadedWorldModelPackage;
  encoder: OnnxGraphInfo;
  predictor: OnnxGraphInfo;
  files: WorldModelPackageFile[];
}

const { readJsonObject, packageFile, readTokenizer, readTokenizerConfig } = packageFolderFiles(
  (file, problem) => new WorldModelPackageError(file, problem),
  WHAT_A_PACKAGE_HOLDS,
);

async function readManifest(dir: string): Promise<WorldModelManifest> {
  const raw = await readJsonObject(dir, MANIFEST, null);
  if (raw.format === 'coach.model-package/1')
    throw new WorldModelPackageError(
      MANIFEST,
      'is a policy package\'s manifest (format "coach.model-package/1"), not a world model\'s ("coach.world-model/1")',
    );
  const parsed = worldModelManifestSchema.safeParse(raw);
  if (!parsed.success) throw new WorldModelPackageError(MANIFEST, formatManifestIssues(parsed.error, raw));
  return parsed.data;
}

/** The policy helpers refuse with ModelPackageError: the same file and problem, as a world model's. */
async function readGraph(graphPath: string, label: string): Promise<OnnxGraphInfo> {
  try {
    return await readOnnxGraphInfo(graphPath, label);
  } catch (error) {
    if (error instanceof ModelPackageError) throw new WorldModelPackageError(error.file, error.problem);
    throw error;
  }
}

/** A required dim: a static size, or null for any (the batch B). */
type Want = number | null;

const showWant = (dims: readonly Want[]) => `[${dims.map((dim) => (dim === null ? 'B' : String(dim))).join(', ')}]`;

function find(
  file: string,
  tensors: readonly GraphTensor[],
  kind: 'input' | 'output',
  name: string,
  field: string,
): GraphTensor {
  const tensor = tensors.find((item) => item.name === name);
  if (tensor) return tensor;
  const names = tensors.map((item) => `"${item.name}"`).join(', ') || 'none';
  throw new WorldModelPackageError(
    file,
    `has no ${kind} "${name}" (manifest.json ${field}); its ${kind}s are ${names}: rename the field or re-export the graph`,
  );
}

/** Refuses a tensor whose element type or static dims contradict what the manifest implies. */
function expectTensor(file: string, tensor: GraphTensor, elemType: string, want: readonly Want[], why: string): void {
  const needs = `${why} needs ${elemType} ${showWant(want)}`;
  if (tensor.elemType !== elemType)
    throw new WorldModelPackageError(file, `"${tensor.name}" is ${tensor.elemType}, but ${needs}`);
  if (!tensor.dims) return;
  const mismatch =
    tensor.dims.length !== want.length ||
    tensor.dims.some((dim, i) => typeof dim === 'number' && want[i] !== null && dim !== want[i]);
  if (mismatch)
    throw new WorldModelPackageError(
      file,
      `"${tensor.name}" is ${showShape(tensor.dims)}, but ${needs}: fix the manifest or re-export the graph`,
    );
}

/** The encoder: the frame (+ instruction, + arm state) feed its inputs; the latent comes out. */
function checkEncoderGraph(file: string, manifest: WorldModelManifest, graph: OnnxGraphInfo): void {
  const { camera, instruction, encoder, latent } = manifest;
  const fed = new Set<string>();
  const image = find(file, graph.inputs, 'input', camera.input, 'camera.input');
  const { widthPx: w, heightPx: h } = camera;
  const imageDims = camera.layout === 'NCHW' ? [null, 3, h, w] : [null, h, w, 3];
  expectTensor(file, image, camera.dtype, imageDims, `camera "${camera.name}" (${camera.layout}, ${w}×${h})`);
  fed.add(camera.input);
  if (instruction) {
    const ids = find(file, graph.inputs, 'input', instruction.idsInput, 'instruction.idsInput');
    const tokens = [null, instruction.maxTokens];
    expectTensor(file, ids, 'int64', tokens, `instruction.idsInput (maxTokens ${instruction.maxTokens})`);
    fed.add(instruction.idsInput);
    if (instruction.maskInput) {
      const mask = find(file, graph.inputs, 'input', instruction.maskInput, 'instruction.maskInput');
      expectTensor(file, mask, 'int64', tokens, 'instruction.maskInput');
      fed.add(instruction.maskInput);
    }
  }
  if (encoder.robotStateInput) {
    const state = find(file, graph.inputs, 'input', encoder.robotStateInput, 'encoder.robotStateInput');
    expectTensor(file, state, 'float32', [null, ROBOT_STATE_DIMS], 'encoder.robotStateInput');
    fed.add(encoder.robotStateInput);
  }
  for (const input of graph.inputs) {
    if (!fed.has(input.name))
      throw new WorldModelPackageError(
        file,
        `input "${input.name}" is fed by nothing in manifest.json (camera.input, instruction.idsInput, ` +
          'instruction.maskInput, encoder.robotStateInput): name it there or export the encoder without it',
      );
  }
  const output = find(file, graph.outputs, 'output', encoder.latentOutput, 'encoder.latentOutput');
  expectTensor(file, output, 'float32', [null, latent.size], `encoder.latentOutput (latent.size ${latent.size})`);
}

/** The predictor: the latent and the scaled chunk in, the latent after every action out. */
function checkPredictorGraph(file: string, manifest: WorldModelManifest, graph: OnnxGraphInfo): void {
  const { predictor, latent, action } = manifest;
  const sizes = `latent.size ${latent.size}, action.chunkLength ${action.chunkLength}, action.dims ${action.dims}`;
  const z = find(file, graph.inputs, 'input', predictor.latentInput, 'predictor.latentInput');
  expectTensor(file, z, 'float32', [null, latent.size], `predictor.latentInput (latent.size ${latent.size})`);
  const actions = find(file, graph.inputs, 'input', predictor.actionsInput, 'predictor.actionsInput');
  expectTensor(file, actions, 'float32', [null, action.chunkLength, action.dims], `predictor.actionsInput (${sizes})`);
  for (const input of graph.inputs) {
    if (input.name !== predictor.latentInput && input.name !== predictor.actionsInput)
      throw new WorldModelPackageError(
        file,
        `input "${input.name}" is fed by nothing in manifest.json; the predictor takes only ` +
          'predictor.latentInput and predictor.actionsInput',
      );
  }
  const latents = find(file, graph.outputs, 'output', predictor.latentsOutput, 'predictor.latentsOutput');
  expectTensor(file, latents, 'float32', [null, action.chunkLength, latent.size], `predictor.latentsOutput (${sizes})`);
}

async function fileSizes(dir: string, files: readonly string[]): Promise<WorldModelPackageFile[]> {
  return Promise.all(files.map(async (file) => ({ file, bytes: (await fs.stat(path.join(dir, file))).size })));
}

/**
 * Validates a world-model package folder (docs/world-model-package.md) and says what it holds. Refuses
 * anything Coach could not run with a WorldModelPackageError naming the file at fault and the problem:
 * missing files, a manifest that breaks the schema, a graph that does not parse, or graph inputs and
 * outputs that contradict the manifest. Reads the graphs' structure only; onnxruntime loads them later.
 */
export async function inspectWorldModelPackage(folder: string): Promise<WorldModelPackageInspection> {
  const dir = path.resolve(folder);
  const stat = await fs.stat(dir).catch(() => null);
  if (!stat) throw new WorldModelPackageError(dir, `no such folder; ${WHAT_A_PACKAGE_HOLDS}`);
  if (!stat.isDirectory()) throw new WorldModelPackageError(dir, `is a file, not a folder; ${WHAT_A_PACKAGE_HOLDS}`);

  const manifest = await readManifest(dir);
  const encoderPath = await packageFile(dir, manifest.encoder.file, 'encoder.file');
  const predictorPath = await packageFile(dir, manifest.predictor.file, 'predictor.file');
  let tokenizerJson: Record<string, unknown> | null = null;
  let tokenizerConfig: Record<string, unknown> | null = null;
  if (manifest.instruction) {
    await packageFile(dir, manifest.instruction.tokenizer, 'instruction.tokenizer');
    tokenizerJson = await readTokenizer(dir, manifest.instruction.tokenizer);
    tokenizerConfig = await readTokenizerConfig(dir);
  }

  const encoder = await readGraph(encoderPath, manifest.encoder.file);
  checkEncoderGraph(manifest.encoder.file, manifest, encoder);
  const predictor = await readGraph(predictorPath, manifest.predictor.file);
  checkPredictorGraph(manifest.predictor.file, manifest, predictor);

  const beside = (graphFile: string, info: OnnxGraphInfo) =>
    info.externalDataFiles.map((file) => path.join(path.dirname(graphFile), file));
  const files = await fileSizes(dir, [
    MANIFEST,
    manifest.encoder.file,
    ...beside(manifest.encoder.file, encoder),
    manifest.predictor.file,
    ...beside(manifest.predictor.file, predictor),
    ...(manifest.instruction ? [manifest.instruction.tokenizer] : []),
    ...(tokenizerConfig ? [TOKENIZER_CONFIG] : []),
  ]);
  const pkg: LoadedWorldModelPackage = {
    dir,
    manifest,
    encoderPath,
    predictorPath,
    tokenizerJson,
    tokenizerConfig,
    parameterCount: encoder.parameterCount + predictor.parameterCount,
  };
  return { pkg, encoder, predictor, files };
}

/** Validates a world-model package folder and returns it ready for onnxruntime (see inspectWorldModelPackage). */
export async function loadWorldModelPackage(dir: string): Promise<LoadedWorldModelPackage> {
  return (await inspectWorldModelPackage(dir)).pkg;
}
