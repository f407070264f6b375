import fs from 'node:fs/promises';
import path from 'node:path';
import type * as Onnx from 'onnx-buf';
import { ModelPackageError } from './modelPackageTypes';
import { readOnnxSkeleton, type InitializerHeader, type OnnxSkeleton } from './onnxWire';

/** A dim: its static size, its symbolic name ("batch"), or null when the graph leaves it unknown. */
export type GraphDim = number | string | null;

export interface GraphTensor {
  name: string;
  /** 'float32', 'int64', 'bool', … ('non-tensor' for sequences and maps). */
  elemType: string;
  /** Null when the graph declares no shape (rank unknown). */
  dims: GraphDim[] | null;
}

export interface OnnxGraphInfo {
  /** Graph inputs that are fed at run time (initializers listed as inputs left out). */
  inputs: GraphTensor[];
  outputs: GraphTensor[];
  /** Elements of all initializers, counted from their dims (so external data counts too). */
  parameterCount: number;
  /** External data files the weights live in, relative to the graph's folder. */
  externalDataFiles: string[];
  /** The default-domain opset it imports (null when none). */
  opsetVersion: number | null;
}

/** TensorProto.DataType, by number. */
const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** The name of a TensorProto.DataType code ('float32', 'int64', …). */
export const onnxElemTypeName = (code: number): string => ELEM_TYPES[code] ?? `type ${code}`;

function describeValue(value: Onnx.ValueInfoProto): GraphTensor {
  const type = value.type?.value;
  if (type?.case !== 'tensorType') return { name: value.name, elemType: 'non-tensor', dims: null };
  const elemType = onnxElemTypeName(type.value.elemType);
  const shape = type.value.shape;
  if (!shape) return { name: value.name, elemType, dims: null };
  const dims = shape.dim.map((dim): GraphDim => {
    if (dim.value.case === 'dimValue') return Number(dim.value.value);
    if (dim.value.case === 'dimParam' && dim.value.value) return dim.value.value;
    return null;
  });
  return { name: value.name, elemType, dims };
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0]!;

/** The external data files the initializers name, each checked to exist and to be long enough. */
async function checkExternalData(
  initializers: readonly InitializerHeader[],
  graphPath: string,
  label: string,
): Promise<string[]> {
  const needed = new Map<string, number>();
  for (const tensor of initializers) {
    if (!tensor.external) continue;
    const location = tensor.external.get('location');
    if (!location) throw new ModelPackageError(label, `weight "${tensor.name}" is external but names no data file`);
    const end = Number(tensor.external.get('offset') ?? 0) + Number(tensor.external.get('length') ?? 0);
    needed.set(location, Math.max(needed.get(location) ?? 0, end));
  }
  const folder = path.dirname(graphPath);
  for (const [location, end] of needed) {
    const target = path.resolve(folder, location);
    if (path.isAbsolute(location) || path.relative(folder, target).startsWith('..'))
      throw new ModelPackageError(label, `its weights file "${location}" is outside the package folder`);
    const stat = await fs.stat(target).catch(() => null);
    if (!stat?.isFile())
      throw new ModelPackageError(label, `its weights are stored in "${location}", which is not in ${folder}`);
    if (stat.size < end)
      throw new ModelPackageError(
        label,
        `its weights file "${location}" has ${stat.size} bytes but the graph reads up to byte ${end} (truncated?)`,
      );
  }
  return [...needed.keys()];
}

/**
 * Reads an ONNX model's graph interface: its inputs and outputs with element types and dims, and how
 * many weights it holds. Refuses a file that does not parse or has no graph with a ModelPackageError
 * naming `label` (the file's name in the package).
 */
export async function readOnnxGraphInfo(graphPath: string, label: string): Promise<OnnxGraphInfo> {
  const { fromBinary } = await import('@bufbuild/protobuf');
  const onnx = await import('onnx-buf');
  const bytes = await fs.readFile(graphPath);
  let skeleton: OnnxSkeleton;
  let inputs: Onnx.ValueInfoProto[];
  let outputs: Onnx.ValueInfoProto[];
  try {
    skeleton = readOnnxSkeleton(bytes);
    const decode = (item: Uint8Array) => fromBinary(onnx.ValueInfoProtoSchema, item, { readUnknownFields: false });
    inputs = skeleton.graph?.inputs.map(decode) ?? [];
    outputs = skeleton.graph?.outputs.map(decode) ?? [];
  } catch (error) {
    throw new ModelPackageError(
      label,
      `is not a valid ONNX model (${bytes.length} bytes; corrupt or truncated?): ${firstLine(error)}`,
    );
  }
  const graph = skeleton.graph;
  if (!graph || graph.nodeCount === 0 || outputs.length === 0)
    throw new ModelPackageError(label, 'holds no ONNX graph (no nodes or no outputs): is it really an ONNX model?');
  const initializerNames = new Set(graph.initializers.map((tensor) => tensor.name));
  const opset = skeleton.opsets.find((entry) => entry.domain === '' || entry.domain === 'ai.onnx');
  return {
    inputs: inputs.filter((value) => !initializerNames.has(value.name)).map(describeValue),
    outputs: outputs.map(describeValue),
    parameterCount: graph.initializers.reduce((count, tensor) => count + tensor.elements, 0),
    externalDataFiles: await checkExternalData(graph.initializers, graphPath, label),
    opsetVersion: opset ? opset.version : null,
  };
}
