import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { TEST_SHAPE } from '../../../../../src/main/policy/testPackage/layers';
import { compileGraph, type CompiledGraph, type Params } from '../../../../../src/main/training/onnx/graphInterpreter';
import { blockUntilReady, jit, np, tree, valueAndGrad, type JaxArray } from '../../../../../src/main/training/onnx/jax';
import { parseOnnxModel } from '../../../../../src/main/training/onnx/onnxModel';
import { readWeights } from '../../../../../src/main/training/onnx/weights';
import { jaxInput, maxAbsDiff, randomFloats } from './helpers';

const COMMITTED = path.resolve(__dirname, '../../../../../resources/models/coach-test');

/**
 * Allowed RSS growth between two samples. Measured: the jitted loop's RSS rises ~35 MiB over its first
 * ~800 steps (allocator warm-up) and then stays within ±2 MiB up to 3,200 steps on a quiet machine, so the loop
 * compares steps 1000 and 1600; on a machine busy with other test files the warm-up runs longer (20–28 MiB
 * measured between those steps in CI). One leaked activation set per step of the batch-32 expert (~0.3 MB)
 * would add ~200 MiB over those 600 steps, still three times this bound.
 */
const MEMORY_NOISE_MIB = 60;

function settledRss(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss;
}

/** Velocity regression loss for an expert: mean((v(x_t, t, context) − target)²). */
function expertLoss(graph: CompiledGraph) {
  return (params: Params, batch: Record<string, JaxArray>): JaxArray => {
    const { target, ...inputs } = batch;
    const error = graph.run(params, inputs).velocity!.sub(target!);
    return np.mean(error.ref.mul(error));
  };
}

function expertBatch(random: SeededRandom, size: number): Record<string, JaxArray> {
  const { chunk, dims, prefixWidth } = TEST_SHAPE;
  return {
    x_t: jaxInput(randomFloats(random, [size, chunk, dims])),
    t: jaxInput({ type: 'float32', dims: [size], data: Float32Array.from({ length: size }, () => random.next()) }),
    context: jaxInput(randomFloats(random, [size, prefixWidth])),
    target: jaxInput(randomFloats(random, [size, chunk, dims], 0.1)),
  };
}

/** One jitted SGD step: loss and updated params. */
function sgdStep(loss: (params: Params, batch: Record<string, JaxArray>) => JaxArray, rate: number) {
  return jit((params: Params, batch: Record<string, JaxArray>) => {
    const [value, grads] = valueAndGrad(loss)(tree.ref(params), batch);
    const next = tree.map((p: JaxArray, g: JaxArray) => p.sub(g.mul(rate)), params, grads as Params) as Params;
    return [value, next] as [JaxArray, Params];
  });
}

describe('jit', () => {
  it('jit(valueAndGrad(loss)) equals the eager value and gradients', async () => {
    const bytes = await fs.readFile(path.join(COMMITTED, 'expert.onnx'));
    const graph = compileGraph(parseOnnxModel(bytes));
    const loss = expertLoss(graph);
    const batch = expertBatch(new SeededRandom(31), 8);
    const [eagerValue, eagerGrads] = valueAndGrad(loss)(tree.ref(graph.params), tree.ref(batch));
    const jitted = jit(valueAndGrad(loss));
    const [jitValue, jitGrads] = jitted(tree.ref(graph.params), tree.ref(batch));
    const eager = await readWeights(eagerGrads as Params);
    const compiled = await readWeights(jitGrads as Params);
    let worst = Math.abs(eagerValue.item() - jitValue.item());
    for (const name of graph.paramNames) worst = Math.max(worst, maxAbsDiff(eager[name]!, compiled[name]!));
    console.info(
      `jit vs eager: max abs difference ${worst.toExponential(2)} over value and ${graph.paramNames.length} grads`,
    );
    expect(Object.keys(compiled).sort()).toEqual([...graph.paramNames].sort());
    expect(worst).toBeLessThanOrEqual(1e-5);
    tree.dispose([eagerGrads, jitGrads, graph.params, batch]);
    jitted.dispose();
    graph.dispose();
  });

  it('a 1600-step jitted training loop on the coach-test expert keeps memory flat and lowers the loss', async () => {
    const graph = compileGraph(parseOnnxModel(await fs.readFile(path.join(COMMITTED, 'expert.onnx'))));
    const batch = expertBatch(new SeededRandom(32), 32);
    const step = sgdStep(expertLoss(graph), 0.05);
    let params = graph.params;
    const losses: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < 1600; i += 1) {
      const [value, next] = step(params, tree.ref(batch));
      params = await blockUntilReady(next);
      losses.push(value.item());
      if (i === 999 || i === 1599) rss.push(settledRss());
    }
    const growth = (rss[1]! - rss[0]!) / 2 ** 20;
    console.info(
      `1600 jitted steps: loss ${losses[0]!.toFixed(4)} → ${losses[1599]!.toFixed(4)}, RSS growth steps 1000→1600 ${growth.toFixed(1)} MiB`,
    );
    expect(losses[1599]!).toBeLessThan(losses[0]! * 0.9);
    expect(growth).toBeLessThan(MEMORY_NOISE_MIB);
    tree.dispose([params, batch]);
    step.dispose();
    graph.dispose();
  });

  it('eager forward passes free every intermediate array (memory flat over 400 runs)', async () => {
    const graph = compileGraph(parseOnnxModel(await fs.readFile(path.join(COMMITTED, 'expert.onnx'))));
    const { target, ...inputs } = expertBatch(new SeededRandom(34), 32);
    const rss: number[] = [];
    for (let i = 0; i < 400; i += 1) {
      const out = graph.run(tree.ref(graph.params), tree.ref(inputs));
      await blockUntilReady(out);
      tree.dispose(out);
      if (i === 99 || i === 399) rss.push(settledRss());
    }
    const growth = (rss[1]! - rss[0]!) / 2 ** 20;
    console.info(`400 eager forwards at batch 32: RSS growth runs 100→400 ${growth.toFixed(1)} MiB`);
    expect(growth).toBeLessThan(MEMORY_NOISE_MIB);
    for (const array of Object.values(graph.params)) expect(array.refCount).toBe(1);
    tree.dispose([graph.params, inputs, target]);
    graph.dispose();
  });

  it('coach-test expert at batch 32: forward and jitted value-and-grad speed', async () => {
    const graph = compileGraph(parseOnnxModel(await fs.readFile(path.join(COMMITTED, 'expert.onnx'))));
    const batch = expertBatch(new SeededRandom(33), 32);
    const { target, ...inputs } = batch;
    const time = async (label: string, runs: number, once: () => Promise<void>) => {
      await once();
      const start = performance.now();
      for (let i = 0; i < runs; i += 1) await once();
      const ms = (performance.now() - start) / runs;
      console.info(`coach-test expert, batch 32, ${label}: ${ms.toFixed(2)} ms`);
      return ms;
    };
    const forward = jit((params: Params, feed: Record<string, JaxArray>) => graph.run(params, feed));
    const eagerMs = await time('eager forward', 10, async () => {
      const out = graph.run(tree.ref(graph.params), tree.ref(inputs));
      await blockUntilReady(out);
      tree.dispose(out);
    });
    const jitMs = await time('jitted forward', 20, async () => {
      const out = forward(tree.ref(graph.params), tree.ref(inputs));
      await blockUntilReady(out);
      tree.dispose(out);
    });
    const step = jit(valueAndGrad(expertLoss(graph)));
    const stepMs = await time('jitted value-and-grad', 20, async () => {
      const [value, grads] = step(tree.ref(graph.params), tree.ref(batch));
      await blockUntilReady(grads);
      tree.dispose([value, grads]);
    });
    expect(Math.max(eagerMs, jitMs, stepMs)).toBeLessThan(2000);
    tree.dispose([graph.params, inputs, target]);
    forward.dispose();
    step.dispose();
    graph.dispose();
  });
});
