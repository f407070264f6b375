import { np, type DType, type JaxArray } from './jax';
import { ONNX_TYPE, onnxTypeName, type OnnxTensor } from './onnxModel';

/**
 * A value known while tracing, held in JS memory: shapes, axes, indices and small constants (int64
 * and bool initializers, Constant nodes, Shape outputs). Operators read it as plain numbers; it turns
 * into a jax array only where it meets array arithmetic, so it is never differentiated.
 */
export class HostTensor {
  constructor(
    /** TensorProto.DataType. */
    readonly dataType: number,
    readonly dims: readonly number[],
    readonly data: ArrayLike<number>,
  ) {}

  static fromOnnx(tensor: OnnxTensor): HostTensor {
    return new HostTensor(tensor.dataType, tensor.dims, tensor.data);
  }

  get size(): number {
    return this.data.length;
  }

  values(): number[] {
    return Array.from(this.data);
  }
}

/** What flows along a graph edge while the interpreter runs. */
export type Value = JaxArray | HostTensor;

export const isHost = (value: Value): value is HostTensor => value instanceof HostTensor;

/** The jax dtype an ONNX element type runs as: int64 runs as int32 (jax-js has no 64-bit integers). */
export function jaxDType(dataType: number): DType {
  switch (dataType) {
    case ONNX_TYPE.float32:
      return 'float32' as DType;
    case ONNX_TYPE.float64:
      return 'float64' as DType;
    case ONNX_TYPE.int64:
    case ONNX_TYPE.int32:
    case ONNX_TYPE.int8:
    case ONNX_TYPE.uint8:
      return 'int32' as DType;
    case ONNX_TYPE.bool:
      return 'bool' as DType;
    default:
      throw new Error(`element type ${onnxTypeName(dataType)} has no jax-js equivalent here`);
  }
}

/** The ONNX element type a value stands for (int32 arrays stand for int64). */
export function onnxTypeOf(value: Value): number {
  if (isHost(value)) return value.dataType;
  switch (value.dtype as string) {
    case 'float32':
      return ONNX_TYPE.float32;
    case 'float64':
      return ONNX_TYPE.float64;
    case 'bool':
      return ONNX_TYPE.bool;
    default:
      return ONNX_TYPE.int64;
  }
}

export const isFloatType = (dataType: number): boolean =>
  dataType === ONNX_TYPE.float32 || dataType === ONNX_TYPE.float64 || dataType === ONNX_TYPE.float16;

/** A new jax array holding `data` with `dims`, as the jax dtype of ONNX element type `dataType`. */
export function arrayFromData(data: ArrayLike<number | bigint | boolean>, dims: readonly number[], dataType: number) {
  const dtype = jaxDType(dataType);
  const count = data.length;
  const numbers = (convert: (v: number | bigint | boolean) => number) =>
    Array.from({ length: count }, (_, i) => convert(data[i]!));
  const typed =
    dtype === 'float32'
      ? data instanceof Float32Array
        ? data
        : Float32Array.from(numbers(Number))
      : dtype === 'float64'
        ? Float64Array.from(numbers(Number))
        : Int32Array.from(numbers(dtype === 'bool' ? (v) => (v ? 1 : 0) : Number));
  return np.array(typed, { shape: [...dims], dtype });
}

/**
 * An owned jax array for `value`, to consume: a borrowed array gets a new reference (`.ref`), a host
 * tensor is uploaded.
 */
export function take(value: Value): JaxArray {
  return isHost(value) ? arrayFromData(value.data, value.dims, value.dataType) : value.ref;
}

/** The value's shape, whichever kind it is. */
export const dimsOf = (value: Value): number[] => (isHost(value) ? [...value.dims] : value.shape);

/** Frees a jax array; host tensors need nothing. */
export function release(value: Value | undefined): void {
  if (value !== undefined && !isHost(value)) value.dispose();
}

/** Resolves a possibly negative axis against `rank`; throws when out of range. */
export function normalizeAxis(axis: number, rank: number): number {
  const resolved = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(resolved) || resolved < 0 || resolved >= Math.max(rank, 1))
    throw new Error(`axis ${axis} is out of range for rank ${rank}`);
  return resolved;
}

export const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
