import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

/** One initializer's header: name, element count (from its dims) and external data entries. */
export interface InitializerHeader {
  name: string;
  elements: number;
  /** external_data entries (location, offset, length) when data_location is EXTERNAL; else null. */
  external: Map<string, string> | null;
}

/** The parts of an ONNX ModelProto the validator reads; weights are skipped, never copied. */
export interface OnnxSkeleton {
  opsets: { domain: string; version: number }[];
  graph: {
    nodeCount: number;
    /** Serialised ValueInfoProto messages (small), to decode with onnx-buf. */
    inputs: Uint8Array[];
    outputs: Uint8Array[];
    initializers: InitializerHeader[];
  } | null;
}

type Field = { field: number; bytes: Uint8Array; varint: null } | { field: number; bytes: null; varint: bigint };

/** The fields of one protobuf message, in order; length-delimited ones as views into `bytes`. */
function* fields(bytes: Uint8Array): Generator<Field> {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 0) throw new Error('illegal field number 0');
    if (wireType === WireType.LengthDelimited) yield { field, bytes: reader.bytes(), varint: null };
    else if (wireType === WireType.Varint) yield { field, bytes: null, varint: BigInt(reader.uint64()) };
    else reader.skip(wireType, field);
  }
}

const utf8 = new TextDecoder();

function packedVarints(bytes: Uint8Array): bigint[] {
  const reader = new BinaryReader(bytes);
  const values: bigint[] = [];
  while (reader.pos < reader.len) values.push(BigInt(reader.int64()));
  return values;
}

// Field numbers from onnx.proto.
const MODEL = { opsetImport: 8, graph: 7 };
const OPSET = { domain: 1, version: 2 };
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12 };
const TENSOR = { dims: 1, externalData: 13, dataLocation: 14, name: 8 };
const ENTRY = { key: 1, value: 2 };
const DATA_LOCATION_EXTERNAL = 1n;

function readInitializer(bytes: Uint8Array): InitializerHeader {
  let name = '';
  const dims: bigint[] = [];
  const entries = new Map<string, string>();
  let external = false;
  for (const item of fields(bytes)) {
    if (item.field === TENSOR.dims) dims.push(...(item.bytes ? packedVarints(item.bytes) : [item.varint]));
    else if (item.field === TENSOR.name && item.bytes) name = utf8.decode(item.bytes);
    else if (item.field === TENSOR.dataLocation && item.varint !== null)
      external = item.varint === DATA_LOCATION_EXTERNAL;
    else if (item.field === TENSOR.externalData && item.bytes) {
      let key = '';
      let value = '';
      for (const part of fields(item.bytes)) {
        if (part.field === ENTRY.key && part.bytes) key = utf8.decode(part.bytes);
        if (part.field === ENTRY.value && part.bytes) value = utf8.decode(part.bytes);
      }
      entries.set(key, value);
    }
  }
  const elements = dims.reduce((count, dim) => count * Number(dim), 1);
  return { name, elements, external: external ? entries : null };
}

/**
 * Walks an ONNX model's protobuf encoding for its opsets and its graph's inputs, outputs, node count
 * and initializer headers, without decoding (or copying) the weights: a 1 GB graph reads in the time
 * it takes to skip over it. Throws on bytes that are not well-formed protobuf (a truncated file).
 */
export function readOnnxSkeleton(bytes: Uint8Array): OnnxSkeleton {
  const skeleton: OnnxSkeleton = { opsets: [], graph: null };
  for (const item of fields(bytes)) {
    if (item.field === MODEL.opsetImport && item.bytes) {
      let domain = '';
      let version = 0;
      for (const part of fields(item.bytes)) {
        if (part.field === OPSET.domain && part.bytes) domain = utf8.decode(part.bytes);
        if (part.field === OPSET.version && part.varint !== null) version = Number(part.varint);
      }
      skeleton.opsets.push({ domain, version });
    } else if (item.field === MODEL.graph && item.bytes) {
      const graph = {
        nodeCount: 0,
        inputs: [] as Uint8Array[],
        outputs: [] as Uint8Array[],
        initializers: [] as InitializerHeader[],
      };
      for (const part of fields(item.bytes)) {
        if (!part.bytes) continue;
        if (part.field === GRAPH.node) graph.nodeCount += 1;
        else if (part.field === GRAPH.input) graph.inputs.push(part.bytes);
        else if (part.field === GRAPH.output) graph.outputs.push(part.bytes);
        else if (part.field === GRAPH.initializer) graph.initializers.push(readInitializer(part.bytes));
      }
      skeleton.graph = graph;
    }
  }
  return skeleton;
}
