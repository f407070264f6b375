import { np } from '../jax';
import { ONNX_TYPE } from '../onnxModel';
import { intAttr, intsAttr, requiredInput, staticInts, type Operator } from '../operatorTypes';
import { dimsOf, HostTensor, isHost, normalizeAxis, product, take, type Value } from '../values';
import { broadcastDims, hostElementwise } from './hostMath';

/** The value with new dims: host tensors keep their data, arrays are reshaped. */
function withDims(value: Value, dims: number[]): Value {
  if (isHost(value)) return new HostTensor(value.dataType, dims, value.data);
  return take(value).reshape(dims);
}

/** Reshape's target: 0 copies the input's size at that position (unless allowzero), -1 is inferred. */
export function reshapeDims(input: readonly number[], shape: readonly number[], allowZero: boolean): number[] {
  const out = shape.map((size, i) => (size === 0 && !allowZero ? input[i]! : size));
  const inferred = out.indexOf(-1);
  if (inferred >= 0) {
    const known = product(out.filter((_, i) => i !== inferred));
    out[inferred] = known === 0 ? 0 : product(input) / known;
  }
  if (product(out) !== product(input) || out.some((size) => !Number.isInteger(size) || size < 0))
    throw new Error(`cannot reshape [${input.join(', ')}] to [${shape.join(', ')}]`);
  return out;
}

/** Axes from input 1 (opset 13+) or the `axes` attribute (older opsets). */
function axesOf(inputs: readonly (Value | undefined)[], node: Parameters<Operator['run']>[1]): number[] | undefined {
  if (inputs[1] !== undefined) return staticInts(node, inputs, 1);
  return intsAttr(node, 'axes');
}

const reshape: Operator = {
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    return [withDims(x, reshapeDims(dimsOf(x), staticInts(node, inputs, 1), intAttr(node, 'allowzero', 0) === 1))];
  },
};

const flatten: Operator = {
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const dims = dimsOf(x);
    const raw = intAttr(node, 'axis', 1);
    const axis = raw < 0 ? raw + dims.length : raw;
    return [withDims(x, [product(dims.slice(0, axis)), product(dims.slice(axis))])];
  },
};

const unsqueeze: Operator = {
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const dims = dimsOf(x);
    const rank = dims.length + (axesOf(inputs, node)?.length ?? 0);
    const axes = new Set((axesOf(inputs, node) ?? []).map((axis) => normalizeAxis(axis, rank)));
    const rest = [...dims];
    return [
      withDims(
        x,
        Array.from({ length: rank }, (_, i) => (axes.has(i) ? 1 : rest.shift()!)),
      ),
    ];
  },
};

const squeeze: Operator = {
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const dims = dimsOf(x);
    const listed = axesOf(inputs, node);
    const axes = listed
      ? new Set(listed.map((axis) => normalizeAxis(axis, dims.length)))
      : new Set(dims.flatMap((size, i) => (size === 1 ? [i] : [])));
    for (const axis of axes) if (dims[axis] !== 1) throw new Error(`cannot squeeze axis ${axis} of size ${dims[axis]}`);
    return [
      withDims(
        x,
        dims.filter((_, i) => !axes.has(i)),
      ),
    ];
  },
};

const transpose: Operator = {
  run: (inputs, node) => {
    const x = take(requiredInput(inputs, 0));
    const perm = intsAttr(node, 'perm') ?? x.shape.map((_, i) => x.ndim - 1 - i);
    return [x.transpose(perm)];
  },
};

const concat: Operator = {
  run: (inputs, node) => {
    const values = inputs.filter((value): value is Value => value !== undefined);
    const rank = dimsOf(values[0]!).length;
    const axis = normalizeAxis(intAttr(node, 'axis', 0), rank);
    if (rank === 1 && values.every(isHost)) {
      const hosts = values as HostTensor[];
      const data = hosts.flatMap((t) => t.values());
      return [new HostTensor(hosts[0]!.dataType, [data.length], data)];
    }
    return [np.concatenate(values.map(take), axis)];
  },
};

const shape: Operator = {
  run: (inputs, node) => {
    const dims = dimsOf(requiredInput(inputs, 0));
    const clamp = (index: number) => Math.min(Math.max(index < 0 ? index + dims.length : index, 0), dims.length);
    const picked = dims.slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', dims.length)));
    return [new HostTensor(ONNX_TYPE.int64, [picked.length], picked)];
  },
};

const expand: Operator = {
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const out = broadcastDims(dimsOf(x), staticInts(node, inputs, 1));
    if (isHost(x))
      return [
        hostElementwise(
          [x, new HostTensor(x.dataType, out, new Array<number>(product(out)).fill(0))],
          x.dataType,
          (a) => a,
        ),
      ];
    return [np.broadcastTo(take(x), out)];
  },
};

const identity: Operator = {
  run: (inputs) => {
    const x = requiredInput(inputs, 0);
    return [isHost(x) ? x : take(x)];
  },
};

export const SHAPE_OPERATORS: Record<string, Operator> = {
  Reshape: reshape,
  Flatten: flatten,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Transpose: transpose,
  Concat: concat,
  Shape: shape,
  Expand: expand,
  Identity: identity,
};
