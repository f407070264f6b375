import { deriveSeed, SeededRandom } from '../../../shared/sim/world/random';
import { drawFlowTime } from '../bc/stepDraws';

/** Whether the chosen and the rejected chunk of a pair get the same t and ε (Diffusion-DPO's choice) or their own. */
export type DpoNoise = 'shared' | 'independent';

/** Everything random about one DPO step of B pairs. */
export interface DpoStepDraws {
  /** Pair indices, B: every pair once per epoch, in an order shuffled per epoch. */
  indices: number[];
  /** t per row, [2B]: the chosen rows' then the rejected rows' (equal halves when the noise is shared). */
  times: Float32Array;
  /** ε per row, [2B, chunk, dims] flattened, halves as `times`. */
  noise: Float32Array;
}

/**
 * The pairs' visiting order: epoch e is a permutation drawn from (seed, e), and step s takes positions
 * s·B … s·B + B − 1 of the concatenated epochs. A pure function of (seed, step); the last permutations are kept.
 */
export class PairOrder {
  private readonly permutations = new Map<number, number[]>();

  constructor(
    private readonly seed: number,
    readonly size: number,
  ) {}

  indicesOfStep(step: number, batchSize: number): number[] {
    return Array.from({ length: batchSize }, (_, k) => {
      const position = step * batchSize + k;
      return this.permutation(Math.floor(position / this.size))[position % this.size]!;
    });
  }

  private permutation(epoch: number): number[] {
    let order = this.permutations.get(epoch);
    if (!order) {
      const random = new SeededRandom(deriveSeed(this.seed, `dpo/epoch/${epoch}`));
      order = random.shuffle(Array.from({ length: this.size }, (_, i) => i));
      if (this.permutations.size >= 2) this.permutations.delete(this.permutations.keys().next().value!);
      this.permutations.set(epoch, order);
    }
    return order;
  }
}

/** The draws of DPO step `step`: a pure function of (seed, step) and the options. */
export function drawDpoStep(
  seed: number,
  step: number,
  order: PairOrder,
  batchSize: number,
  valuesPerChunk: number,
  noise: DpoNoise,
): DpoStepDraws {
  const random = new SeededRandom(deriveSeed(seed, `dpo/step/${step}`));
  const half = () => ({
    times: Float32Array.from({ length: batchSize }, () => drawFlowTime(random)),
    noise: Float32Array.from({ length: batchSize * valuesPerChunk }, () => random.gaussian()),
  });
  const chosen = half();
  const rejected = noise === 'shared' ? chosen : half();
  const times = new Float32Array(2 * batchSize);
  times.set(chosen.times);
  times.set(rejected.times, batchSize);
  const all = new Float32Array(2 * batchSize * valuesPerChunk);
  all.set(chosen.noise);
  all.set(rejected.noise, batchSize * valuesPerChunk);
  return { indices: order.indicesOfStep(step, batchSize), times, noise: all };
}
