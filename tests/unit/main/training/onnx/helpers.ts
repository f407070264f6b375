import * as ort from 'onnxruntime-node';
import { type SeededRandom } from '../../../../../src/shared/sim/world/random';
import { compileGraph, type CompileGraphOptions } from '../../../../../src/main/training/onnx/graphInterpreter';
import type { JaxArray } from '../../../../../src/main/training/onnx/jax';
import { ONNX_TYPE, parseOnnxModel } from '../../../../../src/main/training/onnx/onnxModel';
import { arrayFromData } from '../../../../../src/main/training/onnx/values';

/** One input value, fed the same to onnxruntime and to the interpreter. */
export interface Feed {
  type: 'float32' | 'int64' | 'bool';
  dims: number[];
  data: ArrayLike<number>;
}

const ONNX_TYPES = { float32: ONNX_TYPE.float32, int64: ONNX_TYPE.int64, bool: ONNX_TYPE.bool } as const;

export function randomFloats(random: SeededRandom, dims: number[], std = 1): Feed {
  const count = dims.reduce((a, b) => a * b, 1);
  return { type: 'float32', dims, data: Float32Array.from({ length: count }, () => random.gaussian(0, std)) };
}

export function ortTensor(feed: Feed): ort.Tensor {
  if (feed.type === 'float32') return new ort.Tensor('float32', Float32Array.from(feed.data), feed.dims);
  if (feed.type === 'int64')
    return new ort.Tensor('int64', BigInt64Array.from(Array.from(feed.data, (v) => BigInt(v))), feed.dims);
  return new ort.Tensor('bool', Uint8Array.from(feed.data), feed.dims);
}

export function jaxInput(feed: Feed): JaxArray {
  return arrayFromData(feed.data, feed.dims, ONNX_TYPES[feed.type]);
}

export interface Outputs {
  [name: string]: { dims: number[]; data: Float32Array };
}

function asFloats(data: ArrayLike<number | bigint | boolean>): Float32Array {
  return Float32Array.from(Array.from(data, (v) => Number(v)));
}

export async function runOrt(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<Outputs> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const results = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, ortTensor(f)])));
    return Object.fromEntries(
      Object.entries(results).map(([name, tensor]) => [
        name,
        { dims: [...tensor.dims], data: asFloats(tensor.data as ArrayLike<number>) },
      ]),
    );
  } finally {
    await session.release();
  }
}

/** Runs the model through compileGraph → run once (eager) and reads every output. */
export function runInterpreter(bytes: Uint8Array, feeds: Record<string, Feed>, options?: CompileGraphOptions): Outputs {
  const graph = compileGraph(parseOnnxModel(bytes), options);
  const inputs = Object.fromEntries(Object.entries(feeds).map(([k, f]) => [k, jaxInput(f)]));
  const outputs = graph.run(graph.params, inputs);
  graph.dispose();
  return Object.fromEntries(
    Object.entries(outputs).map(([name, array]) => {
      const dims = array.shape;
      return [name, { dims, data: asFloats(array.dataSync()) }];
    }),
  );
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i += 1) {
    const diff = Math.abs(a[i]! - b[i]!);
    if (!(diff <= worst)) worst = Number.isNaN(diff) ? Infinity : diff;
  }
  return worst;
}

/** Largest |onnxruntime − interpreter| over all outputs; throws when names or dims differ. */
export async function parityError(bytes: Uint8Array, feeds: Record<string, Feed>): Promise<number> {
  const expected = await runOrt(bytes, feeds);
  const actual = runInterpreter(bytes, feeds);
  let worst = 0;
  for (const [name, output] of Object.entries(expected)) {
    const mine = actual[name];
    if (!mine) throw new Error(`the interpreter gave no output "${name}"`);
    if (mine.dims.join(',') !== output.dims.join(','))
      throw new Error(`output "${name}": dims [${mine.dims}] vs onnxruntime's [${output.dims}]`);
    worst = Math.max(worst, maxAbsDiff(output.data, mine.data));
  }
  return worst;
}
