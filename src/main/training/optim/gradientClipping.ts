import type { Params } from '../onnx';
import { np, type JaxArray } from '../onnx/jax';

/** √(Σ g²) over every gradient (jit-friendly; borrows the grads). */
export function globalNorm(grads: Params): JaxArray {
  let total: JaxArray | null = null;
  for (const g of Object.values(grads)) {
    const squares = np.sum(g.ref.mul(g.ref));
    total = total ? total.add(squares) : squares;
  }
  return np.sqrt(total ?? np.zeros([]));
}

/**
 * Scales every gradient by maxNorm / max(norm, maxNorm): unchanged while the global norm is within
 * maxNorm, brought onto it above. Consumes the grads; returns the clipped grads and the norm before
 * clipping. `maxNorm` null or Infinity leaves them as they are.
 */
export function clipByGlobalNorm(grads: Params, maxNorm: number | null): { grads: Params; norm: JaxArray } {
  const norm = globalNorm(grads);
  if (maxNorm === null || !Number.isFinite(maxNorm)) return { grads, norm };
  const scale = np.reciprocal(np.maximum(norm.ref, maxNorm)).mul(maxNorm);
  const clipped: Params = {};
  for (const [name, g] of Object.entries(grads)) clipped[name] = g.mul(scale.ref);
  scale.dispose();
  return { grads: clipped, norm };
}
