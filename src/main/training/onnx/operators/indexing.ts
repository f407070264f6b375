import { np, type JaxArray } from '../jax';
import { ONNX_TYPE } from '../onnxModel';
import {
  intAttr,
  intsAttr,
  refuse,
  requiredInput,
  staticInts,
  stringAttr,
  floatAttr,
  type Operator,
} from '../operatorTypes';
import { arrayFromData, dimsOf, HostTensor, isHost, normalizeAxis, take, type Value } from '../values';

type Inputs = readonly (Value | undefined)[];

/** Slice's starts/ends/axes/steps: inputs 1–4 from opset 10, attributes before. */
function sliceArguments(inputs: Inputs, node: Parameters<Operator['run']>[1], rank: number, opset: number) {
  const fromInput = (index: number) => (inputs[index] !== undefined ? staticInts(node, inputs, index) : undefined);
  const starts = opset >= 10 ? staticInts(node, inputs, 1) : (intsAttr(node, 'starts') ?? []);
  const ends = opset >= 10 ? staticInts(node, inputs, 2) : (intsAttr(node, 'ends') ?? []);
  const axes = (opset >= 10 ? fromInput(3) : intsAttr(node, 'axes')) ?? starts.map((_, i) => i);
  const steps = (opset >= 10 ? fromInput(4) : undefined) ?? starts.map(() => 1);
  return { starts, ends, axes: axes.map((axis) => normalizeAxis(axis, rank)), steps };
}

const slice: Operator = {
  check: (node, context) => {
    const steps = node.inputs[4] ? context.constant(node.inputs[4]) : undefined;
    if (steps && steps.values().some((step) => step !== 1))
      refuse(node, `steps [${steps.values().join(', ')}]: only step 1 is supported`);
  },
  run: (inputs, node, context) => {
    const x = requiredInput(inputs, 0);
    const dims = dimsOf(x);
    const { starts, ends, axes, steps } = sliceArguments(inputs, node, dims.length, context.opset);
    const ranges: ([number, number] | [])[] = dims.map(() => []);
    axes.forEach((axis, k) => {
      if (steps[k] !== 1) refuse(node, `step ${steps[k]} on axis ${axis}: only step 1 is supported`);
      const size = dims[axis]!;
      const clamp = (index: number) => Math.min(Math.max(index < 0 ? index + size : index, 0), size);
      const start = clamp(starts[k]!);
      ranges[axis] = [start, Math.max(start, clamp(ends[k]!))];
    });
    if (isHost(x) && dims.length === 1) {
      const [start, end] = ranges[0]!.length ? (ranges[0] as [number, number]) : [0, dims[0]!];
      const data = x.values().slice(start, end);
      return [new HostTensor(x.dataType, [data.length], data)];
    }
    return [take(x).slice(...ranges)];
  },
};

/** Indices as an int32 array with negative ones wrapped (ONNX allows -size … size-1). */
function indexArray(indices: Value, size: number): JaxArray {
  if (isHost(indices)) {
    const wrapped = indices.values().map((i) => (i < 0 ? i + size : i));
    return arrayFromData(wrapped, indices.dims, ONNX_TYPE.int64);
  }
  const raw = take(indices);
  return np.where(np.less(raw.ref, 0), np.add(raw.ref, size), raw);
}

const gather: Operator = {
  run: (inputs, node) => {
    const data = requiredInput(inputs, 0);
    const indices = requiredInput(inputs, 1);
    const dims = dimsOf(data);
    const axis = normalizeAxis(intAttr(node, 'axis', 0), dims.length);
    const size = dims[axis]!;
    if (isHost(data) && isHost(indices) && dims.length === 1) {
      const picked = indices.values().map((i) => data.data[i < 0 ? i + size : i]!);
      return [new HostTensor(data.dataType, indices.dims, picked)];
    }
    return [np.take(take(data), indexArray(indices, size), axis)];
  },
};

const pad: Operator = {
  check: (node) => {
    const mode = stringAttr(node, 'mode', 'constant');
    if (mode !== 'constant') refuse(node, `mode "${mode}": only constant padding is supported`);
  },
  run: (inputs, node, context) => {
    const x = requiredInput(inputs, 0);
    const rank = dimsOf(x).length;
    const pads = context.opset >= 11 ? staticInts(node, inputs, 1) : (intsAttr(node, 'pads') ?? []);
    const axes =
      (inputs[3] !== undefined ? staticInts(node, inputs, 3) : undefined)?.map((a) => normalizeAxis(a, rank)) ??
      Array.from({ length: rank }, (_, i) => i);
    const widths: [number, number][] = Array.from({ length: rank }, () => [0, 0]);
    axes.forEach((axis, k) => {
      widths[axis] = [pads[k]!, pads[k + axes.length]!];
    });
    if (widths.some(([before, after]) => before < 0 || after < 0))
      refuse(node, `pads [${pads.join(', ')}]: negative pads (cropping) are not supported`);
    let value = floatAttr(node, 'value', 0);
    const constant = inputs[2];
    if (constant !== undefined) {
      if (!isHost(constant)) throw new Error('constant_value must be a constant known before running');
      value = constant.data[0] ?? 0;
    }
    if (value === 0) return [np.pad(take(x), widths)];
    return [np.pad(take(x).sub(value), widths).add(value)];
  },
};

export const INDEXING_OPERATORS: Record<string, Operator> = {
  Slice: slice,
  Gather: gather,
  Pad: pad,
};
