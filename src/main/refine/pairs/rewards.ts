/** A frame showing the task done: what a world model's energy measures candidates against. */
export interface GoalFrame {
  /** Where it comes from (stored with the pairs it ranks). */
  ref: { episodeId: number; camera: string; frameIndex: number };
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
  /** The arm's state when it was taken (ROBOT_STATE_NAMES). */
  robotState: number[];
}

/** What a reward sees of one observation. */
export interface RewardContext {
  /**
   * The policy camera's picture at the model's size, RGB (what a world model encodes); a model's other
   * cameras are not given to rewards.
   */
  observation: { rgb: Uint8Array; widthPx: number; heightPx: number; robotState: number[] };
  instruction: string;
  /** The chunk known to be right here ([chunkLength × dims], physical units), when there is one. */
  groundTruth?: Float32Array;
  /** The goal frame, for rewards that need one (the world model's). */
  goal?: GoalFrame;
}

/** A reward's total per candidate and, for a combined reward, each component's (unweighted). */
export interface RewardScores {
  total: number[];
  parts: Record<string, number[]>;
}

/**
 * Scores candidate chunks ([chunkLength × dims] each, physical units) at one observation; lower is better
 * (a distance, an energy). NORA-1.5 ranks K samples with it: chosen = best, rejected = worst.
 */
export interface ActionReward {
  readonly name: string;
  /** What an observation must carry for this reward: a ground-truth chunk (GTA), a goal frame (WM). */
  readonly needs: { groundTruth: boolean; goal: boolean };
  score(context: RewardContext, candidates: Float32Array[]): Promise<number[]>;
  /** The total and its components (combined rewards); single rewards give their own name as the one part. */
  scoreParts?(context: RewardContext, candidates: Float32Array[]): Promise<RewardScores>;
}

/** A reward's scores with their parts (a single reward is its own only part). */
export async function scoreWithParts(
  reward: ActionReward,
  context: RewardContext,
  candidates: Float32Array[],
): Promise<RewardScores> {
  if (reward.scoreParts) return reward.scoreParts(context, candidates);
  const total = await reward.score(context, candidates);
  return { total, parts: { [reward.name]: total } };
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
  needs: { groundTruth: true, goal: false },
  async score(context, candidates) {
    const truth = context.groundTruth;
    if (!truth) throw new Error('the GTA reward needs a ground-truth chunk at this observation');
    return candidates.map((candidate) => meanAbsDifference(candidate, truth));
  },
};

/** NORA-1.5's weight of GTA next to the world-model energy. */
export const GTA_WEIGHT_WITH_WM = 0.1;

/** reward = WM energy + weight · GTA (NORA-1.5: weight 0.1). */
export function combinedReward(
  wm: ActionReward,
  gta: ActionReward = gtaReward,
  gtaWeight: number = GTA_WEIGHT_WITH_WM,
): ActionReward {
  if (!(Number.isFinite(gtaWeight) && gtaWeight >= 0))
    throw new RangeError(`the GTA weight must be a number ≥ 0, got ${gtaWeight}`);
  const scoreParts = async (context: RewardContext, candidates: Float32Array[]): Promise<RewardScores> => {
    const [energies, distances] = await Promise.all([wm.score(context, candidates), gta.score(context, candidates)]);
    return {
      total: energies.map((energy, i) => energy + gtaWeight * distances[i]!),
      parts: { [wm.name]: energies, [gta.name]: distances },
    };
  };
  return {
    name: `${wm.name}+${gtaWeight}*${gta.name}`,
    needs: { groundTruth: wm.needs.groundTruth || gta.needs.groundTruth, goal: wm.needs.goal || gta.needs.goal },
    async score(context, candidates) {
      return (await scoreParts(context, candidates)).total;
    },
    scoreParts,
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
