import type { Operator } from '../operatorTypes';
import { CONV_OPERATORS } from './conv';
import { ELEMENTWISE_OPERATORS } from './elementwise';
import { INDEXING_OPERATORS } from './indexing';
import { MATMUL_OPERATORS } from './matmul';
import { NORMALIZATION_OPERATORS } from './normalization';
import { REDUCE_OPERATORS } from './reduce';
import { SHAPE_OPERATORS } from './shape';
import { TENSOR_OPERATORS } from './tensors';

/** Every operator the interpreter runs, by ONNX op type (default domain). */
export const OPERATORS: Readonly<Record<string, Operator>> = {
  ...ELEMENTWISE_OPERATORS,
  ...MATMUL_OPERATORS,
  ...SHAPE_OPERATORS,
  ...INDEXING_OPERATORS,
  ...TENSOR_OPERATORS,
  ...REDUCE_OPERATORS,
  ...NORMALIZATION_OPERATORS,
  ...CONV_OPERATORS,
};

/**
 * The ONNX op types (default domain, ai.onnx) the training interpreter supports, sorted. Limits within
 * them (Slice step 1, Conv 2-D group 1, constant Pad, …) are in docs/training-interpreter.md; a node
 * outside them is refused with UnsupportedOperatorError before anything runs.
 */
export const SUPPORTED_OPERATORS: readonly string[] = Object.keys(OPERATORS).sort();
