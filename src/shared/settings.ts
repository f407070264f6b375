import { z } from 'zod';
import { linkConfigSchema } from './arm';
import { cameraNameSchema, cameraSourceSchema } from './camera';
import { recordingSettingsSchema } from './episodes/episodeTypes';

/** Cameras the operator added (real ones; the sim's views come with the sim link). */
const savedCamerasSchema = z
  .object({
    added: z.array(z.object({ name: cameraNameSchema, source: cameraSourceSchema })).default([]),
    policyCamera: z.string().nullable().default(null),
  })
  .prefault({});

/**
 * Settings persisted in the data folder. Later features add their sections;
 * every field has a default so an older file still loads.
 */
export const settingsSchema = z.object({
  schemaVersion: z.literal(1).default(1),
  ui: z
    .object({
      theme: z.enum(['dark', 'light']).default('dark'),
    })
    .prefault({}),
  arm: z
    .object({
      /** The link Coach opens at start; the embedded simulated A1 unless the operator chose another. */
      link: linkConfigSchema.default({ kind: 'sim', transport: 'in-process', feedbackRateHz: 200 }),
      autoConnect: z.boolean().default(true),
    })
    .prefault({}),
  cameras: savedCamerasSchema,
  policy: z
    .object({
      /** The model package loaded at start; null: the one Coach ships (resources/models). */
      modelPath: z.string().nullable().default(null),
      autoLoad: z.boolean().default(true),
    })
    .prefault({}),
  recording: recordingSettingsSchema,
  refine: z
    .object({
      /**
       * An external trainer for models too large for the in-app one (docs/refine.md, "External trainer"):
       * argv with {dataset}, {output} and {model} placeholders; null: none configured.
       */
      externalTrainerCommand: z.array(z.string().min(1)).min(1).nullable().default(null),
      /** The world-model package the world-model rewards use (docs/world-model.md); null: the shipped coach-wm. */
      worldModelPath: z.string().min(1).nullable().default(null),
    })
    .prefault({}),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z.object({
  ui: z
    .object({ theme: z.enum(['dark', 'light']) })
    .partial()
    .optional(),
  arm: z.object({ link: linkConfigSchema, autoConnect: z.boolean() }).partial().optional(),
  cameras: savedCamerasSchema.optional(),
  policy: z.object({ modelPath: z.string().nullable(), autoLoad: z.boolean() }).partial().optional(),
  refine: z
    .object({
      externalTrainerCommand: z.array(z.string().min(1)).min(1).nullable(),
      worldModelPath: z.string().min(1).nullable(),
    })
    .partial()
    .optional(),
  recording: z
    .object({
      enabled: z.boolean(),
      fps: z.number().min(1).max(60),
      cameras: z.array(z.string()).nullable(),
      dir: z.string().nullable(),
    })
    .partial()
    .optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
