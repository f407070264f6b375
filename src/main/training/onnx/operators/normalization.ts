import { nn, np, type JaxArray } from '../jax';
import { floatAttr, intAttr, requiredInput, type Operator } from '../operatorTypes';
import { normalizeAxis, product, take } from '../values';

/**
 * LayerNormalization over axes [axis, rank): outputs Y, Mean and InvStdDev (unused ones are disposed
 * by the interpreter). 1/σ is np.power(var + ε, -0.5): the reciprocal's derivative rule leaks its
 * input in eager mode.
 */
const layerNormalization: Operator = {
  run: (inputs, node) => {
    const x = take(requiredInput(inputs, 0));
    const axis = normalizeAxis(intAttr(node, 'axis', -1), x.ndim);
    const axes = Array.from({ length: x.ndim - axis }, (_, i) => axis + i);
    const mean = x.ref.mean(axes, { keepdims: true });
    const centered = x.sub(mean.ref);
    const variance = centered.ref.mul(centered.ref).mean(axes, { keepdims: true });
    const invStdDev = np.power(variance.add(floatAttr(node, 'epsilon', 1e-5)), -0.5);
    let y = centered.mul(invStdDev.ref).mul(take(requiredInput(inputs, 1)));
    const bias = inputs[2];
    if (bias !== undefined) y = y.add(take(bias));
    return [y, mean, invStdDev];
  },
};

/** Softmax along `axis`: one axis from opset 13; before, the input as 2-D [before axis, from axis]. */
function softmaxLike(fn: (x: JaxArray, axis: number) => JaxArray): Operator {
  return {
    run: (inputs, node, context) => {
      const x = take(requiredInput(inputs, 0));
      if (context.opset >= 13) return [fn(x, normalizeAxis(intAttr(node, 'axis', -1), x.ndim))];
      const axis = normalizeAxis(intAttr(node, 'axis', 1), x.ndim);
      const dims = x.shape;
      return [fn(x.reshape([product(dims.slice(0, axis)), product(dims.slice(axis))]), 1).reshape(dims)];
    },
  };
}

export const NORMALIZATION_OPERATORS: Record<string, Operator> = {
  LayerNormalization: layerNormalization,
  Softmax: softmaxLike((x, axis) => nn.softmax(x, axis)),
  LogSoftmax: softmaxLike((x, axis) => nn.logSoftmax(x, axis)),
};
