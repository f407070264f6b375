import { ROBOT_STATE_DIMS, type ModelManifest } from '../../shared/policy/modelManifest';
import { ModelPackageError } from './modelPackageTypes';
import type { GraphDim, GraphTensor, OnnxGraphInfo } from './onnxGraphInfo';

/** A required dim: a static size, or null for any (the batch B). */
type Want = number | null;

const showDim = (dim: GraphDim) => (dim === null ? '?' : String(dim));
export const showShape = (dims: readonly GraphDim[] | null) => (dims ? `[${dims.map(showDim).join(', ')}]` : '[?]');
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
  throw new ModelPackageError(file, `has no ${kind} "${name}" (manifest.json ${field}); its ${kind}s are ${names}`);
}

/** Refuses a tensor whose element type or static dims contradict what the manifest implies. */
function expectTensor(file: string, tensor: GraphTensor, elemType: string, want: readonly Want[], why: string): void {
  const needs = `${why} needs ${elemType} ${showWant(want)}`;
  if (tensor.elemType !== elemType)
    throw new ModelPackageError(file, `"${tensor.name}" is ${tensor.elemType}, but ${needs}`);
  if (!tensor.dims) return;
  const mismatch =
    tensor.dims.length !== want.length ||
    tensor.dims.some((dim, i) => typeof dim === 'number' && want[i] !== null && dim !== want[i]);
  if (mismatch) throw new ModelPackageError(file, `"${tensor.name}" is ${showShape(tensor.dims)}, but ${needs}`);
}

/** The prefix: camera images and the instruction feed its inputs; the context outputs exist with batch 1. */
export function checkPrefixGraph(file: string, manifest: ModelManifest, graph: OnnxGraphInfo): void {
  const fed = new Set<string>();
  manifest.cameras.forEach((camera, i) => {
    const tensor = find(file, graph.inputs, 'input', camera.input, `cameras[${i}].input`);
    const { widthPx: w, heightPx: h } = camera;
    const want = camera.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
    expectTensor(file, tensor, camera.dtype, want, `camera "${camera.name}" (${camera.layout}, ${w}×${h})`);
    fed.add(camera.input);
  });
  const { instruction } = manifest;
  const ids = find(file, graph.inputs, 'input', instruction.idsInput, 'instruction.idsInput');
  expectTensor(
    file,
    ids,
    'int64',
    [1, instruction.maxTokens],
    `instruction.idsInput (maxTokens ${instruction.maxTokens})`,
  );
  fed.add(instruction.idsInput);
  if (manifest.prefix.robotStateInput) {
    const state = find(file, graph.inputs, 'input', manifest.prefix.robotStateInput, 'prefix.robotStateInput');
    expectTensor(file, state, 'float32', [1, ROBOT_STATE_DIMS], 'prefix.robotStateInput');
    fed.add(manifest.prefix.robotStateInput);
  }
  if (instruction.maskInput) {
    const mask = find(file, graph.inputs, 'input', instruction.maskInput, 'instruction.maskInput');
    expectTensor(file, mask, 'int64', [1, instruction.maxTokens], 'instruction.maskInput');
    fed.add(instruction.maskInput);
  }
  for (const input of graph.inputs) {
    if (!fed.has(input.name))
      throw new ModelPackageError(
        file,
        `input "${input.name}" is fed by nothing in manifest.json (cameras[].input, instruction.idsInput, instruction.maskInput, prefix.robotStateInput)`,
      );
  }
  manifest.prefix.outputs.forEach((name, i) => {
    const output = find(file, graph.outputs, 'output', name, `prefix.outputs[${i}]`);
    const batch = output.dims?.[0];
    if (output.dims?.length === 0 || (typeof batch === 'number' && batch !== 1))
      throw new ModelPackageError(
        file,
        `output "${name}" is ${showShape(output.dims)}; context tensors must have batch 1 on their first axis`,
      );
  });
}

/** Same element type and rank, and no static dim after the batch that differs. */
function expectSameTensor(file: string, input: GraphTensor, output: GraphTensor): void {
  const what = `expert input "${input.name}" (${input.elemType} ${showShape(input.dims)}) does not fit prefix output "${output.name}" (${output.elemType} ${showShape(output.dims)})`;
  if (input.elemType !== output.elemType) throw new ModelPackageError(file, `${what}: the element types differ`);
  if (!input.dims || !output.dims) return;
  if (input.dims.length !== output.dims.length) throw new ModelPackageError(file, `${what}: the ranks differ`);
  for (let i = 1; i < input.dims.length; i += 1) {
    const [a, b] = [input.dims[i], output.dims[i]];
    if (typeof a === 'number' && typeof b === 'number' && a !== b)
      throw new ModelPackageError(file, `${what}: axis ${i} differs`);
  }
}

/** The expert: x_t, t and the mapped context are its only inputs; velocity comes out. */
export function checkExpertGraph(
  file: string,
  manifest: ModelManifest,
  graph: OnnxGraphInfo,
  prefix: OnnxGraphInfo,
): void {
  const { expert, action } = manifest;
  const chunk = [null, action.chunkLength, action.dims];
  const why = `(B, chunkLength ${action.chunkLength}, dims ${action.dims})`;
  const xT = find(file, graph.inputs, 'input', expert.noisyActionInput, 'expert.noisyActionInput');
  expectTensor(file, xT, 'float32', chunk, `expert.noisyActionInput ${why}`);
  const t = find(file, graph.inputs, 'input', expert.timeInput, 'expert.timeInput');
  expectTensor(file, t, 'float32', [null], 'expert.timeInput (one flow time per chunk)');
  const velocity = find(file, graph.outputs, 'output', expert.velocityOutput, 'expert.velocityOutput');
  expectTensor(file, velocity, 'float32', chunk, `expert.velocityOutput ${why}`);
  for (const [inputName, outputName] of Object.entries(expert.context)) {
    const input = find(file, graph.inputs, 'input', inputName, `expert.context key "${inputName}"`);
    const output = prefix.outputs.find((item) => item.name === outputName);
    if (output) expectSameTensor(file, input, output);
  }
  for (const input of graph.inputs) {
    if (
      input.name === expert.noisyActionInput ||
      input.name === expert.timeInput ||
      Object.hasOwn(expert.context, input.name)
    )
      continue;
    throw new ModelPackageError(
      file,
      `input "${input.name}" is not mapped in manifest.json expert.context; every expert input must be ` +
        `x_t (expert.noisyActionInput), t (expert.timeInput) or a context input mapped to a prefix output`,
    );
  }
}
