import { type SeededRandom } from '../sim/world/random';

/** The expert's velocity for a batch of noisy chunks x_t (flattened [B, chunk, dims]) at times t ([B]). */
export type VelocityField = (xT: Float32Array, tValues: Float32Array) => Promise<Float32Array>;

/** Standard normal noise for `count` values; seeded for reproducible samples. */
export function gaussianNoise(count: number, random: SeededRandom | (() => number)): Float32Array {
  const next = typeof random === 'function' ? random : () => random.next();
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - next();
    const v = next();
    const radius = Math.sqrt(-2 * Math.log(u));
    out[i] = radius * Math.cos(2 * Math.PI * v);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * Flow-matching sampling as NORA-1.5 does it: start from Gaussian noise at t = 1 and take `steps`
 * Euler steps of dt = −1/steps to t = 0, x ← x + dt·v(x, t). The whole batch (K candidate chunks)
 * goes through each step together. Returns the normalised chunks, [B, chunk, dims] flattened.
 */
export async function sampleFlow(
  noise: Float32Array,
  batch: number,
  steps: number,
  velocity: VelocityField,
): Promise<Float32Array> {
  if (!(Number.isInteger(steps) && steps > 0))
    throw new RangeError(`flow steps must be a positive integer, got ${steps}`);
  if (!(Number.isInteger(batch) && batch > 0) || noise.length % batch !== 0)
    throw new RangeError(`noise of ${noise.length} values does not split into ${batch} chunks`);
  const x = Float32Array.from(noise);
  const dt = -1 / steps;
  const tValues = new Float32Array(batch);
  for (let step = 0; step < steps; step += 1) {
    tValues.fill(1 + step * dt);
    const v = await velocity(x, tValues);
    if (v.length !== x.length)
      throw new Error(`the expert returned ${v.length} velocity values for ${x.length} action values`);
    for (let i = 0; i < x.length; i += 1) x[i] = x[i]! + dt * v[i]!;
  }
  return x;
}
