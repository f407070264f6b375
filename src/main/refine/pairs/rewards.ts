/** What a reward sees of one observation. */
export interface RewardContext {
  /** The policy camera's picture at the model's size, RGB (what a world model would encode). */
  observation: { rgb: Uint8Array; widthPx: number; heightPx: number; robotState: number[] };
  instruction: string;
  /** The chunk known to be right here ([chunkLength × dims], physical units), when there is one. */
  groundTruth?: Float32Array;
}

/**
 * Scores candidate chunks ([chunkLength × dims] each, physical units) at one observation; lower is better
 * (a distance, an energy). NORA-1.5 ranks K samples with it: chosen = best, rejected = worst.
 */
export interface ActionReward {
  readonly name: string;
  score(context: RewardContext, candidates: Float32Array[]): Promise<number[]>;
}

/** Mean |a − b| over the chunk and its dims. */
export function meanAbsDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`chunks of ${a.length} and ${b.length} values cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** The action-based reward (GTA): mean |a − a_gt| over the chunk and dims against the ground-truth chunk. */
export const gtaReward: ActionReward = {
  name: 'gta',
  async score(context, candidates) {
    const truth = context.groundTruth;
    if (!truth) throw new Error('the GTA reward needs a ground-truth chunk at this observation');
    return candidates.map((candidate) => meanAbsDifference(candidate, truth));
  },
};

/** NORA-1.5's weight of GTA next to the world-model energy. */
export const GTA_WEIGHT_WITH_WM = 0.1;

/** reward = WM energy + 0.1 · GTA (NORA-1.5), for the world-model reward when it exists. */
export function combinedReward(wm: ActionReward, gta: ActionReward = gtaReward): ActionReward {
  return {
    name: `${wm.name}+${GTA_WEIGHT_WITH_WM}*${gta.name}`,
    async score(context, candidates) {
      const [energies, distances] = await Promise.all([wm.score(context, candidates), gta.score(context, candidates)]);
      return energies.map((energy, i) => energy + GTA_WEIGHT_WITH_WM * distances[i]!);
    },
  };
}

/** Indices of the best (lowest) and worst (highest) scores; ties go to the earlier candidate. */
export function bestAndWorst(scores: readonly number[]): { best: number; worst: number } {
  if (scores.length < 2) throw new Error(`ranking needs at least 2 scores, got ${scores.length}`);
  let best = 0;
  let worst = 0;
  scores.forEach((score, i) => {
    if (!Number.isFinite(score)) throw new Error(`candidate ${i} scored ${score}; a reward must give finite numbers`);
    if (score < scores[best]!) best = i;
    if (score > scores[worst]!) worst = i;
  });
  return { best, worst };
}
