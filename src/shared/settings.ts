import { z } from 'zod';

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
});
export type Settings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z.object({
  ui: z
    .object({ theme: z.enum(['dark', 'light']) })
    .partial()
    .optional(),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;
