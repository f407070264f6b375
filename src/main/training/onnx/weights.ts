import fs from 'node:fs/promises';
import type { Params } from './graphInterpreter';
import { parseOnnxModel } from './onnxModel';

/**
 * The params' current values as Float32Arrays (for writeInitializers). Reads through `.ref`, so the
 * params stay usable.
 */
export async function readWeights(params: Params): Promise<Record<string, Float32Array>> {
  const weights: Record<string, Float32Array> = {};
  for (const [name, array] of Object.entries(params)) {
    const data = await array.ref.data();
    weights[name] = data instanceof Float32Array ? data : Float32Array.from(data as ArrayLike<number>);
  }
  return weights;
}

/** The float initializers of an ONNX file by name. */
export async function initializersOf(file: string): Promise<Record<string, Float32Array>> {
  const weights: Record<string, Float32Array> = {};
  for (const [name, tensor] of parseOnnxModel(new Uint8Array(await fs.readFile(file))).initializers)
    if (tensor.data instanceof Float32Array) weights[name] = tensor.data;
  return weights;
}
