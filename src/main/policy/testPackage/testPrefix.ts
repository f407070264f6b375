import { deriveSeed } from '../../../shared/sim/world/random';
import { layerNorm, linear, splitHeads, TEST_SHAPE } from './layers';
import { int, ints, OnnxGraphBuilder } from './onnxBuilder';
import type { PolicyCameraSize } from '../../../shared/policy/modelManifest';
import { testCameraInput } from './testManifest';

export interface PrefixSpec {
  vocabSize: number;
  layers: number;
  seed: number;
  /** Cameras besides the scene camera (the embedding prefix only). */
  moreCameras?: readonly PolicyCameraSize[];
}

/** Image tokens of the kv prefix (one per 16 × 16 patch) plus the instruction's tokens. */
export const KV_PREFIX_SEQ = (TEST_SHAPE.imageSize / TEST_SHAPE.patch) ** 2 + TEST_SHAPE.maxTokens;

/** The three inputs every test prefix takes: a normalised NCHW image, token ids and their mask. */
function prefixInputs(g: OnnxGraphBuilder) {
  const { imageSize, maxTokens } = TEST_SHAPE;
  return {
    image: g.input('image', 'float32', [1, 3, imageSize, imageSize]),
    ids: g.input('input_ids', 'int64', [1, maxTokens]),
    mask: g.input('attention_mask', 'int64', [1, maxTokens]),
  };
}

/**
 * The 'embedding' prefix: an 8 × 8 average-pooled image (2352 features) through a linear layer,
 * plus the masked mean of the token embeddings, mixed into one context vector [1, 64]. Each further camera
 * adds its mean colour through a linear layer to the image features.
 */
export async function buildEmbeddingPrefix(spec: PrefixSpec): Promise<Uint8Array> {
  const { prefixWidth: width } = TEST_SHAPE;
  const g = new OnnxGraphBuilder('coach_test_prefix_embedding', deriveSeed(spec.seed, 'prefix'));
  const { image, ids, mask } = prefixInputs(g);

  const pooled = g.op('AveragePool', [image], { kernel_shape: ints([8, 8]), strides: ints([8, 8]) });
  const imageFeatures = g.op('Flatten', [pooled], { axis: int(1) });
  let imageEmbedding = linear(g, imageFeatures, 'image_proj', 3 * 28 * 28, width);
  for (const camera of spec.moreCameras ?? []) {
    const input = g.input(testCameraInput(camera.name), 'float32', [1, 3, camera.heightPx, camera.widthPx]);
    // ReduceMean rather than GlobalAveragePool: the trainer's interpreter runs it, so such packages train.
    const colour = g.op('ReduceMean', [input, g.constant([2, 3], [2])], { keepdims: int(0) });
    imageEmbedding = g.op('Add', [imageEmbedding, linear(g, colour, `${camera.name}_proj`, 3, width)]);
  }

  const table = g.weight('token_embedding', [spec.vocabSize, width], 1);
  const tokens = g.op('Gather', [table, ids]);
  const weights = g.op('Cast', [mask], { to: int(1) });
  const masked = g.op('Mul', [tokens, g.op('Unsqueeze', [weights, g.constant([2], [1])])]);
  const summed = g.op('ReduceSum', [masked, g.constant([1], [1])], { keepdims: int(0) });
  const count = g.op('ReduceSum', [weights, g.constant([1], [1])], { keepdims: int(1) });
  const textEmbedding = g.op('Div', [summed, g.op('Max', [count, g.constant([1], [1, 1], 'float32')])]);

  const joined = g.op('Concat', [imageEmbedding, textEmbedding], { axis: int(1) });
  const context = g.op('Tanh', [linear(g, joined, 'context_proj', 2 * width, width)]);
  g.output(context, 'context', 'float32', [1, width]);
  return g.toBytes();
}

/**
 * The 'kv' prefix, shaped like a VLM backbone's: 16 × 16 patch embeddings of the image and the token
 * embeddings form one sequence; each layer emits its keys and values [1, heads, seq, headDim]
 * (past_key_i, past_value_i) and mixes the sequence with an MLP. pad_mask [1, seq] (bool) marks
 * the real tokens.
 */
export async function buildKvPrefix(spec: PrefixSpec): Promise<Uint8Array> {
  const { imageSize, patch, prefixWidth: width, heads, headDim } = TEST_SHAPE;
  const patches = (imageSize / patch) ** 2;
  const g = new OnnxGraphBuilder('coach_test_prefix_kv', deriveSeed(spec.seed, 'prefix'));
  const { image, ids, mask } = prefixInputs(g);

  const convWeight = g.weight('patch_embed.weight', [width, 3, patch, patch], 1 / Math.sqrt(3 * patch * patch));
  const convBias = g.filled('patch_embed.bias', [width], 0);
  const grid = g.op('Conv', [image, convWeight, convBias], {
    kernel_shape: ints([patch, patch]),
    strides: ints([patch, patch]),
  });
  const flat = g.op('Reshape', [grid, g.constant([1, width, patches], [3])]);
  const position = g.weight('patch_embed.position', [1, patches, width], 0.1);
  const imageTokens = g.op('Add', [g.op('Transpose', [flat], { perm: ints([0, 2, 1]) }), position]);
  const textTokens = g.op('Gather', [g.weight('token_embedding', [spec.vocabSize, width], 1), ids]);
  let x = g.op('Concat', [imageTokens, textTokens], { axis: int(1) });

  const imageValid = g.constant(new Array<number>(patches).fill(1), [1, patches], 'bool');
  const padMask = g.op('Concat', [imageValid, g.op('Cast', [mask], { to: int(9) })], { axis: int(1) });

  for (let layer = 0; layer < spec.layers; layer += 1) {
    const normed = layerNorm(g, x, `layers.${layer}.norm`, width);
    const key = splitHeads(g, linear(g, normed, `layers.${layer}.k_proj`, width, width), KV_PREFIX_SEQ);
    const value = splitHeads(g, linear(g, normed, `layers.${layer}.v_proj`, width, width), KV_PREFIX_SEQ);
    g.output(key, `past_key_${layer}`, 'float32', [1, heads, KV_PREFIX_SEQ, headDim]);
    g.output(value, `past_value_${layer}`, 'float32', [1, heads, KV_PREFIX_SEQ, headDim]);
    if (layer < spec.layers - 1) {
      const hidden = g.op('Gelu', [linear(g, normed, `layers.${layer}.mlp_up`, width, 2 * width)]);
      x = g.op('Add', [x, linear(g, hidden, `layers.${layer}.mlp_down`, 2 * width, width)]);
    }
  }
  g.output(padMask, 'pad_mask', 'bool', [1, KV_PREFIX_SEQ]);
  return g.toBytes();
}
