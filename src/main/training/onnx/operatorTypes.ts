import type { OnnxAttribute, OnnxNode, OnnxTensor } from './onnxModel';
import { isHost, type HostTensor, type Value } from './values';

/** What an operator may look at before anything runs. */
export interface CheckContext {
  opset: number;
  /** The value of `name` when it is known before running (initializer or Constant output), else undefined. */
  constant(name: string): HostTensor | undefined;
}

export interface RunContext {
  opset: number;
}

/**
 * One ONNX operator. `run` borrows its inputs: it must take `.ref` (or `take()`) of every array it
 * hands to a jax op, and it returns owned values, one per node output (extra ones are disposed).
 */
export interface Operator {
  /** Refuses, with UnsupportedOperatorError, attribute values (or constant inputs) it does not handle. */
  check?(node: OnnxNode, context: CheckContext): void;
  run(inputs: readonly (Value | undefined)[], node: OnnxNode, context: RunContext): Value[];
}

/** A node the interpreter cannot run: an unknown op type, or a form of one it does not support. */
export class UnsupportedOperatorError extends Error {
  override readonly name = 'UnsupportedOperatorError';
  constructor(
    readonly opType: string,
    readonly nodeName: string,
    readonly nodeIndex: number,
    reason?: string,
  ) {
    super(
      `unsupported operator ${opType} at node "${nodeName}" (#${nodeIndex})` +
        (reason ? `: ${reason}` : '; see SUPPORTED_OPERATORS'),
    );
  }
}

/** Throws UnsupportedOperatorError for `node` with `reason`. */
export function refuse(node: OnnxNode, reason: string): never {
  throw new UnsupportedOperatorError(node.opType, node.name, node.index, reason);
}

function attribute(node: OnnxNode, name: string): OnnxAttribute | undefined {
  return node.attributes.get(name);
}

export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const value = attribute(node, name);
  return typeof value === 'number' ? value : fallback;
}

export function floatAttr(node: OnnxNode, name: string, fallback: number): number {
  return intAttr(node, name, fallback);
}

export function intsAttr(node: OnnxNode, name: string): number[] | undefined {
  const value = attribute(node, name);
  return Array.isArray(value) ? (value as number[]) : undefined;
}

/** A list attribute of floats (value_floats) or ints; undefined when absent. */
export const floatsAttr = intsAttr;

export function stringAttr(node: OnnxNode, name: string, fallback: string): string {
  const value = attribute(node, name);
  return typeof value === 'string' ? value : fallback;
}

export function tensorAttr(node: OnnxNode, name: string): OnnxTensor | undefined {
  const value = attribute(node, name);
  return typeof value === 'object' && !Array.isArray(value) ? value : undefined;
}

/** Input `index` as host numbers (shapes, axes, pads); throws when it is computed at run time. */
export function staticInts(node: OnnxNode, inputs: readonly (Value | undefined)[], index: number): number[] {
  const value = inputs[index];
  if (value === undefined) throw new Error(`input ${index} is missing`);
  if (!isHost(value))
    throw new Error(`input ${index} ("${node.inputs[index]}") must be a constant known before running`);
  return value.values();
}

/** Input `index`, which the node must have. */
export function requiredInput(inputs: readonly (Value | undefined)[], index: number): Value {
  const value = inputs[index];
  if (value === undefined) throw new Error(`required input ${index} is missing`);
  return value;
}
