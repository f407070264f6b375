import { z } from 'zod';
import { OBJECT_KINDS } from './worldTypes';

/** What the console shows of the simulated bench's scene. */
export const sceneSummarySchema = z.object({
  seed: z.number().int(),
  instruction: z.string().nullable(),
  objects: z.array(
    z.object({
      id: z.string(),
      kind: z.enum(OBJECT_KINDS),
      color: z.string(),
      grasped: z.boolean(),
      insideId: z.string().nullable(),
    }),
  ),
  task: z.object({ success: z.boolean(), reason: z.string() }).nullable(),
  graspEvents: z.number().int().nonnegative(),
  distractorGrasps: z.number().int().nonnegative(),
});
export type SceneSummary = z.infer<typeof sceneSummarySchema>;

export const resetSceneArgsSchema = z
  .object({
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** e.g. "put the grape in the plate"; a random task when absent. */
    instruction: z.string().min(3).max(200).optional(),
  })
  .strict();
