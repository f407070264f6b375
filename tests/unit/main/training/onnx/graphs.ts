import { float, int, ints, OnnxGraphBuilder } from '../../../../../src/main/policy/testPackage/onnxBuilder';

/** Small graphs for gradient and jit checks; every weight is an initializer (a trainable param). */

/** x [4, 6] → MatMul + bias → LayerNorm → Gelu → Gemm (transB) → y [4, 3]. */
export async function mlpGraph(): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('mlp', 11);
  const x = g.input('x', 'float32', [4, 6]);
  const h = g.op('Add', [g.op('MatMul', [x, g.weight('fc1.weight', [6, 8], 0.5)]), g.weight('fc1.bias', [8], 0.1)]);
  const normed = g.op('LayerNormalization', [h, g.weight('norm.scale', [8], 1), g.weight('norm.bias', [8], 0.1)], {
    axis: int(-1),
    epsilon: float(1e-5),
  });
  const hidden = g.op('Gelu', [normed]);
  const y = g.op('Gemm', [hidden, g.weight('fc2.weight', [3, 8], 0.4), g.weight('fc2.bias', [3], 0.1)], {
    transB: int(1),
  });
  g.output(y, 'y', 'float32', [4, 3]);
  return g.toBytes();
}

/** One attention head: x [2, 5, 8] → softmax(q·kᵀ/√8)·v → y [2, 5, 8]. */
export async function attentionGraph(): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('attention', 12);
  const x = g.input('x', 'float32', [2, 5, 8]);
  const project = (name: string) => g.op('MatMul', [x, g.weight(name, [8, 8], 0.4)]);
  const q = project('q.weight');
  const k = project('k.weight');
  const v = project('v.weight');
  const scores = g.op('Mul', [
    g.op('MatMul', [q, g.op('Transpose', [k], { perm: ints([0, 2, 1]) })]),
    g.constant([1 / Math.sqrt(8)], [1], 'float32'),
  ]);
  const weights = g.op('Softmax', [scores], { axis: int(-1) });
  g.output(g.op('MatMul', [weights, v]), 'y', 'float32', [2, 5, 8]);
  return g.toBytes();
}

/** x [2, 2, 6, 6] → Conv 3×3 stride 2 pad 1 + bias → Tanh → y [2, 3, 3, 3]. */
export async function convGraph(): Promise<Uint8Array> {
  const g = new OnnxGraphBuilder('conv', 13);
  const x = g.input('x', 'float32', [2, 2, 6, 6]);
  const conv = g.op('Conv', [x, g.weight('conv.weight', [3, 2, 3, 3], 0.3), g.weight('conv.bias', [3], 0.1)], {
    kernel_shape: ints([3, 3]),
    strides: ints([2, 2]),
    pads: ints([1, 1, 1, 1]),
  });
  g.output(g.op('Tanh', [conv]), 'y', 'float32', [2, 3, 3, 3]);
  return g.toBytes();
}
