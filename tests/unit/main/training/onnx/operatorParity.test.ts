import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import {
  float,
  int,
  ints,
  OnnxGraphBuilder,
  type Attrs,
  type ElemName,
} from '../../../../../src/main/policy/testPackage/onnxBuilder';
import { SUPPORTED_OPERATORS } from '../../../../../src/main/training/onnx/operators/index';
import { parityError, randomFloats, type Feed } from './helpers';

/** A string attribute (the repo's builder has helpers for numbers only). */
const str = (value: string): Attrs[string] => ({ type: 3, s: new TextEncoder().encode(value) });
/** A tensor attribute holding float32 values. */
const floatTensor = (values: number[], dims: number[]): Attrs[string] => ({
  type: 4,
  t: { dims: dims.map(BigInt), dataType: 1, floatData: values },
});

type Input = number[] | Feed | ((random: SeededRandom) => Feed);

interface Case {
  label: string;
  /** Graph inputs: float32 N(0,1) of these dims, an explicit feed, or a feed drawn from the seed. */
  inputs: Record<string, Input>;
  build(g: OnnxGraphBuilder, x: Record<string, string>): string;
  out: number[];
  outElem?: ElemName;
}

const positive =
  (dims: number[]) =>
  (random: SeededRandom): Feed => {
    const feed = randomFloats(random, dims);
    return { ...feed, data: Float32Array.from(feed.data, (v) => Math.abs(v) + 0.1) };
  };
const int64 =
  (dims: number[], low: number, high: number) =>
  (random: SeededRandom): Feed => ({
    type: 'int64',
    dims,
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => random.int(low, high)),
  });
const bools =
  (dims: number[]) =>
  (random: SeededRandom): Feed => ({
    type: 'bool',
    dims,
    data: Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (random.next() < 0.5 ? 1 : 0)),
  });

const unary = (op: string, inputs: Input = [2, 3, 4]): Case => ({
  label: op,
  inputs: { a: inputs },
  build: (g, x) => g.op(op, [x.a!]),
  out: [2, 3, 4],
});

const CASES: Case[] = [
  // Gemm and MatMul
  {
    label: 'Gemm transB, alpha, beta, C broadcast [N]',
    inputs: { a: [3, 4], b: [5, 4], c: [5] },
    build: (g, x) => g.op('Gemm', [x.a!, x.b!, x.c!], { transB: int(1), alpha: float(0.5), beta: float(2) }),
    out: [3, 5],
  },
  {
    label: 'Gemm transA, C [M, 1], weight initializer',
    inputs: { a: [4, 3], c: [3, 1] },
    build: (g, x) => g.op('Gemm', [x.a!, g.weight('w', [4, 5], 1), x.c!], { transA: int(1) }),
    out: [3, 5],
  },
  {
    label: 'Gemm without C',
    inputs: { a: [2, 3], b: [3, 4] },
    build: (g, x) => g.op('Gemm', [x.a!, x.b!]),
    out: [2, 4],
  },
  {
    label: 'MatMul [2,3,4]·[4,5]',
    inputs: { a: [2, 3, 4], b: [4, 5] },
    build: (g, x) => g.op('MatMul', [x.a!, x.b!]),
    out: [2, 3, 5],
  },
  {
    label: 'MatMul [3,4]·[2,4,5]',
    inputs: { a: [3, 4], b: [2, 4, 5] },
    build: (g, x) => g.op('MatMul', [x.a!, x.b!]),
    out: [2, 3, 5],
  },
  {
    label: 'MatMul batch broadcast [2,1,3,4]·[5,4,2]',
    inputs: { a: [2, 1, 3, 4], b: [5, 4, 2] },
    build: (g, x) => g.op('MatMul', [x.a!, x.b!]),
    out: [2, 5, 3, 2],
  },
  {
    label: 'MatMul vector·[2,4,5]',
    inputs: { a: [4], b: [2, 4, 5] },
    build: (g, x) => g.op('MatMul', [x.a!, x.b!]),
    out: [2, 5],
  },
  {
    label: 'MatMul [3,4]·vector',
    inputs: { a: [3, 4], b: [4] },
    build: (g, x) => g.op('MatMul', [x.a!, x.b!]),
    out: [3],
  },
  // Broadcasting arithmetic
  {
    label: 'Add [2,3,4]+[4]',
    inputs: { a: [2, 3, 4], b: [4] },
    build: (g, x) => g.op('Add', [x.a!, x.b!]),
    out: [2, 3, 4],
  },
  {
    label: 'Sub [2,1,4]−[3,1]',
    inputs: { a: [2, 1, 4], b: [3, 1] },
    build: (g, x) => g.op('Sub', [x.a!, x.b!]),
    out: [2, 3, 4],
  },
  { label: 'Mul [3]·[2,3]', inputs: { a: [3], b: [2, 3] }, build: (g, x) => g.op('Mul', [x.a!, x.b!]), out: [2, 3] },
  {
    label: 'Div [2,3]/[2,1]',
    inputs: { a: [2, 3], b: positive([2, 1]) },
    build: (g, x) => g.op('Div', [x.a!, x.b!]),
    out: [2, 3],
  },
  {
    label: 'Pow by constant 2',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Pow', [x.a!, g.constant([2], [], 'float32')]),
    out: [2, 3],
  },
  {
    label: 'Pow by constant 0.5 and by an array exponent',
    inputs: { a: positive([2, 3]), b: [3] },
    build: (g, x) => g.op('Pow', [g.op('Pow', [x.a!, g.constant([0.5], [1], 'float32')]), x.b!]),
    out: [2, 3],
  },
  {
    label: 'Max of three, broadcasting',
    inputs: { a: [2, 3], b: [3], c: [2, 1] },
    build: (g, x) => g.op('Max', [x.a!, x.b!, x.c!]),
    out: [2, 3],
  },
  { label: 'Min of two', inputs: { a: [2, 3], b: [1, 3] }, build: (g, x) => g.op('Min', [x.a!, x.b!]), out: [2, 3] },
  {
    label: 'Equal (int64)',
    inputs: { a: int64([2, 3], 0, 2), b: int64([3], 0, 2) },
    build: (g, x) => g.op('Equal', [x.a!, x.b!]),
    out: [2, 3],
    outElem: 'bool',
  },
  {
    label: 'Less',
    inputs: { a: [2, 3], b: [3] },
    build: (g, x) => g.op('Less', [x.a!, x.b!]),
    out: [2, 3],
    outElem: 'bool',
  },
  {
    label: 'Greater',
    inputs: { a: [2, 3], b: [2, 1] },
    build: (g, x) => g.op('Greater', [x.a!, x.b!]),
    out: [2, 3],
    outElem: 'bool',
  },
  { label: 'Not', inputs: { a: bools([2, 3]) }, build: (g, x) => g.op('Not', [x.a!]), out: [2, 3], outElem: 'bool' },
  {
    label: 'Where, broadcasting',
    inputs: { c: bools([2, 3]), a: [2, 3], b: [3] },
    build: (g, x) => g.op('Where', [x.c!, x.a!, x.b!]),
    out: [2, 3],
  },
  // Unary
  unary('Relu'),
  unary('Sigmoid'),
  unary('Tanh'),
  unary('Erf'),
  unary('Sqrt', positive([2, 3, 4])),
  unary('Exp'),
  unary('Log', positive([2, 3, 4])),
  unary('Abs'),
  unary('Neg'),
  unary('Sin'),
  unary('Cos'),
  { label: 'Gelu exact', inputs: { a: [2, 3, 4] }, build: (g, x) => g.op('Gelu', [x.a!]), out: [2, 3, 4] },
  {
    label: 'Gelu tanh',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('Gelu', [x.a!], { approximate: str('tanh') }),
    out: [2, 3, 4],
  },
  // Shapes
  {
    label: 'Concat axis -1',
    inputs: { a: [2, 3], b: [2, 2] },
    build: (g, x) => g.op('Concat', [x.a!, x.b!], { axis: int(-1) }),
    out: [2, 5],
  },
  {
    label: 'Concat axis 0',
    inputs: { a: [1, 3], b: [2, 3] },
    build: (g, x) => g.op('Concat', [x.a!, x.b!], { axis: int(0) }),
    out: [3, 3],
  },
  {
    label: 'Reshape with 0 and -1',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('Reshape', [x.a!, g.constant([0, -1], [2])]),
    out: [2, 12],
  },
  {
    label: 'Transpose perm',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('Transpose', [x.a!], { perm: ints([2, 0, 1]) }),
    out: [4, 2, 3],
  },
  {
    label: 'Transpose default (reverse)',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('Transpose', [x.a!]),
    out: [4, 3, 2],
  },
  {
    label: 'Unsqueeze axes [0, -1]',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Unsqueeze', [x.a!, g.constant([0, -1], [2])]),
    out: [1, 2, 3, 1],
  },
  {
    label: 'Squeeze axes [1]',
    inputs: { a: [2, 1, 3] },
    build: (g, x) => g.op('Squeeze', [x.a!, g.constant([1], [1])]),
    out: [2, 3],
  },
  { label: 'Squeeze all unit axes', inputs: { a: [1, 3, 1] }, build: (g, x) => g.op('Squeeze', [x.a!]), out: [3] },
  {
    label: 'Flatten axis 2',
    inputs: { a: [2, 3, 4, 5] },
    build: (g, x) => g.op('Flatten', [x.a!], { axis: int(2) }),
    out: [6, 20],
  },
  {
    label: 'Flatten axis 0',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Flatten', [x.a!], { axis: int(0) }),
    out: [1, 6],
  },
  {
    label: 'Expand [3,1] to [2,3,4]',
    inputs: { a: [3, 1] },
    build: (g, x) => g.op('Expand', [x.a!, g.constant([2, 1, 4], [3])]),
    out: [2, 3, 4],
  },
  { label: 'Identity', inputs: { a: [2, 3] }, build: (g, x) => g.op('Identity', [x.a!]), out: [2, 3] },
  { label: 'Shape', inputs: { a: [2, 3, 4] }, build: (g, x) => g.op('Shape', [x.a!]), out: [3], outElem: 'int64' },
  {
    label: 'Shape start/end, used to Reshape',
    inputs: { a: [2, 3, 4], b: [6, 4] },
    build: (g, x) =>
      g.op('Reshape', [
        x.b!,
        g.op('Concat', [g.op('Shape', [x.a!], { start: int(0), end: int(-1) }), g.constant([-1], [1])], {
          axis: int(0),
        }),
      ]),
    out: [2, 3, 4],
  },
  // Indexing
  {
    label: 'Slice with negative starts, large ends',
    inputs: { a: [4, 6] },
    build: (g, x) =>
      g.op('Slice', [x.a!, g.constant([1, -4], [2]), g.constant([3, 100], [2]), g.constant([0, 1], [2])]),
    out: [2, 4],
  },
  {
    label: 'Slice negative axis, explicit steps 1',
    inputs: { a: [2, 3, 6] },
    build: (g, x) =>
      g.op('Slice', [x.a!, g.constant([2], [1]), g.constant([-1], [1]), g.constant([-1], [1]), g.constant([1], [1])]),
    out: [2, 3, 3],
  },
  {
    label: 'Gather constant indices with a negative one, axis 1',
    inputs: { a: [3, 4] },
    build: (g, x) => g.op('Gather', [x.a!, g.constant([0, 2, -1, 1], [2, 2])], { axis: int(1) }),
    out: [3, 2, 2],
  },
  {
    label: 'Gather run-time indices (embedding lookup)',
    inputs: { i: int64([2, 3], -5, 4) },
    build: (g, x) => g.op('Gather', [g.weight('table', [5, 4], 1), x.i!]),
    out: [2, 3, 4],
  },
  {
    label: 'Gather scalar index',
    inputs: { a: [3, 4] },
    build: (g, x) => g.op('Gather', [x.a!, g.constant([2], [])], { axis: int(0) }),
    out: [4],
  },
  {
    label: 'Pad with constant_value',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Pad', [x.a!, g.constant([1, 0, 0, 2], [4]), g.constant([0.5], [], 'float32')]),
    out: [3, 5],
  },
  {
    label: 'Pad zeros on given axes',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('Pad', [x.a!, g.constant([1, 2], [2]), '', g.constant([-1], [1])]),
    out: [2, 3, 7],
  },
  // Tensors
  {
    label: 'Cast float→float',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Cast', [x.a!], { to: int(1) }),
    out: [2, 3],
  },
  {
    label: 'Cast int64→float',
    inputs: { a: int64([2, 3], -3, 3) },
    build: (g, x) => g.op('Cast', [x.a!], { to: int(1) }),
    out: [2, 3],
  },
  {
    label: 'Cast int64→bool',
    inputs: { a: int64([2, 3], 0, 2) },
    build: (g, x) => g.op('Cast', [x.a!], { to: int(9) }),
    out: [2, 3],
    outElem: 'bool',
  },
  {
    label: 'Constant feeding Add',
    inputs: { a: [2, 3] },
    build: (g, x) => g.op('Add', [x.a!, g.constant([1, 2, 3], [3], 'float32')]),
    out: [2, 3],
  },
  {
    label: 'ConstantOfShape',
    inputs: { a: [2, 3] },
    build: (g, x) =>
      g.op('Mul', [x.a!, g.op('ConstantOfShape', [g.constant([2, 3], [2])], { value: floatTensor([1.5], [1]) })]),
    out: [2, 3],
  },
  {
    label: 'Range',
    inputs: {},
    build: (g) => g.op('Range', [g.constant([1], []), g.constant([10], []), g.constant([3], [])]),
    out: [3],
    outElem: 'int64',
  },
  // Normalisation and reductions
  {
    label: 'LayerNormalization axis -1',
    inputs: { a: [2, 3, 8] },
    build: (g, x) =>
      g.op('LayerNormalization', [x.a!, g.weight('scale', [8], 1), g.weight('bias', [8], 1)], {
        axis: int(-1),
        epsilon: float(1e-5),
      }),
    out: [2, 3, 8],
  },
  {
    label: 'LayerNormalization axis 1, no bias',
    inputs: { a: [2, 3, 4] },
    build: (g, x) =>
      g.op('LayerNormalization', [x.a!, g.weight('scale', [3, 4], 1)], { axis: int(1), epsilon: float(1e-3) }),
    out: [2, 3, 4],
  },
  {
    label: 'Softmax axis -1',
    inputs: { a: [2, 3, 5] },
    build: (g, x) => g.op('Softmax', [x.a!], { axis: int(-1) }),
    out: [2, 3, 5],
  },
  {
    label: 'Softmax axis 0',
    inputs: { a: [3, 4] },
    build: (g, x) => g.op('Softmax', [x.a!], { axis: int(0) }),
    out: [3, 4],
  },
  {
    label: 'LogSoftmax axis 1',
    inputs: { a: [3, 4] },
    build: (g, x) => g.op('LogSoftmax', [x.a!], { axis: int(1) }),
    out: [3, 4],
  },
  {
    label: 'ReduceMean axes [1] keepdims 1',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('ReduceMean', [x.a!, g.constant([1], [1])], { keepdims: int(1) }),
    out: [2, 1, 4],
  },
  {
    label: 'ReduceSum axes [-1] keepdims 0',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('ReduceSum', [x.a!, g.constant([-1], [1])], { keepdims: int(0) }),
    out: [2, 3],
  },
  {
    label: 'ReduceMax over all, keepdims 0',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('ReduceMax', [x.a!], { keepdims: int(0) }),
    out: [],
  },
  {
    label: 'ReduceMin axes [0, 2]',
    inputs: { a: [2, 3, 4] },
    build: (g, x) => g.op('ReduceMin', [x.a!, g.constant([0, 2], [2])]),
    out: [1, 3, 1],
  },
  // Convolution and pooling
  {
    label: 'Conv 3×3 stride 2 pad 1 with bias',
    inputs: { a: [2, 3, 9, 9] },
    build: (g, x) =>
      g.op('Conv', [x.a!, g.weight('w', [4, 3, 3, 3], 0.3), g.weight('b', [4], 1)], {
        kernel_shape: ints([3, 3]),
        strides: ints([2, 2]),
        pads: ints([1, 1, 1, 1]),
      }),
    out: [2, 4, 5, 5],
  },
  {
    label: 'Conv 2×3 stride 1 asymmetric pads, no bias',
    inputs: { a: [1, 2, 5, 6] },
    build: (g, x) => g.op('Conv', [x.a!, g.weight('w', [3, 2, 2, 3], 0.3)], { pads: ints([0, 1, 1, 0]) }),
    out: [1, 3, 5, 5],
  },
  {
    label: 'Conv patchify 4×4 stride 4',
    inputs: { a: [1, 3, 8, 8] },
    build: (g, x) =>
      g.op('Conv', [x.a!, g.weight('w', [5, 3, 4, 4], 0.2), g.weight('b', [5], 1)], {
        kernel_shape: ints([4, 4]),
        strides: ints([4, 4]),
      }),
    out: [1, 5, 2, 2],
  },
  {
    label: 'AveragePool 2×2 stride 2',
    inputs: { a: [2, 3, 6, 6] },
    build: (g, x) => g.op('AveragePool', [x.a!], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
    out: [2, 3, 3, 3],
  },
  {
    label: 'AveragePool 3×3 stride 2 pad 1, count_include_pad 0',
    inputs: { a: [1, 2, 7, 7] },
    build: (g, x) =>
      g.op('AveragePool', [x.a!], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]) }),
    out: [1, 2, 4, 4],
  },
  {
    label: 'AveragePool 3×3 stride 1 pad 1, count_include_pad 1',
    inputs: { a: [1, 2, 5, 5] },
    build: (g, x) =>
      g.op('AveragePool', [x.a!], { kernel_shape: ints([3, 3]), pads: ints([1, 1, 1, 1]), count_include_pad: int(1) }),
    out: [1, 2, 5, 5],
  },
];

function feedOf(input: Input, random: SeededRandom): Feed {
  if (Array.isArray(input)) return randomFloats(random, input);
  return typeof input === 'function' ? input(random) : input;
}

async function buildCase(testCase: Case, seed: number) {
  const random = new SeededRandom(seed);
  const g = new OnnxGraphBuilder('parity', seed);
  const feeds: Record<string, Feed> = {};
  const names: Record<string, string> = {};
  for (const [name, input] of Object.entries(testCase.inputs)) {
    feeds[name] = feedOf(input, random);
    names[name] = g.input(name, feeds[name].type, feeds[name].dims);
  }
  g.output(testCase.build(g, names), 'y', testCase.outElem ?? 'float32', testCase.out);
  return { bytes: await g.toBytes(), feeds };
}

describe('operator parity with onnxruntime (one-node models)', () => {
  it.each(CASES.map((testCase, i) => [testCase.label, testCase, i] as const))('%s', async (_label, testCase, i) => {
    const { bytes, feeds } = await buildCase(testCase, 100 + i);
    expect(await parityError(bytes, feeds)).toBeLessThanOrEqual(1e-4);
  });

  it('covers every supported operator', () => {
    const covered = new Set<string>();
    for (const testCase of CASES) {
      const g = new OnnxGraphBuilder('probe', 1);
      const recorder = new Proxy(g, {
        get(target, key, receiver) {
          if (key === 'op')
            return (opType: string, ...rest: unknown[]) => {
              covered.add(opType);
              return (target.op as (...args: unknown[]) => string).call(target, opType, ...rest);
            };
          if (key === 'constant')
            return (...args: unknown[]) => {
              covered.add('Constant');
              return (target.constant as (...a: unknown[]) => string).apply(target, args);
            };
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const names = Object.fromEntries(Object.keys(testCase.inputs).map((name) => [name, name]));
      testCase.build(recorder, names);
    }
    expect(SUPPORTED_OPERATORS.filter((op) => !covered.has(op))).toEqual([]);
  });
});
