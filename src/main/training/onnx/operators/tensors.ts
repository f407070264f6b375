import { ONNX_TYPE, onnxTypeName } from '../onnxModel';
import {
  floatAttr,
  floatsAttr,
  intAttr,
  intsAttr,
  refuse,
  requiredInput,
  staticInts,
  tensorAttr,
  type Operator,
} from '../operatorTypes';
import { HostTensor, isHost, jaxDType, product, take } from '../values';

/** Element types Cast can produce here. */
const CAST_TARGETS: readonly number[] = [
  ONNX_TYPE.float32,
  ONNX_TYPE.float64,
  ONNX_TYPE.int64,
  ONNX_TYPE.int32,
  ONNX_TYPE.bool,
];

function castHost(value: number, to: number): number {
  if (to === ONNX_TYPE.bool) return value !== 0 ? 1 : 0;
  if (to === ONNX_TYPE.int64 || to === ONNX_TYPE.int32) return Math.trunc(value);
  return to === ONNX_TYPE.float32 ? Math.fround(value) : value;
}

const cast: Operator = {
  check: (node) => {
    const to = intAttr(node, 'to', 0);
    if (!CAST_TARGETS.includes(to)) refuse(node, `cast to ${onnxTypeName(to)} is not supported`);
  },
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const to = intAttr(node, 'to', 0);
    if (isHost(x))
      return [
        new HostTensor(
          to,
          x.dims,
          x.values().map((v) => castHost(v, to)),
        ),
      ];
    return [take(x).astype(jaxDType(to))];
  },
};

const constant: Operator = {
  check: (node) => {
    const known = ['value', 'value_float', 'value_floats', 'value_int', 'value_ints'];
    if (!known.some((name) => node.attributes.has(name)))
      refuse(node, `needs one of the attributes ${known.join(', ')} (sparse and string constants are not supported)`);
  },
  run: (_inputs, node) => {
    const tensor = tensorAttr(node, 'value');
    if (tensor) return [HostTensor.fromOnnx(tensor)];
    const floats = floatsAttr(node, 'value_floats');
    if (floats) return [new HostTensor(ONNX_TYPE.float32, [floats.length], floats)];
    const ints = intsAttr(node, 'value_ints');
    if (ints) return [new HostTensor(ONNX_TYPE.int64, [ints.length], ints)];
    if (node.attributes.has('value_float'))
      return [new HostTensor(ONNX_TYPE.float32, [], [floatAttr(node, 'value_float', 0)])];
    return [new HostTensor(ONNX_TYPE.int64, [], [intAttr(node, 'value_int', 0)])];
  },
};

const constantOfShape: Operator = {
  run: (inputs, node) => {
    const dims = staticInts(node, inputs, 0);
    const fill = tensorAttr(node, 'value');
    const data = new Array<number>(product(dims)).fill(fill ? Number(fill.data[0] ?? 0) : 0);
    return [new HostTensor(fill?.dataType ?? ONNX_TYPE.float32, dims, data)];
  },
};

const range: Operator = {
  run: (inputs, node) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => staticInts(node, inputs, i)[0]!);
    const count = Math.max(Math.ceil((limit! - start!) / delta!), 0);
    const first = requiredInput(inputs, 0);
    const dataType = isHost(first) ? first.dataType : ONNX_TYPE.int64;
    return [
      new HostTensor(
        dataType,
        [count],
        Array.from({ length: count }, (_, i) => start! + i * delta!),
      ),
    ];
  },
};

export const TENSOR_OPERATORS: Record<string, Operator> = {
  Cast: cast,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
};
