import type { Params } from '../onnx';
import { jit, tree, valueAndGrad, type JaxArray, type JsTree } from '../onnx/jax';
import { adamWUpdate, type AdamWConfig, type AdamWScalars, type AdamWState } from '../optim/adamW';
import { clipByGlobalNorm } from '../optim/gradientClipping';
import { dpoLoss, type DpoAux, type DpoBatch, type DpoGraphs } from './dpoLoss';

export interface DpoStepConfig {
  beta: number;
  /** λ of the behaviour-cloning term on the chosen chunks (0: pure Diffusion-DPO). */
  chosenFlowWeight: number;
  adamW: AdamWConfig;
  /** Global-norm gradient clipping; null: none. */
  maxGradNorm: number | null;
  /** Params that take weight decay. */
  decayed: ReadonlySet<string>;
}

export interface DpoStepResult {
  loss: JaxArray;
  aux: DpoAux;
  /** Global gradient norm before clipping. */
  gradNorm: JaxArray;
  params: Params;
  state: AdamWState;
}

/**
 * The DPO training step, jitted: loss and gradients with respect to the trained params (the expert's, and
 * the prefix's when it is trained; never the reference's), global-norm clipping, AdamW. Consumes params, state, batch and scalars; borrows the
 * reference. Call `.dispose()` when done.
 */
export function buildDpoStep(graphs: DpoGraphs, config: DpoStepConfig) {
  const loss = (params: Params, reference: Params, batch: DpoBatch) =>
    dpoLoss(graphs, config.beta, params, reference, batch, config.chosenFlowWeight);
  const jitted = jit(
    (params: Params, reference: Params, state: AdamWState, batch: DpoBatch, scalars: AdamWScalars<JaxArray>) => {
      const [[value, aux], grads] = valueAndGrad(loss, { hasAux: true })(tree.ref(params), reference, batch);
      const clipped = clipByGlobalNorm(grads as Params, config.maxGradNorm);
      const next = adamWUpdate(params, clipped.grads, state, scalars, config.adamW, (name) => config.decayed.has(name));
      return [value, aux, clipped.norm, next.params, next.state] as unknown as JsTree<JaxArray>;
    },
  );
  return {
    run: (
      params: Params,
      reference: Params,
      state: AdamWState,
      batch: DpoBatch,
      scalars: AdamWScalars<JaxArray>,
    ): DpoStepResult => {
      const [loss, aux, gradNorm, nextParams, nextState] = jitted(
        params,
        tree.ref(reference),
        state,
        batch,
        scalars,
      ) as unknown as [JaxArray, DpoAux, JaxArray, Params, AdamWState];
      return { loss, aux, gradNorm, params: nextParams, state: nextState };
    },
    dispose: () => jitted.dispose(),
  };
}

/**
 * The DPO loss, its per-pair aux figures and its gradient with respect to `params` (jitted; no update):
 * for checks and tests. Consumes params and batch; borrows the reference.
 */
export function buildDpoGradient(graphs: DpoGraphs, beta: number, chosenFlowWeight = 0) {
  const loss = (params: Params, reference: Params, batch: DpoBatch) =>
    dpoLoss(graphs, beta, params, reference, batch, chosenFlowWeight);
  const jitted = jit((params: Params, reference: Params, batch: DpoBatch) => {
    const [[value, aux], grads] = valueAndGrad(loss, { hasAux: true })(params, reference, batch);
    return [value, aux, grads] as unknown as JsTree<JaxArray>;
  });
  return {
    run: (params: Params, reference: Params, batch: DpoBatch): { loss: JaxArray; aux: DpoAux; grads: Params } => {
      const [value, aux, grads] = jitted(params, tree.ref(reference), batch) as unknown as [JaxArray, DpoAux, Params];
      return { loss: value, aux, grads };
    },
    dispose: () => jitted.dispose(),
  };
}
