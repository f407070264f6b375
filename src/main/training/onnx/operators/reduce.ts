import type { JaxArray } from '../jax';
import { intAttr, intsAttr, requiredInput, staticInts, type Operator } from '../operatorTypes';
import { dimsOf, normalizeAxis, take } from '../values';

type Reducer = (x: JaxArray, axes: number[], keepdims: boolean) => JaxArray;

/**
 * ReduceSum/Mean/Max/Min: axes from input 1 (ReduceSum from opset 13, the others from 18) or the `axes`
 * attribute; no axes reduces everything unless noop_with_empty_axes; keepdims defaults to 1.
 */
const reduction = (reduce: Reducer): Operator => ({
  run: (inputs, node) => {
    const x = requiredInput(inputs, 0);
    const rank = dimsOf(x).length;
    const listed = inputs[1] !== undefined ? staticInts(node, inputs, 1) : intsAttr(node, 'axes');
    const keepdims = intAttr(node, 'keepdims', 1) === 1;
    if (!listed?.length && intAttr(node, 'noop_with_empty_axes', 0) === 1) return [take(x)];
    const axes = listed?.length
      ? listed.map((axis) => normalizeAxis(axis, rank))
      : Array.from({ length: rank }, (_, i) => i);
    return [reduce(take(x), axes, keepdims)];
  },
});

export const REDUCE_OPERATORS: Record<string, Operator> = {
  ReduceSum: reduction((x, axes, keepdims) => x.sum(axes, { keepdims })),
  ReduceMean: reduction((x, axes, keepdims) => x.mean(axes, { keepdims })),
  ReduceMax: reduction((x, axes, keepdims) => x.max(axes, { keepdims })),
  ReduceMin: reduction((x, axes, keepdims) => x.min(axes, { keepdims })),
};
