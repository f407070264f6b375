import type { JaxArray } from './jax';
import type { OnnxModel, OnnxNode } from './onnxModel';
import { UnsupportedOperatorError, type CheckContext, type RunContext } from './operatorTypes';
import { OPERATORS } from './operators/index';
import { arrayFromData, HostTensor, isFloatType, isHost, release, take, type Value } from './values';

/** Trainable weights by initializer name: a pytree jax-js can differentiate, jit and map over. */
export type Params = Record<string, JaxArray>;

export interface CompileGraphOptions {
  /** Which float initializers become params (the rest are frozen constants). Default: all of them. */
  trainable?: (name: string) => boolean;
}

export interface CompiledGraph {
  readonly model: OnnxModel;
  /** Graph inputs `run` expects (int64 ones as int32 arrays, bool ones as bool arrays). */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Names of the trainable initializers, in graph order. */
  readonly paramNames: readonly string[];
  /** The trainable initializers as new jax arrays, owned by the caller. */
  readonly params: Params;
  /** Frozen float initializers (jax arrays owned by the graph) and integer/bool ones (host tensors). */
  readonly constants: ReadonlyMap<string, Value>;
  /**
   * Evaluates the graph. Pure, so it can be jitted and differentiated. It consumes `params` and `inputs`
   * as every jax-js function does (pass `tree.ref(params)` to keep using them) and returns owned arrays.
   */
  run(params: Params, inputs: Record<string, JaxArray>): Record<string, JaxArray>;
  /** Frees the frozen constants; `run` fails after this. */
  dispose(): void;
}

const DEFAULT_DOMAINS = new Set(['', 'ai.onnx']);

/** Refuses the first node the interpreter cannot run and any edge that reads an undefined value. */
function validate(model: OnnxModel, constantOf: (name: string) => HostTensor | undefined): void {
  const context: CheckContext = { opset: model.opset, constant: constantOf };
  for (const node of model.nodes) {
    const operator = DEFAULT_DOMAINS.has(node.domain) ? OPERATORS[node.opType] : undefined;
    if (!operator)
      throw new UnsupportedOperatorError(
        node.domain ? `${node.domain}.${node.opType}` : node.opType,
        node.name,
        node.index,
      );
    operator.check?.(node, context);
  }
  const defined = new Set([...model.inputs.map((v) => v.name), ...model.initializers.keys()]);
  for (const node of model.nodes) {
    for (const input of node.inputs)
      if (input !== '' && !defined.has(input))
        throw new Error(
          `${node.opType} node "${node.name}" (#${node.index}) reads "${input}", which no input, initializer or earlier node defines`,
        );
    for (const output of node.outputs) if (output !== '') defined.add(output);
  }
  for (const output of model.outputs)
    if (!defined.has(output.name)) throw new Error(`graph output "${output.name}" is never computed`);
}

/** How many times each value is read: by node inputs and as a graph output. */
function countUses(model: OnnxModel): Map<string, number> {
  const uses = new Map<string, number>();
  const use = (name: string) => {
    if (name !== '') uses.set(name, (uses.get(name) ?? 0) + 1);
  };
  for (const node of model.nodes) node.inputs.forEach(use);
  for (const output of model.outputs) use(output.name);
  return uses;
}

function describe(node: OnnxNode): string {
  return `${node.opType} node "${node.name}" (#${node.index})`;
}

/**
 * Prepares `model` for running on jax-js: validates every node up front (UnsupportedOperatorError
 * names the op type, node name and index), splits initializers into trainable params and constants,
 * and counts each value's uses so `run` frees every intermediate array after its last reader.
 */
export function compileGraph(model: OnnxModel, options: CompileGraphOptions = {}): CompiledGraph {
  const trainable = options.trainable ?? (() => true);
  const constantNodeOutputs = new Map<string, OnnxNode>();
  for (const node of model.nodes)
    if (node.opType === 'Constant' && node.outputs[0]) constantNodeOutputs.set(node.outputs[0], node);
  const runContext: RunContext = { opset: model.opset };
  const constantOf = (name: string): HostTensor | undefined => {
    const tensor = model.initializers.get(name);
    if (tensor) return HostTensor.fromOnnx(tensor);
    const node = constantNodeOutputs.get(name);
    const value = node ? OPERATORS.Constant!.run([], node, runContext)[0] : undefined;
    return value && isHost(value) ? value : undefined;
  };
  validate(model, constantOf);

  const uses = countUses(model);
  const params: Params = {};
  const constants = new Map<string, Value>();
  for (const [name, tensor] of model.initializers) {
    if (!uses.has(name)) continue;
    if (!isFloatType(tensor.dataType)) constants.set(name, HostTensor.fromOnnx(tensor));
    else if (trainable(name)) params[name] = arrayFromData(tensor.data, tensor.dims, tensor.dataType);
    else constants.set(name, arrayFromData(tensor.data, tensor.dims, tensor.dataType));
  }
  const paramNames = Object.keys(params);
  const paramSet = new Set(paramNames);
  const inputNames = model.inputs.map((v) => v.name);
  const outputNames = model.outputs.map((v) => v.name);

  function run(runParams: Params, inputs: Record<string, JaxArray>): Record<string, JaxArray> {
    const env = new Map<string, Value>();
    const remaining = new Map(uses);
    const adopt = (name: string, value: JaxArray, known: boolean, kind: string) => {
      if (!known) throw new Error(`${kind} "${name}" is not part of the graph`);
      if (env.has(name)) throw new Error(`${kind} "${name}" is given twice`);
      if (uses.has(name)) env.set(name, value);
      else value.dispose();
    };
    const freeAll = () => {
      env.forEach((value) => release(value));
      env.clear();
    };
    try {
      const given = [...Object.entries(runParams), ...Object.entries(inputs)];
      let failure: Error | null = null;
      for (const [name, value] of given) {
        try {
          adopt(name, value, paramSet.has(name) || inputNames.includes(name), paramSet.has(name) ? 'param' : 'input');
        } catch (error) {
          value.dispose();
          failure ??= error as Error;
        }
      }
      if (failure) throw failure;
      for (const name of [...paramNames, ...inputNames])
        if (!env.has(name) && uses.has(name))
          throw new Error(`missing ${paramSet.has(name) ? 'param' : 'input'} "${name}"`);
      for (const [name, value] of constants) env.set(name, isHost(value) ? value : value.ref);

      for (const node of model.nodes) {
        const args = node.inputs.map((name) => (name === '' ? undefined : env.get(name)));
        let results: Value[];
        try {
          results = OPERATORS[node.opType]!.run(args, node, runContext);
        } catch (error) {
          if (error instanceof UnsupportedOperatorError) throw error;
          throw new Error(`${describe(node)}: ${(error as Error).message}`, { cause: error });
        }
        for (const name of node.inputs) {
          if (name === '') continue;
          const left = remaining.get(name)! - 1;
          remaining.set(name, left);
          if (left === 0) {
            release(env.get(name));
            env.delete(name);
          }
        }
        results.forEach((value, k) => {
          const name = node.outputs[k];
          if (name && remaining.get(name)) env.set(name, value);
          else release(value);
        });
      }

      const outputs: Record<string, JaxArray> = {};
      for (const name of outputNames) {
        const value = env.get(name)!;
        const left = remaining.get(name)! - 1;
        remaining.set(name, left);
        if (left > 0 || isHost(value)) {
          outputs[name] = take(value);
          if (left === 0) env.delete(name);
        } else {
          outputs[name] = value;
          env.delete(name);
        }
      }
      return outputs;
    } finally {
      freeAll();
    }
  }

  return {
    model,
    inputNames,
    outputNames,
    paramNames,
    params,
    constants,
    run,
    dispose: () => constants.forEach((value) => release(value)),
  };
}
