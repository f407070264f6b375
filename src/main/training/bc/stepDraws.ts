import { deriveSeed, SeededRandom } from '../../../shared/sim/world/random';

/** Everything random about one training step. */
export interface StepDraws {
  /** Dataset indices of the batch (drawn with replacement). */
  indices: number[];
  /** Flow time per sample: Beta(1.5, 1)·0.999 + 0.001, as NORA-1.5 (more weight near t = 1, pure noise). */
  times: Float32Array;
  /** Gaussian noise, [batch, chunk, dims] flattened. */
  noise: Float32Array;
}

/** One flow time t ~ Beta(1.5, 1)·0.999 + 0.001 (Beta(1.5, 1) has CDF x^1.5: inverted). */
export const drawFlowTime = (random: SeededRandom): number => random.next() ** (2 / 3) * 0.999 + 0.001;

/**
 * The draws of step `step`: a pure function of (seed, step), so the RNG state a checkpoint needs is just
 * the seed and the step count, and a resumed run draws exactly what the uninterrupted run would have.
 */
export function drawStep(
  seed: number,
  step: number,
  datasetSize: number,
  batchSize: number,
  valuesPerSample: number,
): StepDraws {
  const random = new SeededRandom(deriveSeed(seed, `bc/step/${step}`));
  const indices = Array.from({ length: batchSize }, () => random.int(0, datasetSize - 1));
  const times = Float32Array.from({ length: batchSize }, () => drawFlowTime(random));
  const noise = Float32Array.from({ length: batchSize * valuesPerSample }, () => random.gaussian());
  return { indices, times, noise };
}

/** x_t and the target velocity for a batch of normalised action chunks a: x_t = t·ε + (1 − t)·a, u = ε − a. */
export function flowMatchingPair(
  actions: Float32Array,
  draws: Pick<StepDraws, 'times' | 'noise'>,
): { noisyActions: Float32Array; targetVelocity: Float32Array } {
  const batch = draws.times.length;
  const perSample = actions.length / batch;
  const noisyActions = new Float32Array(actions.length);
  const targetVelocity = new Float32Array(actions.length);
  for (let i = 0; i < actions.length; i += 1) {
    const t = draws.times[Math.floor(i / perSample)]!;
    const noise = draws.noise[i]!;
    noisyActions[i] = t * noise + (1 - t) * actions[i]!;
    targetVelocity[i] = noise - actions[i]!;
  }
  return { noisyActions, targetVelocity };
}
