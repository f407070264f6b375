import { lax, nn, np, type JaxArray } from '../jax';
import { ONNX_TYPE } from '../onnxModel';
import { refuse, requiredInput, stringAttr, type Operator } from '../operatorTypes';
import { isFloatType, isHost, onnxTypeOf, take, type HostTensor, type Value } from '../values';
import { hostElementwise } from './hostMath';

const unary = (fn: (x: JaxArray) => JaxArray): Operator => ({
  run: (inputs) => [fn(take(requiredInput(inputs, 0)))],
});

/**
 * A broadcasting binary operator: on host tensors (shape arithmetic) it folds in JS with `host`,
 * otherwise it runs `array` on jax arrays.
 */
const binary = (
  array: (a: JaxArray, b: JaxArray) => JaxArray,
  host: (a: number, b: number, integer: boolean) => number,
  resultType?: number,
): Operator => ({
  run: (inputs) => {
    const a = requiredInput(inputs, 0);
    const b = requiredInput(inputs, 1);
    if (isHost(a) && isHost(b)) {
      const integer = !isFloatType(a.dataType);
      return [hostElementwise([a, b], resultType ?? a.dataType, (x, y) => host(x, y, integer))];
    }
    return [array(take(a), take(b))];
  },
});

/** Left-to-right over any number of inputs (Max, Min, Sum). */
const variadic = (array: (a: JaxArray, b: JaxArray) => JaxArray, host: (a: number, b: number) => number): Operator => ({
  run: (inputs) => {
    const values = inputs.filter((value): value is Value => value !== undefined);
    if (values.length === 0) throw new Error('needs at least one input');
    if (values.every(isHost)) {
      const tensors = values as HostTensor[];
      return [hostElementwise(tensors, tensors[0]!.dataType, (...xs) => xs.reduce(host))];
    }
    return [values.slice(1).reduce<JaxArray>((acc, value) => array(acc, take(value)), take(values[0]!))];
  },
});

function divide(a: JaxArray, b: JaxArray): JaxArray {
  const integer = onnxTypeOf(a) === ONNX_TYPE.int64;
  const quotient = np.trueDivide(a, b);
  return integer ? quotient.astype(a.dtype) : quotient;
}

/** x^y: a constant small integer exponent multiplies (np.power goes through exp∘log and loses ~1e-6). */
function power(inputs: readonly (Value | undefined)[]): Value[] {
  const exponent = requiredInput(inputs, 1);
  const base = take(requiredInput(inputs, 0));
  if (isHost(exponent) && exponent.size === 1) {
    const y = exponent.data[0]!;
    if (y === 1) return [base];
    if (y === 2) return [np.multiply(base.ref, base)];
    if (y === 3) return [np.multiply(np.multiply(base.ref, base.ref), base)];
    if (y === 0.5) return [np.sqrt(base)];
  }
  return [np.power(base, take(exponent))];
}

const gelu: Operator = {
  check: (node) => {
    const approximate = stringAttr(node, 'approximate', 'none');
    if (approximate !== 'none' && approximate !== 'tanh')
      refuse(node, `approximate must be "none" or "tanh", got "${approximate}"`);
  },
  run: (inputs, node) => [
    nn.gelu(take(requiredInput(inputs, 0)), { approximate: stringAttr(node, 'approximate', 'none') === 'tanh' }),
  ],
};

const where: Operator = {
  run: (inputs) => [
    np.where(take(requiredInput(inputs, 0)), take(requiredInput(inputs, 1)), take(requiredInput(inputs, 2))),
  ],
};

export const ELEMENTWISE_OPERATORS: Record<string, Operator> = {
  Relu: unary(nn.relu),
  Gelu: gelu,
  Sigmoid: unary(nn.sigmoid),
  Tanh: unary(np.tanh),
  Erf: unary(lax.erf),
  Sqrt: unary(np.sqrt),
  Exp: unary(np.exp),
  Log: unary(np.log),
  Abs: unary(np.abs),
  Neg: unary(np.negative),
  Sin: unary(np.sin),
  Cos: unary(np.cos),
  Not: unary(np.logicalNot),
  Add: binary(np.add, (a, b) => a + b),
  Sub: binary(np.subtract, (a, b) => a - b),
  Mul: binary(np.multiply, (a, b) => a * b),
  Div: binary(divide, (a, b, integer) => (integer ? Math.trunc(a / b) : a / b)),
  Equal: binary(np.equal, (a, b) => (a === b ? 1 : 0), ONNX_TYPE.bool),
  Less: binary(np.less, (a, b) => (a < b ? 1 : 0), ONNX_TYPE.bool),
  Greater: binary(np.greater, (a, b) => (a > b ? 1 : 0), ONNX_TYPE.bool),
  Pow: { run: power },
  Max: variadic(np.maximum, Math.max),
  Min: variadic(np.minimum, Math.min),
  Where: where,
};
