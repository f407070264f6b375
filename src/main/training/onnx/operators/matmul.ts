import { np, type JaxArray } from '../jax';
import { floatAttr, intAttr, requiredInput, type Operator } from '../operatorTypes';
import { take } from '../values';

/**
 * numpy matmul semantics. jax-js 0.1.25's np.matmul broadcasts operands of equal rank correctly but
 * misplaces the batch axes when the ranks differ ([3,4]@[2,4,5] gives [3,2,5]), so both operands are
 * first given the same rank with leading 1s; 1-D operands become a row / a column and lose it after.
 */
export function matmul(a: JaxArray, b: JaxArray): JaxArray {
  const vectorA = a.ndim === 1;
  const vectorB = b.ndim === 1;
  let left = vectorA ? a.reshape([1, a.shape[0]!]) : a;
  let right = vectorB ? b.reshape([b.shape[0]!, 1]) : b;
  const rank = Math.max(left.ndim, right.ndim);
  if (left.ndim < rank) left = left.reshape([...new Array<number>(rank - left.ndim).fill(1), ...left.shape]);
  if (right.ndim < rank) right = right.reshape([...new Array<number>(rank - right.ndim).fill(1), ...right.shape]);
  const product = np.matmul(left, right);
  if (!vectorA && !vectorB) return product;
  const dims = product.shape;
  const kept = dims.filter((_, i) => !((vectorA && i === rank - 2) || (vectorB && i === rank - 1)));
  return product.reshape(kept);
}

/** Y = alpha · A' · B' + beta · C, with A' = Aᵀ when transA, B' = Bᵀ when transB (2-D operands). */
const gemm: Operator = {
  run: (inputs, node) => {
    let a = take(requiredInput(inputs, 0));
    let b = take(requiredInput(inputs, 1));
    if (intAttr(node, 'transA', 0)) a = a.transpose();
    if (intAttr(node, 'transB', 0)) b = b.transpose();
    let y = matmul(a, b);
    const alpha = floatAttr(node, 'alpha', 1);
    if (alpha !== 1) y = y.mul(alpha);
    const c = inputs[2];
    if (c !== undefined) {
      const beta = floatAttr(node, 'beta', 1);
      y = y.add(beta === 1 ? take(c) : take(c).mul(beta));
    }
    return [y];
  },
};

export const MATMUL_OPERATORS: Record<string, Operator> = {
  MatMul: { run: (inputs) => [matmul(take(requiredInput(inputs, 0)), take(requiredInput(inputs, 1)))] },
  Gemm: gemm,
};
