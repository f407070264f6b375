import { fromBinary } from '@bufbuild/protobuf';
import * as onnx from 'onnx-buf';
import fs from 'node:fs';
import path from 'node:path';
import { onnxElemTypeName } from '../../policy/onnxGraphInfo';

/** TensorProto.DataType codes the interpreter reads. */
export const ONNX_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  int32: 6,
  int64: 7,
  bool: 9,
  float16: 10,
  float64: 11,
} as const;

/** The name of a TensorProto.DataType code ('float32', 'int64', …). */
export const onnxTypeName = onnxElemTypeName;

/** A decoded tensor: float types as Float32Array/Float64Array, integer and bool types as plain numbers. */
export interface OnnxTensor {
  name: string;
  /** TensorProto.DataType. */
  dataType: number;
  dims: number[];
  data: Float32Array | Float64Array | number[];
}

export type OnnxAttribute = number | string | number[] | string[] | OnnxTensor;

export interface OnnxNode {
  /** Position in the graph's node list. */
  index: number;
  name: string;
  opType: string;
  domain: string;
  /** Input names; '' marks an omitted optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType (0 when not a tensor). */
  dataType: number;
  /** Static sizes, symbolic names ("batch"), or null where unknown; null when the rank is unknown. */
  dims: (number | string | null)[] | null;
}

export interface OnnxModel {
  /** Default-domain opset version. */
  opset: number;
  /** Inputs fed at run time (initializers also listed as inputs are left out). */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, OnnxTensor>;
  nodes: OnnxNode[];
}

export interface ParseOnnxOptions {
  /** Folder that external-data locations are relative to; without it external weights are refused. */
  externalDataDir?: string;
}

// AttributeProto.AttributeType.
const ATTR = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;
const DATA_LOCATION_EXTERNAL = 1;

const utf8 = new TextDecoder();

function externalBytes(tensor: onnx.TensorProto, dir: string | undefined): Uint8Array {
  const entry = (key: string) => tensor.externalData.find((item) => item.key === key)?.value;
  const location = entry('location');
  if (dir === undefined || location === undefined)
    throw new Error(`initializer "${tensor.name}" is stored in external data; pass externalDataDir to read it`);
  const file = fs.readFileSync(path.resolve(dir, location));
  const offset = Number(entry('offset') ?? 0);
  const length = entry('length') !== undefined ? Number(entry('length')) : file.length - offset;
  return file.subarray(offset, offset + length);
}

function fromRaw(raw: Uint8Array, dataType: number, count: number, name: string): OnnxTensor['data'] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read = (width: number, get: (offset: number) => number) =>
    Array.from({ length: count }, (_, i) => get(i * width));
  switch (dataType) {
    case ONNX_TYPE.float32: {
      // A byte copy: every platform Node runs on is little-endian, as raw_data is.
      const values = new Float32Array(count);
      new Uint8Array(values.buffer).set(raw.subarray(0, count * 4));
      return values;
    }
    case ONNX_TYPE.float64:
      return Float64Array.from(read(8, (o) => view.getFloat64(o, true)));
    case ONNX_TYPE.int64:
      return read(8, (o) => Number(view.getBigInt64(o, true)));
    case ONNX_TYPE.int32:
      return read(4, (o) => view.getInt32(o, true));
    case ONNX_TYPE.int8:
      return read(1, (o) => view.getInt8(o));
    case ONNX_TYPE.uint8:
    case ONNX_TYPE.bool:
      return read(1, (o) => view.getUint8(o));
    default:
      throw new Error(`tensor "${name}" has element type ${onnxTypeName(dataType)}, which the interpreter cannot read`);
  }
}

/** Decodes a TensorProto's values, from raw_data, the typed repeated fields or external data. */
export function decodeTensor(tensor: onnx.TensorProto, options: ParseOnnxOptions = {}): OnnxTensor {
  const dims = tensor.dims.map(Number);
  const count = dims.reduce((a, b) => a * b, 1);
  const { dataType, name } = tensor;
  let data: OnnxTensor['data'];
  if (tensor.dataLocation === DATA_LOCATION_EXTERNAL)
    data = fromRaw(externalBytes(tensor, options.externalDataDir), dataType, count, name);
  else if (tensor.rawData.length > 0) data = fromRaw(tensor.rawData, dataType, count, name);
  else if (dataType === ONNX_TYPE.float32) data = Float32Array.from(tensor.floatData);
  else if (dataType === ONNX_TYPE.float64) data = Float64Array.from(tensor.doubleData);
  else if (dataType === ONNX_TYPE.int64) data = tensor.int64Data.map(Number);
  else if ([ONNX_TYPE.int32, ONNX_TYPE.int8, ONNX_TYPE.uint8, ONNX_TYPE.bool].includes(dataType as 6))
    data = [...tensor.int32Data];
  else
    throw new Error(`tensor "${name}" has element type ${onnxTypeName(dataType)}, which the interpreter cannot read`);
  if (data.length !== count)
    throw new Error(`tensor "${name}" holds ${data.length} values but its dims [${dims.join(', ')}] need ${count}`);
  return { name, dataType, dims, data };
}

function decodeAttribute(attribute: onnx.AttributeProto, options: ParseOnnxOptions): OnnxAttribute | undefined {
  switch (attribute.type as number) {
    case ATTR.FLOAT:
      return attribute.f;
    case ATTR.INT:
      return Number(attribute.i);
    case ATTR.STRING:
      return utf8.decode(attribute.s);
    case ATTR.TENSOR:
      return attribute.t ? decodeTensor(attribute.t, options) : undefined;
    case ATTR.FLOATS:
      return [...attribute.floats];
    case ATTR.INTS:
      return attribute.ints.map(Number);
    case ATTR.STRINGS:
      return attribute.strings.map((s) => utf8.decode(s));
    default:
      // Graphs, sparse tensors and type protos: kept out; an operator that needs one refuses the node.
      return undefined;
  }
}

function describeValue(value: onnx.ValueInfoProto): OnnxValueInfo {
  const type = value.type?.value;
  if (type?.case !== 'tensorType') return { name: value.name, dataType: 0, dims: null };
  const shape = type.value.shape;
  const dims = shape
    ? shape.dim.map((dim) => {
        if (dim.value.case === 'dimValue') return Number(dim.value.value);
        if (dim.value.case === 'dimParam' && dim.value.value) return dim.value.value;
        return null;
      })
    : null;
  return { name: value.name, dataType: type.value.elemType, dims };
}

/** Parses a serialised ONNX model into the graph description the interpreter runs. */
export function parseOnnxModel(bytes: Uint8Array, options: ParseOnnxOptions = {}): OnnxModel {
  const model = fromBinary(onnx.ModelProtoSchema, bytes);
  const graph = model.graph;
  if (!graph) throw new Error('the ONNX model holds no graph');
  const opsetEntry = model.opsetImport.find((entry) => entry.domain === '' || entry.domain === 'ai.onnx');
  const initializers = new Map(graph.initializer.map((tensor) => [tensor.name, decodeTensor(tensor, options)]));
  const nodes = graph.node.map((node, index): OnnxNode => ({
    index,
    name: node.name,
    opType: node.opType,
    domain: node.domain,
    inputs: [...node.input],
    outputs: [...node.output],
    attributes: new Map(
      node.attribute.flatMap((attribute) => {
        const value = decodeAttribute(attribute, options);
        return value === undefined ? [] : [[attribute.name, value] as const];
      }),
    ),
  }));
  return {
    opset: opsetEntry ? Number(opsetEntry.version) : 1,
    inputs: graph.input.filter((value) => !initializers.has(value.name)).map(describeValue),
    outputs: graph.output.map(describeValue),
    initializers,
    nodes,
  };
}
