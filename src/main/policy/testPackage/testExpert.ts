import { deriveSeed } from '../../../shared/sim/world/random';
import { layerNorm, linear, splitHeads, TEST_SHAPE, timeEmbedding, VELOCITY_OUTPUT_GAIN } from './layers';
import { int, ints, OnnxGraphBuilder } from './onnxBuilder';
import { KV_PREFIX_SEQ } from './testPrefix';

export interface ExpertSpec {
  hiddenSize: number;
  layers: number;
  seed: number;
}

const BATCH = 'batch';

/** x_t [B, chunk, dims] and t [B]: the inputs every expert takes. */
function expertInputs(g: OnnxGraphBuilder) {
  const { chunk, dims } = TEST_SHAPE;
  return { xT: g.input('x_t', 'float32', [BATCH, chunk, dims]), t: g.input('t', 'float32', [BATCH]) };
}

/**
 * The 'embedding' expert: [flattened x_t, sin/cos(t), context] → a residual MLP of `layers` blocks
 * (LayerNorm, Linear, Gelu, Linear) of width `hiddenSize` → velocity [B, chunk, dims].
 */
export async function buildEmbeddingExpert(spec: ExpertSpec): Promise<Uint8Array> {
  const { chunk, dims, prefixWidth, timeFeatures } = TEST_SHAPE;
  const width = spec.hiddenSize;
  const g = new OnnxGraphBuilder('coach_test_expert_embedding', deriveSeed(spec.seed, 'expert'));
  const { xT, t } = expertInputs(g);
  const context = g.input('context', 'float32', [BATCH, prefixWidth]);

  const actions = g.op('Reshape', [xT, g.constant([-1, chunk * dims], [2])]);
  const joined = g.op('Concat', [actions, timeEmbedding(g, t, timeFeatures), context], { axis: int(1) });
  let h = linear(g, joined, 'input_proj', chunk * dims + timeFeatures + prefixWidth, width);
  for (let layer = 0; layer < spec.layers; layer += 1) {
    const normed = layerNorm(g, h, `blocks.${layer}.norm`, width);
    const hidden = g.op('Gelu', [linear(g, normed, `blocks.${layer}.fc1`, width, width)]);
    h = g.op('Add', [h, linear(g, hidden, `blocks.${layer}.fc2`, width, width)]);
  }
  const out = linear(g, layerNorm(g, h, 'final_norm', width), 'output_proj', width, chunk * dims, VELOCITY_OUTPUT_GAIN);
  g.output(g.op('Reshape', [out, g.constant([-1, chunk, dims], [3])]), 'velocity', 'float32', [BATCH, chunk, dims]);
  return g.toBytes();
}

/**
 * The 'kv' expert, a small transformer shaped like NORA-1.5's action expert: the chunk's action
 * tokens (x_t projected, plus the time embedding) attend in every layer to that layer's prefix K/V
 * (past_key_i, past_value_i; padding masked out with pad_mask) and to their own keys and values,
 * then pass an MLP. Width `hiddenSize`; queries projected to heads × headDim to match the prefix.
 */
export async function buildKvExpert(spec: ExpertSpec): Promise<Uint8Array> {
  const { chunk, dims, heads, headDim, timeFeatures } = TEST_SHAPE;
  const width = spec.hiddenSize;
  const attnWidth = heads * headDim;
  const g = new OnnxGraphBuilder('coach_test_expert_kv', deriveSeed(spec.seed, 'expert'));
  const { xT, t } = expertInputs(g);
  const past: { key: string; value: string }[] = [];
  for (let layer = 0; layer < spec.layers; layer += 1) {
    past.push({
      key: g.input(`past_key_${layer}`, 'float32', [BATCH, heads, KV_PREFIX_SEQ, headDim]),
      value: g.input(`past_value_${layer}`, 'float32', [BATCH, heads, KV_PREFIX_SEQ, headDim]),
    });
  }
  const padMask = g.input('pad_mask', 'bool', [BATCH, KV_PREFIX_SEQ]);

  // Additive attention bias [B, 1, 1, seq + chunk]: −1e9 on prefix padding, 0 on the action tokens.
  const prefixBias = g.op('Where', [padMask, g.constant([0], [1], 'float32'), g.constant([-1e9], [1], 'float32')]);
  const bias = g.op('Pad', [
    g.op('Unsqueeze', [prefixBias, g.constant([1, 2], [2])]),
    g.constant([0, 0, 0, 0, 0, 0, 0, chunk], [8]),
  ]);

  const time = linear(g, timeEmbedding(g, t, timeFeatures), 'time_proj', timeFeatures, width);
  const tokens = linear(g, xT, 'action_in', dims, width);
  const position = g.weight('action_position', [chunk, width], 0.1);
  let h = g.op('Add', [g.op('Add', [tokens, position]), g.op('Unsqueeze', [time, g.constant([1], [1])])]);

  for (let layer = 0; layer < spec.layers; layer += 1) {
    const name = `layers.${layer}`;
    const normed = layerNorm(g, h, `${name}.attn_norm`, width);
    const query = splitHeads(g, linear(g, normed, `${name}.q_proj`, width, attnWidth), chunk);
    const ownKey = splitHeads(g, linear(g, normed, `${name}.k_proj`, width, attnWidth), chunk);
    const ownValue = splitHeads(g, linear(g, normed, `${name}.v_proj`, width, attnWidth), chunk);
    const keys = g.op('Concat', [past[layer]!.key, ownKey], { axis: int(2) });
    const values = g.op('Concat', [past[layer]!.value, ownValue], { axis: int(2) });
    const scores = g.op('Mul', [
      g.op('MatMul', [query, g.op('Transpose', [keys], { perm: ints([0, 1, 3, 2]) })]),
      g.constant([1 / Math.sqrt(headDim)], [1], 'float32'),
    ]);
    const weights = g.op('Softmax', [g.op('Add', [scores, bias])], { axis: int(-1) });
    const attended = g.op('Transpose', [g.op('MatMul', [weights, values])], { perm: ints([0, 2, 1, 3]) });
    const merged = g.op('Reshape', [attended, g.constant([0, chunk, attnWidth], [3])]);
    h = g.op('Add', [h, linear(g, merged, `${name}.o_proj`, attnWidth, width)]);

    const mlpIn = layerNorm(g, h, `${name}.mlp_norm`, width);
    const hidden = g.op('Gelu', [linear(g, mlpIn, `${name}.mlp_up`, width, 4 * width)]);
    h = g.op('Add', [h, linear(g, hidden, `${name}.mlp_down`, 4 * width, width)]);
  }
  const velocity = linear(g, layerNorm(g, h, 'final_norm', width), 'action_out', width, dims, VELOCITY_OUTPUT_GAIN);
  g.output(velocity, 'velocity', 'float32', [BATCH, chunk, dims]);
  return g.toBytes();
}
