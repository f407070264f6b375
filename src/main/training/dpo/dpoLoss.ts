import type { ModelManifest } from '../../../shared/policy/modelManifest';
import type { CompiledGraph, Params } from '../onnx';
import { lax, np, tree, type JaxArray } from '../onnx/jax';
import { EXPERT_KEY, PREFIX_KEY } from '../bc/bcStep';
import { expertContext, runPrefix } from '../bc/prefixContext';

/** The graphs a DPO step runs. */
export interface DpoGraphs {
  manifest: ModelManifest;
  expert: CompiledGraph;
  /** The prefix when it is trained too (its inputs come batched or per pair); null when frozen (the default). */
  prefix: CompiledGraph | null;
}

/**
 * One DPO step's arrays, 2B rows for B pairs: rows 0 … B − 1 are the chosen chunks, rows B … 2B − 1 the
 * rejected ones of the same pairs in the same order (so row i and row B + i share an observation).
 */
export interface DpoBatch {
  /**
   * The frozen prefix's context (onnxruntime on the starting weights), [2B, …]: each pair's twice, chosen
   * rows then rejected rows. The reference always sees it; the policy too unless its prefix is trained.
   */
  context: Record<string, JaxArray>;
  /** The trained prefix's inputs, [B, …] (batched) or one record per pair (perSample); absent when frozen. */
  prefix?: Record<string, JaxArray> | Record<string, JaxArray>[];
  /** x_t = t·ε + (1 − t)·a, [2B, chunk, dims]. */
  noisyActions: JaxArray;
  /** t, [2B]. */
  times: JaxArray;
  /** u = ε − a, [2B, chunk, dims]. */
  targetVelocity: JaxArray;
}

/** Per-pair figures of a step ([B] each), for metrics; not differentiated. (A type, so it is a jax pytree.) */
export type DpoAux = {
  /** −[(L_w − L_w_ref) − (L_l − L_l_ref)]: positive when the policy prefers the chosen chunk more than the reference does. */
  margin: JaxArray;
  /** L_w and L_l: the policy's flow-matching errors on the chosen and the rejected chunk. */
  chosenError: JaxArray;
  rejectedError: JaxArray;
};

/** The params of one graph (by initializer name) out of the trainer's keyed ones, "expert/…" and "prefix/…"; consumes the others. */
function paramsOf(params: Params, key: string): Params {
  const picked: Params = {};
  for (const [name, array] of Object.entries(params))
    if (name.startsWith(key)) picked[name.slice(key.length)] = array;
    else array.dispose();
  return picked;
}

/** The trained prefix's context for the batch's pairs, stacked twice on axis 0 ([2B, …]). Consumes the params. */
function trainedContext(graphs: DpoGraphs, prefixParams: Params, batch: DpoBatch): Record<string, JaxArray> {
  const outputs = runPrefix(graphs.prefix!, prefixParams, tree.ref(batch.prefix!), graphs.manifest.prefix.outputs);
  const context = expertContext(outputs, graphs.manifest);
  return Object.fromEntries(
    Object.entries(context).map(([name, array]) => [name, np.concatenate([array.ref, array], 0)]),
  );
}

/**
 * The expert's flow-matching error per row: mean over chunk and dims of (v(x_t, t, ctx) − u)², [2B], with
 * the keyed `params` (the expert's, and the prefix's when it is trained). Borrows the batch (takes
 * references), consumes `params`.
 */
export function flowErrorPerRow(graphs: DpoGraphs, params: Params, batch: DpoBatch): JaxArray {
  const spec = graphs.manifest.expert;
  const context = graphs.prefix
    ? trainedContext(graphs, paramsOf(tree.ref(params), PREFIX_KEY), batch)
    : tree.ref(batch.context);
  const outputs = graphs.expert.run(paramsOf(params, EXPERT_KEY), {
    ...context,
    [spec.noisyActionInput]: batch.noisyActions.ref,
    [spec.timeInput]: batch.times.ref,
  });
  for (const [name, array] of Object.entries(outputs)) if (name !== spec.velocityOutput) array.dispose();
  const error = outputs[spec.velocityOutput]!.sub(batch.targetVelocity.ref);
  return np.mean(error.ref.mul(error), [1, 2]);
}

/** Above this, softplus(z) = z in float32 (the rest, log(1 + e^−z), is below 1e-13). */
const SOFTPLUS_LINEAR_FROM = 30;

/**
 * softplus(z) = log(1 + e^z) = −log σ(−z) without overflow: z itself above 30, else the direct form on
 * min(z, 30) (so neither branch, nor its gradient, is ever infinite). Its derivative at 0 is ½ exactly.
 */
export function stableSoftplus(z: JaxArray): JaxArray {
  const direct = np.log(np.exp(np.minimum(z.ref, SOFTPLUS_LINEAR_FROM)).add(1));
  return np.where(np.greater(z.ref, SOFTPLUS_LINEAR_FROM), z, direct);
}

/**
 * Diffusion-DPO for a flow-matching expert (Wallace et al. 2023, in NORA-1.5's form): with L = the per-row
 * flow-matching error (mean over chunk and dims),
 *
 *   loss = mean over pairs of −log σ(−β/2 · [(L_w − L_w_ref) − (L_l − L_l_ref)])
 *
 * plus, when `chosenFlowWeight` λ > 0, λ · mean(L_w): behaviour cloning on the chosen chunks (NORA-1.5 adds
 * a supervised loss on the chosen action alike), which keeps the policy's own error on them from rising;
 * where the _ref terms come from the frozen reference (the expert's starting weights, on the starting
 * prefix's context; no gradient flows into them). `params` are the trainer's keyed params ("expert/…",
 * and "prefix/…" when the prefix is trained), `reference` the expert's starting ones, keyed alike.
 * Consumes params, reference and batch; returns the loss and per-pair aux figures (hasAux form).
 */
export function dpoLoss(
  graphs: DpoGraphs,
  beta: number,
  params: Params,
  reference: Params,
  batch: DpoBatch,
  chosenFlowWeight = 0,
): [JaxArray, DpoAux] {
  const rows = batch.times.shape[0]!;
  const pairs = rows / 2;
  const policy = flowErrorPerRow(graphs, params, batch);
  // The reference: the expert's starting weights on the frozen context (the starting prefix's).
  const frozen = lax.stopGradient(flowErrorPerRow({ ...graphs, prefix: null }, reference, batch));
  tree.dispose(batch);
  const chosen = policy.ref.slice([0, pairs]);
  const rejected = policy.slice([pairs, rows]);
  // (L_w − L_w_ref) − (L_l − L_l_ref)
  const inside = chosen.ref.sub(frozen.ref.slice([0, pairs])).sub(rejected.ref.sub(frozen.slice([pairs, rows])));
  let loss = np.mean(stableSoftplus(inside.ref.mul(beta / 2)));
  if (chosenFlowWeight > 0) loss = loss.add(np.mean(chosen.ref).mul(chosenFlowWeight));
  const aux: DpoAux = {
    margin: lax.stopGradient(inside.neg()),
    chosenError: lax.stopGradient(chosen),
    rejectedError: lax.stopGradient(rejected),
  };
  return [loss, aux];
}
