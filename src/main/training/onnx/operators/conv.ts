import { np } from '../jax';
import type { OnnxNode } from '../onnxModel';
import {
  intAttr,
  intsAttr,
  refuse,
  requiredInput,
  stringAttr,
  type CheckContext,
  type Operator,
} from '../operatorTypes';
import { take } from '../values';
import { matmul } from './matmul';
import { extractPatches, type Window } from './patches';

/** Refuses what the 2-D window ops do not handle: auto_pad other than NOTSET/VALID, dilations, ceil_mode. */
function checkWindow(node: OnnxNode) {
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID')
    refuse(node, `auto_pad ${autoPad} is not supported (use explicit pads)`);
  const dilations = intsAttr(node, 'dilations');
  if (dilations?.some((d) => d !== 1)) refuse(node, `dilations [${dilations.join(', ')}]: only 1 is supported`);
  if (intAttr(node, 'ceil_mode', 0) !== 0) refuse(node, 'ceil_mode 1 is not supported');
  const kernel = intsAttr(node, 'kernel_shape');
  if (kernel && kernel.length !== 2) refuse(node, `a ${kernel.length}-D window: only 2-D is supported`);
}

function windowOf(node: OnnxNode, kernel: readonly number[]): Window {
  if (kernel.length !== 2) refuse(node, `a ${kernel.length}-D window: only 2-D is supported`);
  const strides = intsAttr(node, 'strides') ?? [1, 1];
  const pads =
    stringAttr(node, 'auto_pad', 'NOTSET') === 'VALID' ? [0, 0, 0, 0] : (intsAttr(node, 'pads') ?? [0, 0, 0, 0]);
  return {
    kernel: [kernel[0]!, kernel[1]!],
    strides: [strides[0]!, strides[1]!],
    pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!],
  };
}

/** 2-D convolution, group 1, as patch extraction (im2col) and one matmul: ~7× faster than lax.conv here. */
const conv: Operator = {
  check: (node: OnnxNode, context: CheckContext) => {
    checkWindow(node);
    if (intAttr(node, 'group', 1) !== 1) refuse(node, `group ${intAttr(node, 'group', 1)}: only group 1 is supported`);
    const weight = context.constant(node.inputs[1] ?? '');
    if (weight && weight.dims.length !== 4) refuse(node, `a ${weight.dims.length - 2}-D kernel: only 2-D is supported`);
  },
  run: (inputs, node) => {
    const x = take(requiredInput(inputs, 0));
    const weight = take(requiredInput(inputs, 1));
    const [m, c, kh, kw] = weight.shape as [number, number, number, number];
    const [n] = x.shape as [number];
    const patches = extractPatches(x, windowOf(node, intsAttr(node, 'kernel_shape') ?? [kh, kw]));
    const [oh, ow] = patches.shape.slice(3) as [number, number];
    let y = matmul(weight.reshape([m, c * kh * kw]), patches.reshape([n, c * kh * kw, oh * ow]));
    const bias = inputs[2];
    if (bias !== undefined) y = y.add(take(bias).reshape([m, 1]));
    return [y.reshape([n, m, oh, ow])];
  },
};

/** AveragePool, 2-D; with pads and count_include_pad 0 the border windows divide by their real count. */
const averagePool: Operator = {
  check: checkWindow,
  run: (inputs, node) => {
    const x = take(requiredInput(inputs, 0));
    const [, , h, w] = x.shape as [number, number, number, number];
    const window = windowOf(node, intsAttr(node, 'kernel_shape') ?? []);
    const sums = extractPatches(x, window).sum(2);
    const padded = window.pads.some((p) => p > 0);
    if (!padded || intAttr(node, 'count_include_pad', 0) === 1)
      return [sums.mul(1 / (window.kernel[0] * window.kernel[1]))];
    const counts = extractPatches(np.ones([1, 1, h, w]), window).sum(2);
    return [sums.div(counts)];
  },
};

export const CONV_OPERATORS: Record<string, Operator> = {
  Conv: conv,
  AveragePool: averagePool,
};
