import { float, int, ints, type OnnxGraphBuilder } from './onnxBuilder';

/** Sizes every test package shares; `hiddenSize` and `expertLayers` are the options that vary. */
export const TEST_SHAPE = {
  imageSize: 224,
  /** Patch size of the kv prefix's image encoder: 14 × 14 = 196 image tokens. */
  patch: 16,
  maxTokens: 16,
  chunk: 5,
  dims: 7,
  /** Width of the prefix (its context embedding, or heads × headDim of its K/V). */
  prefixWidth: 64,
  heads: 4,
  headDim: 16,
  /** Sinusoidal features of the flow time t. */
  timeFeatures: 32,
} as const;

/** y = x·W + b with W ~ N(0, gain²/fan_in): gain 1 keeps activations O(1). */
export function linear(g: OnnxGraphBuilder, x: string, name: string, fanIn: number, fanOut: number, gain = 1): string {
  const w = g.weight(`${name}.weight`, [fanIn, fanOut], gain / Math.sqrt(fanIn));
  const b = g.filled(`${name}.bias`, [fanOut], 0);
  return g.op('Add', [g.op('MatMul', [x, w]), b]);
}

/**
 * Gain of the experts' last layer. At gain 1 a random expert's velocity carries the same bias at every
 * step, so its chunks drift one way (the arm drove into the table within 8 s); this small the sampled
 * chunk stays close to its starting noise: untrained actions that wander around zero.
 */
export const VELOCITY_OUTPUT_GAIN = 0.05;

/** LayerNormalization over the last axis (scale 1, bias 0). */
export function layerNorm(g: OnnxGraphBuilder, x: string, name: string, width: number): string {
  const scale = g.filled(`${name}.scale`, [width], 1);
  const bias = g.filled(`${name}.bias`, [width], 0);
  return g.op('LayerNormalization', [x, scale, bias], { axis: int(-1), epsilon: float(1e-5) });
}

/** [sin(t·f), cos(t·f)] for geometric frequencies f: t [B] → [B, features]. */
export function timeEmbedding(g: OnnxGraphBuilder, t: string, features: number): string {
  const half = features / 2;
  const frequencies = Array.from({ length: half }, (_, i) => Math.PI * Math.pow(100, i / (half - 1)));
  const angles = g.op('Mul', [
    g.op('Unsqueeze', [t, g.constant([1], [1])]),
    g.constant(frequencies, [1, half], 'float32'),
  ]);
  return g.op('Concat', [g.op('Sin', [angles]), g.op('Cos', [angles])], { axis: int(1) });
}

/** [B, seq, heads·headDim] → [B, heads, seq, headDim]. */
export function splitHeads(g: OnnxGraphBuilder, x: string, seq: number): string {
  const { heads, headDim } = TEST_SHAPE;
  const shaped = g.op('Reshape', [x, g.constant([0, seq, heads, headDim], [4])]);
  return g.op('Transpose', [shaped], { perm: ints([0, 2, 1, 3]) });
}
