import type { MessageInitShape } from '@bufbuild/protobuf';
import type * as Onnx from 'onnx-buf';
import { SeededRandom } from '../../../shared/sim/world/random';

/** ONNX element types the test graphs use (TensorProto.DataType). */
export const ELEM = { float32: 1, int64: 7, bool: 9 } as const;
export type ElemName = keyof typeof ELEM;

/** A static size, or a symbolic one such as "batch". */
export type Dim = number | string;

/** An AttributeProto as a plain init object (not a created message). */
type Attribute = Exclude<MessageInitShape<typeof Onnx.AttributeProtoSchema>, Onnx.AttributeProto>;
type Tensor = MessageInitShape<typeof Onnx.TensorProtoSchema>;
type ValueInfo = MessageInitShape<typeof Onnx.ValueInfoProtoSchema>;
type Node = MessageInitShape<typeof Onnx.NodeProtoSchema>;

// AttributeProto.AttributeType values.
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_INTS = 7;

/** Node attributes by name: `int(1)`, `ints([0, 2, 1])`, `float(1e-5)`. */
export type Attrs = Record<string, Omit<Attribute, 'name'>>;
export const int = (value: number): Omit<Attribute, 'name'> => ({ type: ATTR_INT, i: BigInt(value) });
export const ints = (values: readonly number[]): Omit<Attribute, 'name'> => ({
  type: ATTR_INTS,
  ints: values.map(BigInt),
});
export const float = (value: number): Omit<Attribute, 'name'> => ({ type: ATTR_FLOAT, f: value });

/** Little-endian bytes of the values as the element type, for TensorProto.raw_data. */
function rawBytes(values: ArrayLike<number>, elem: ElemName): Uint8Array<ArrayBuffer> {
  const width = elem === 'float32' ? 4 : elem === 'int64' ? 8 : 1;
  const bytes = new Uint8Array(values.length * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i]!;
    if (elem === 'float32') view.setFloat32(i * 4, value, true);
    else if (elem === 'int64') view.setBigInt64(i * 8, BigInt(value), true);
    else bytes[i] = value ? 1 : 0;
  }
  return bytes;
}

function valueInfo(name: string, elem: ElemName, dims: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      value: {
        case: 'tensorType',
        value: {
          elemType: ELEM[elem],
          shape: {
            dim: dims.map((dim) =>
              typeof dim === 'number'
                ? { value: { case: 'dimValue' as const, value: BigInt(dim) } }
                : { value: { case: 'dimParam' as const, value: dim } },
            ),
          },
        },
      },
    },
  };
}

/**
 * Builds one ONNX graph node by node: weights drawn from a seeded normal distribution (so the same
 * seed gives the same bytes), small constants as Constant nodes (they do not count as parameters),
 * and unique names for every intermediate value.
 */
export class OnnxGraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly random: SeededRandom;
  private counter = 0;

  constructor(
    readonly name: string,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
  }

  input(name: string, elem: ElemName, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elem, dims));
    return name;
  }

  /** Names `value` as a graph output (through an Identity node when it already has another name). */
  output(value: string, name: string, elem: ElemName, dims: readonly Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', name: `${name}_out`, input: [value], output: [name] });
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /** A float32 weight drawn from N(0, std²). */
  weight(name: string, dims: readonly number[], std: number): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    for (let i = 0; i < count; i += 1) values[i] = this.random.gaussian(0, std);
    return this.tensor(name, dims, values);
  }

  /** A float32 weight with every element `value` (LayerNorm scales and biases). */
  filled(name: string, dims: readonly number[], value: number): string {
    return this.tensor(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(value));
  }

  private tensor(name: string, dims: readonly number[], values: Float32Array): string {
    this.initializers.push({
      name,
      dims: dims.map(BigInt),
      dataType: ELEM.float32,
      rawData: rawBytes(values, 'float32'),
    });
    return name;
  }

  /** A Constant node: shapes, axes, frequencies. */
  constant(values: readonly number[], dims: readonly number[], elem: ElemName = 'int64'): string {
    const output = this.fresh('const');
    const value: Tensor = {
      name: output,
      dims: dims.map(BigInt),
      dataType: ELEM[elem],
      rawData: rawBytes(values, elem),
    };
    this.nodes.push({
      opType: 'Constant',
      name: output,
      output: [output],
      attribute: [{ name: 'value', type: 4, t: value }],
    });
    return output;
  }

  /** Adds a node and returns the name of its (first) output. */
  op(opType: string, inputs: readonly string[], attrs: Attrs = {}): string {
    const output = this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: output,
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attrs).map(([name, attribute]) => ({ name, ...attribute })),
    });
    return output;
  }

  private fresh(stem: string): string {
    this.counter += 1;
    return `${stem}_${this.counter}`;
  }

  /** The serialised model (IR 9, default opset 20). */
  async toBytes(): Promise<Uint8Array> {
    const { create, toBinary } = await import('@bufbuild/protobuf');
    const onnx = await import('onnx-buf');
    const model = create(onnx.ModelProtoSchema, {
      irVersion: 9n,
      producerName: 'coach-test-package',
      producerVersion: '1',
      opsetImport: [{ domain: '', version: 20n }],
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return toBinary(onnx.ModelProtoSchema, model);
  }
}
