import { z } from 'zod';
import { OBJECT_KINDS } from './worldTypes';

const vec3Schema = z.tuple([z.number(), z.number(), z.number()]);
const vec2Schema = z.tuple([z.number(), z.number()]);

/** An object's shape and size (worldTypes ObjectShape), metres. */
export const objectShapeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sphere'), radiusM: z.number() }),
  z.object({ type: z.literal('cylinder'), radiusM: z.number(), heightM: z.number() }),
  z.object({ type: z.literal('box'), sizeM: vec3Schema }),
  z.object({ type: z.literal('ellipsoid'), radiiM: vec3Schema }),
  z.object({ type: z.literal('dish'), radiusM: z.number(), heightM: z.number() }),
]);

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
      /** Bottom centre of the object, robot base frame (x forward, y left, z up; table top z = 0), metres. */
      positionM: vec3Schema.optional(),
      /** Rotation about z. */
      yawRad: z.number().optional(),
      shape: objectShapeSchema.optional(),
    }),
  ),
  /** The table top (the plane z = 0), base frame. */
  table: z.object({ sizeM: vec2Schema, centerM: vec2Schema, color: z.string() }).optional(),
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
