import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { compileGraph, type CompiledGraph, type Params } from '../../../../../src/main/training/onnx/graphInterpreter';
import { np, valueAndGrad, type JaxArray } from '../../../../../src/main/training/onnx/jax';
import { parseOnnxModel } from '../../../../../src/main/training/onnx/onnxModel';
import { readWeights } from '../../../../../src/main/training/onnx/weights';
import { attentionGraph, convGraph, mlpGraph } from './graphs';
import { jaxInput, randomFloats, type Feed } from './helpers';

/** A scalar loss with curvature: mean(y·r) + ½·mean(y²), r fixed. */
function lossOf(graph: CompiledGraph, target: JaxArray) {
  return (params: Params, x: JaxArray): JaxArray => {
    const y = graph.run(params, { x }).y!;
    return np.mean(y.ref.mul(target.ref)).add(np.mean(y.ref.mul(y)).mul(0.5));
  };
}

function paramsFrom(weights: Record<string, Float32Array>, graph: CompiledGraph): Params {
  return Object.fromEntries(
    Object.entries(weights).map(([name, data]) => [name, np.array(data, { shape: graph.params[name]!.shape })]),
  );
}

/** ‖autodiff − central differences‖ / ‖central differences‖ over a few coordinates of every param. */
async function gradientError(bytes: Uint8Array, xDims: number[], yDims: number[]): Promise<number> {
  const random = new SeededRandom(21);
  const graph = compileGraph(parseOnnxModel(bytes));
  const xFeed: Feed = randomFloats(random, xDims);
  const target = jaxInput(randomFloats(random, yDims));
  const loss = lossOf(graph, target);
  const weights = await readWeights(graph.params);
  const [, grads] = valueAndGrad(loss)(graph.params, jaxInput(xFeed));
  const analytic = await readWeights(grads as Params);

  const step = 1e-3;
  const evaluate = (name: string, index: number, delta: number) => {
    const moved = { ...weights, [name]: Float32Array.from(weights[name]!) };
    moved[name]![index]! += delta;
    return loss(paramsFrom(moved, graph), jaxInput(xFeed)).item();
  };
  let diff = 0;
  let norm = 0;
  for (const name of Object.keys(weights)) {
    for (let sample = 0; sample < 4; sample += 1) {
      const index = random.int(0, weights[name]!.length - 1);
      const numeric = (evaluate(name, index, step) - evaluate(name, index, -step)) / (2 * step);
      diff += (analytic[name]![index]! - numeric) ** 2;
      norm += numeric ** 2;
    }
  }
  target.dispose();
  graph.dispose();
  return Math.sqrt(diff / norm);
}

describe('gradients match central finite differences', () => {
  it('2-layer MLP with LayerNorm and Gelu', async () => {
    const error = await gradientError(await mlpGraph(), [4, 6], [4, 3]);
    console.info(`gradient check MLP: relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-2);
  });

  it('attention block with Softmax', async () => {
    const error = await gradientError(await attentionGraph(), [2, 5, 8], [2, 5, 8]);
    console.info(`gradient check attention: relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-2);
  });

  it('Conv (im2col) with bias', async () => {
    const error = await gradientError(await convGraph(), [2, 2, 6, 6], [2, 3, 3, 3]);
    console.info(`gradient check conv: relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-2);
  });
});
