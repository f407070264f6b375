import { z } from 'zod';

/**
 * Preference pairs (issue #8): at one observation, a chosen and a rejected action chunk. Built from
 * operator labels (good/bad attempts, bad time marks), from the action-based reward (GTA) on good
 * attempts, and later from the world-model reward (docs/refine.md).
 */
export const PAIR_SOURCES = ['label', 'gta', 'wm'] as const;

/** Which reward ranks the K samples: GTA alone, the world model alone, or WM + weight · GTA (NORA-1.5). */
export const PAIR_REWARDS = ['gta', 'wm', 'wm+gta'] as const;
export type PairRewardName = (typeof PAIR_REWARDS)[number];
export type PairSource = (typeof PAIR_SOURCES)[number];

/** active: used for training as stored; flipped: used with chosen and rejected swapped; discarded: never used. */
export const PAIR_STATUSES = ['active', 'flipped', 'discarded'] as const;
export type PairStatus = (typeof PAIR_STATUSES)[number];

/** Scores of a reward for both chunks; lower is better (GTA is a distance, WM an energy). */
export const pairScoresSchema = z.object({
  reward: z.string(),
  chosen: z.number(),
  rejected: z.number(),
  /**
   * A combined reward's components for both chunks, by name ('wm': the world model's energy, 'gta': the
   * distance to the ground-truth chunk), unweighted; absent for single rewards.
   */
  parts: z.record(z.string(), z.object({ chosen: z.number(), rejected: z.number() })).optional(),
});
export type PairScores = z.infer<typeof pairScoresSchema>;

export const pairGoalSchema = z.object({
  episodeId: z.number().int().positive(),
  camera: z.string(),
  frameIndex: z.number().int().nonnegative(),
});
export type PairGoal = z.infer<typeof pairGoalSchema>;

export const preferencePairSchema = z.object({
  id: z.number().int().positive(),
  /** The observation: the recorded episode and the step (steps.jsonl index) whose chunk started there. */
  episodeId: z.number().int().positive(),
  stepIndex: z.number().int().nonnegative(),
  /** The policy camera's frame the observation uses (cameras/<camera>/<frameIndex>.jpg). */
  camera: z.string(),
  frameIndex: z.number().int().nonnegative(),
  /** ROBOT_STATE_NAMES at the observation (6 joints rad, gripper opening fraction). */
  robotState: z.array(z.number()),
  instruction: z.string(),
  /** Trimmed, lower-cased instruction (as episodes' task). */
  task: z.string(),
  /** The policy whose samples made the counterpart(s), and its action space. */
  modelName: z.string(),
  modelVersion: z.string(),
  actionSpace: z.string(),
  actionNames: z.array(z.string()),
  /** [chunkLength][dims] in physical units. */
  chosen: z.array(z.array(z.number())),
  rejected: z.array(z.array(z.number())),
  source: z.enum(PAIR_SOURCES),
  /** Label pairs: which side is the chunk the robot executed (the other is the policy's sample); null otherwise. */
  executedSide: z.enum(['chosen', 'rejected']).nullable().optional(),
  scores: pairScoresSchema,
  /**
   * World-model pairs: the goal frame the energy measured against (an episode's frame of the same camera);
   * null otherwise.
   */
  goal: pairGoalSchema.nullable().optional(),
  status: z.enum(PAIR_STATUSES),
  createdAtMs: z.number(),
});
export type PreferencePair = z.infer<typeof preferencePairSchema>;

export const pairFilterSchema = z
  .object({
    sources: z.array(z.enum(PAIR_SOURCES)).optional(),
    statuses: z.array(z.enum(PAIR_STATUSES)).optional(),
    task: z.string().max(300).optional(),
    episodeIds: z.array(z.number().int().positive()).max(100_000).optional(),
    modelName: z.string().optional(),
    /** Only pairs training would use: not discarded, their episode not excluded from training. */
    eligibleOnly: z.boolean().optional(),
    limit: z.number().int().positive().max(100_000).optional(),
    offset: z.number().int().nonnegative().optional(),
  })
  .strict();
export type PairFilter = z.infer<typeof pairFilterSchema>;

/** What "Refine policy" shows before it starts: eligible pairs by source and by task. */
export const pairSummarySchema = z.object({
  total: z.number().int(),
  eligible: z.number().int(),
  bySource: z.record(z.string(), z.number().int()),
  byStatus: z.record(z.string(), z.number().int()),
  byTask: z.array(z.object({ task: z.string(), count: z.number().int() })),
});
export type PairSummary = z.infer<typeof pairSummarySchema>;
