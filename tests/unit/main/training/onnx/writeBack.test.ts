import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { TEST_SHAPE } from '../../../../../src/main/policy/testPackage/layers';
import { compileGraph } from '../../../../../src/main/training/onnx/graphInterpreter';
import { parseOnnxModel } from '../../../../../src/main/training/onnx/onnxModel';
import { writeInitializers } from '../../../../../src/main/training/onnx/onnxWriteBack';
import { readWeights } from '../../../../../src/main/training/onnx/weights';
import { jaxInput, maxAbsDiff, randomFloats, runOrt, type Feed } from './helpers';

const COMMITTED = path.resolve(__dirname, '../../../../../resources/models/coach-test');

describe('writing trained weights back into the ONNX file', () => {
  it('onnxruntime reproduces the interpreter with the changed initializers', async () => {
    const original = await fs.readFile(path.join(COMMITTED, 'expert.onnx'));
    const random = new SeededRandom(41);
    const { chunk, dims, prefixWidth } = TEST_SHAPE;
    const feeds: Record<string, Feed> = {
      x_t: randomFloats(random, [4, chunk, dims]),
      t: { type: 'float32', dims: [4], data: [0.1, 0.4, 0.7, 0.9] },
      context: randomFloats(random, [4, prefixWidth]),
    };

    const graph = compileGraph(parseOnnxModel(original));
    const weights = await readWeights(graph.params);
    const changed = ['output_proj.weight', 'output_proj.bias', 'blocks.0.fc1.weight', 'final_norm.scale'];
    const updates: Record<string, Float32Array> = {};
    for (const name of changed) {
      expect(weights[name], name).toBeDefined();
      updates[name] = Float32Array.from(weights[name]!, (v) => v + random.gaussian(0, 0.2));
    }
    const written = writeInitializers(original, updates);

    const params = { ...graph.params };
    for (const name of changed) {
      params[name]!.dispose();
      params[name] = jaxInput({ type: 'float32', dims: graph.params[name]!.shape, data: updates[name]! });
    }
    const inputs = Object.fromEntries(Object.entries(feeds).map(([name, feed]) => [name, jaxInput(feed)]));
    const mine = graph.run(params, inputs).velocity!.dataSync();
    graph.dispose();

    const before = (await runOrt(original, feeds)).velocity!.data;
    const after = (await runOrt(written, feeds)).velocity!.data;
    const error = maxAbsDiff(after, mine);
    console.info(`write-back: onnxruntime vs interpreter with new weights ${error.toExponential(2)}`);
    expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-3);
    expect(error).toBeLessThanOrEqual(1e-4);

    const reread = parseOnnxModel(written);
    expect(Array.from(reread.initializers.get('output_proj.bias')!.data)).toEqual(
      Array.from(updates['output_proj.bias']!),
    );
    expect(reread.nodes.length).toBe(parseOnnxModel(original).nodes.length);
  });

  it('refuses names that are not float32 initializers and wrong sizes', async () => {
    const original = await fs.readFile(path.join(COMMITTED, 'expert.onnx'));
    expect(() => writeInitializers(original, { nope: new Float32Array(1) })).toThrow(/no initializer "nope"/);
    expect(() => writeInitializers(original, { 'output_proj.bias': new Float32Array(3) })).toThrow(/needs 35 values/);
  });
});
