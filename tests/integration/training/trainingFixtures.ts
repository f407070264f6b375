import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseOnnxModel } from '../../../src/main/training/onnx';

export const COMMITTED = path.resolve(__dirname, '../../../resources/models/coach-test');

export async function tempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `coach-${label}-`));
}

/** Every float initializer of a package's two graphs, keyed "prefix/…" and "expert/…". */
export async function packageWeights(dir: string): Promise<Record<string, Float32Array>> {
  const weights: Record<string, Float32Array> = {};
  for (const graph of ['prefix', 'expert']) {
    const model = parseOnnxModel(await fs.readFile(path.join(dir, `${graph}.onnx`)));
    for (const [name, tensor] of model.initializers)
      if (tensor.data instanceof Float32Array) weights[`${graph}/${name}`] = tensor.data;
  }
  return weights;
}

export function maxAbsDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  if (Object.keys(a).sort().join() !== Object.keys(b).sort().join()) return Infinity;
  let worst = 0;
  for (const [name, values] of Object.entries(a)) {
    const other = b[name]!;
    if (other.length !== values.length) return Infinity;
    for (let i = 0; i < values.length; i += 1) worst = Math.max(worst, Math.abs(values[i]! - other[i]!));
  }
  return worst;
}
