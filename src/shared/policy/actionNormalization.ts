import type { ActionNormalization } from './modelManifest';

/**
 * From the policy's [−1, 1] range back to physical units, per dim where the mask says so:
 * a = 0.5·(x + 1)·(q99 − q01) + q01. Works on one action or a flattened chunk.
 */
export function unnormalizeActions(normalized: ArrayLike<number>, stats: ActionNormalization): Float32Array {
  const dims = stats.q01.length;
  if (normalized.length % dims !== 0)
    throw new RangeError(`${normalized.length} values are not a whole number of ${dims}-dim actions`);
  const out = new Float32Array(normalized.length);
  for (let i = 0; i < normalized.length; i += 1) {
    const d = i % dims;
    const x = normalized[i]!;
    out[i] = stats.mask[d] ? 0.5 * (x + 1) * (stats.q99[d]! - stats.q01[d]!) + stats.q01[d]! : x;
  }
  return out;
}

/** The inverse, for training data and tests: x = 2·(a − q01)/(q99 − q01) − 1 on masked dims. */
export function normalizeActions(actions: ArrayLike<number>, stats: ActionNormalization): Float32Array {
  const dims = stats.q01.length;
  const out = new Float32Array(actions.length);
  for (let i = 0; i < actions.length; i += 1) {
    const d = i % dims;
    const a = actions[i]!;
    out[i] = stats.mask[d] ? (2 * (a - stats.q01[d]!)) / (stats.q99[d]! - stats.q01[d]!) - 1 : a;
  }
  return out;
}
