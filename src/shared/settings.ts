import { z } from 'zod';
import { linkConfigSchema } from './arm';
import { cameraNameSchema, cameraSourceSchema } from './camera';
import { recordingSettingsSchema } from './episodes/episodeTypes';
import { safetySettingsPatchSchema, safetySettingsSchema } from './robot/safetyLimits';
import { consoleLayoutSchema, storedLayoutSchema, UNREADABLE_LAYOUT } from './ui/consoleLayout';

const controlRateSchema = z
  .number({ error: 'the control rate must be a number of hertz' })
  .min(1, 'the control rate must be at least 1 Hz')
  .max(100, 'the control rate must be at most 100 Hz');

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
      /**
       * The panel layout the operator arranged; null: none saved (the console picks a preset from the window
       * width). Only the shape is checked here: the console repairs the rest and says what it changed
       * (src/shared/ui/consoleLayout.ts), and an unreadable layout never costs the other settings.
       */
      layout: storedLayoutSchema.nullable().default(null).catch(UNREADABLE_LAYOUT),
      /** The first-run guide was completed or skipped: it does not show again. */
      firstRunDone: z.boolean().default(false),
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
  /** The operator's safety limits, only ever tighter than the A1's (src/shared/robot/safetyLimits.ts). */
  safety: safetySettingsSchema,
  runner: z
    .object({
      /** Actions per second while the console's attempts execute a chunk; null: the model package's rate. */
      controlRateHz: controlRateSchema.nullable().default(null),
    })
    .prefault({}),
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z.object({
  ui: z
    .object({ theme: z.enum(['dark', 'light']), layout: consoleLayoutSchema.nullable(), firstRunDone: z.boolean() })
    .partial()
    .optional(),
  arm: z.object({ link: linkConfigSchema, autoConnect: z.boolean() }).partial().optional(),
  cameras: savedCamerasSchema.optional(),
  policy: z
    .object({
      modelPath: z.string().min(1, 'enter the model package folder, or choose the shipped coach-tiny').nullable(),
      autoLoad: z.boolean(),
    })
    .partial()
    .optional(),
  refine: z
    .object({
      externalTrainerCommand: z
        .array(z.string().min(1, 'an argument of the trainer command is empty'))
        .min(1, 'enter the trainer program and its arguments, or none')
        .nullable(),
      worldModelPath: z
        .string()
        .min(1, 'enter the world-model package folder, or choose the shipped coach-wm')
        .nullable(),
    })
    .partial()
    .optional(),
  recording: z
    .object({
      enabled: z.boolean(),
      fps: z
        .number({ error: 'the recording rate must be a number of frames per second' })
        .min(1, 'record at least 1 frame per second')
        .max(60, 'record at most 60 frames per second'),
      cameras: z.array(z.string()).nullable(),
      dir: z.string().min(1, 'enter a folder, or use the default').nullable(),
    })
    .partial()
    .optional(),
  safety: safetySettingsPatchSchema.optional(),
  runner: z.object({ controlRateHz: controlRateSchema.nullable() }).partial().optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
