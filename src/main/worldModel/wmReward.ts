import type { ActionReward, GoalFrame, RewardContext } from '../refine/pairs/rewards';
import type { WorldModelRuntime } from './worldModelRuntime';

/**
 * The world model's reward (NORA-1.5 with V-JEPA2-AC): energy = distance between the latent predicted after
 * the candidate chunk and the goal frame's latent, lower is better. Needs a goal frame, no ground truth, so
 * it ranks samples on operator-only data too. Goal latents are cached per goal frame.
 */
export function worldModelReward(runtime: WorldModelRuntime): ActionReward {
  const goals = new Map<string, Promise<Float32Array>>();
  const goalLatent = (goal: GoalFrame, instruction: string) => {
    const key = `${goal.ref.episodeId}/${goal.ref.camera}/${goal.ref.frameIndex}/${instruction}`;
    let latent = goals.get(key);
    if (!latent) {
      latent = runtime
        .encode([
          { rgb: goal.rgb, widthPx: goal.widthPx, heightPx: goal.heightPx, instruction, robotState: goal.robotState },
        ])
        .then((latents) => latents[0]!);
      goals.set(key, latent);
    }
    return latent;
  };
  return {
    name: 'wm',
    needs: { groundTruth: false, goal: true },
    async score(context: RewardContext, candidates: Float32Array[]) {
      if (!context.goal) throw new Error('the world-model reward needs a goal frame at this observation');
      const { observation, instruction } = context;
      const [[latent], goal] = await Promise.all([
        runtime.encode([{ ...observation, instruction }]),
        goalLatent(context.goal, instruction),
      ]);
      const predicted = await runtime.finalLatents(latent!, candidates);
      return predicted.map((final) => runtime.energy(final, goal));
    },
  };
}
