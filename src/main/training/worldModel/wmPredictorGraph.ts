import { int, OnnxGraphBuilder } from '../../policy/testPackage/onnxBuilder';

const BATCH = 'batch';

/** Names of the predictor graph's inputs and output (manifest.predictor). */
export const WM_PREDICTOR_IO = { latent: 'latent', actions: 'actions', latents: 'latents' } as const;

export interface WmPredictorShape {
  latentSize: number;
  chunkLength: number;
  dims: number;
  hiddenWidth: number;
  seed: number;
}

/**
 * The action-conditioned predictor, rolled out over the chunk inside the graph with one set of weights:
 * z_{k+1} = z_k + W_skip·a_k + MLP([z_k, a_k]) (Linear, Gelu, Linear, Gelu, Linear). The skip term carries
 * what is nearly linear (the TCP moves by the commanded delta); the MLP what is not (an object follows the
 * fingers only once they hold it). Inputs: latent [B, L], actions [B, C, D] (scaled); output: the latent
 * after each action, [B, C, L].
 */
export function buildWmPredictor(shape: WmPredictorShape): Promise<Uint8Array> {
  const { latentSize: L, chunkLength: C, dims: D, hiddenWidth: H } = shape;
  const g = new OnnxGraphBuilder('coach_wm_predictor', shape.seed);
  const latent = g.input(WM_PREDICTOR_IO.latent, 'float32', [BATCH, L]);
  const actions = g.input(WM_PREDICTOR_IO.actions, 'float32', [BATCH, C, D]);
  const w1 = g.weight('predictor.in.weight', [L + D, H], 1 / Math.sqrt(L + D));
  const b1 = g.filled('predictor.in.bias', [H], 0);
  const w2 = g.weight('predictor.hidden.weight', [H, H], 1 / Math.sqrt(H));
  const b2 = g.filled('predictor.hidden.bias', [H], 0);
  const w3 = g.weight('predictor.out.weight', [H, L], 0.01 / Math.sqrt(H));
  const b3 = g.filled('predictor.out.bias', [L], 0);
  const skip = g.weight('predictor.skip.weight', [D, L], 0.01 / Math.sqrt(D));
  const dense = (x: string, w: string, b: string) => g.op('Add', [g.op('MatMul', [x, w]), b]);
  let z = latent;
  const steps: string[] = [];
  for (let k = 0; k < C; k += 1) {
    const action = g.op('Reshape', [
      g.op('Slice', [actions, g.constant([k], [1]), g.constant([k + 1], [1]), g.constant([1], [1])]),
      g.constant([0, D], [2]),
    ]);
    const hidden = g.op('Gelu', [
      dense(g.op('Gelu', [dense(g.op('Concat', [z, action], { axis: int(1) }), w1, b1)]), w2, b2),
    ]);
    z = g.op('Add', [z, g.op('Add', [g.op('MatMul', [action, skip]), dense(hidden, w3, b3)])]);
    steps.push(g.op('Unsqueeze', [z, g.constant([1], [1])]));
  }
  g.output(g.op('Concat', steps, { axis: int(1) }), WM_PREDICTOR_IO.latents, 'float32', [BATCH, C, L]);
  return g.toBytes();
}
