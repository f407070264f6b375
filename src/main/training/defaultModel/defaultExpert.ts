import { deriveSeed } from '../../../shared/sim/world/random';
import { layerNorm, linear, timeEmbedding } from '../../policy/testPackage/layers';
import { int, OnnxGraphBuilder } from '../../policy/testPackage/onnxBuilder';
import { prefixContextWidth, type DefaultModelSpec } from './defaultModelSpec';

const BATCH = 'batch';

export const EXPERT_IO = { xT: 'x_t', t: 't', context: 'context', velocity: 'velocity' } as const;

/** Gain of the velocity layer: small, so the untrained flow starts near the identity. */
const OUTPUT_GAIN = 0.1;

/**
 * coach-tiny's action expert: [flattened x_t, sin/cos features of t, context] → a residual MLP
 * (LayerNorm, Linear, Gelu, Linear per block) → velocity [B, chunk, dims].
 */
export async function buildDefaultExpert(spec: DefaultModelSpec): Promise<Uint8Array> {
  const { chunkLength, dims, timeFeatures, expertWidth: width } = spec;
  const contextWidth = prefixContextWidth(spec);
  const g = new OnnxGraphBuilder('coach_tiny_expert', deriveSeed(spec.seed, 'expert'));
  const xT = g.input(EXPERT_IO.xT, 'float32', [BATCH, chunkLength, dims]);
  const t = g.input(EXPERT_IO.t, 'float32', [BATCH]);
  const context = g.input(EXPERT_IO.context, 'float32', [BATCH, contextWidth]);

  const actions = g.op('Reshape', [xT, g.constant([0, chunkLength * dims], [2])]);
  const joined = g.op('Concat', [actions, timeEmbedding(g, t, timeFeatures), context], { axis: int(1) });
  let h = linear(g, joined, 'input_proj', chunkLength * dims + timeFeatures + contextWidth, width);
  for (let block = 0; block < spec.expertBlocks; block += 1) {
    const normed = layerNorm(g, h, `blocks.${block}.norm`, width);
    const hidden = g.op('Gelu', [linear(g, normed, `blocks.${block}.fc1`, width, width)]);
    h = g.op('Add', [h, linear(g, hidden, `blocks.${block}.fc2`, width, width)]);
  }
  const out = linear(g, layerNorm(g, h, 'final_norm', width), 'output_proj', width, chunkLength * dims, OUTPUT_GAIN);
  g.output(g.op('Reshape', [out, g.constant([0, chunkLength, dims], [3])]), EXPERT_IO.velocity, 'float32', [
    BATCH,
    chunkLength,
    dims,
  ]);
  return g.toBytes();
}
