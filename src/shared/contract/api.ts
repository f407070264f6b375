import { z } from 'zod';
import { defineMethod, defineStream } from './define';
import { systemHealthSchema, systemInfoSchema } from '../system';
import { settingsPatchSchema, settingsSchema } from '../settings';

const noArgs = z.object({}).strict().default({});

/** The whole API between the console's UI (or any client) and its services. */
export const coachContract = {
  methods: {
    'system.info': defineMethod({
      summary: 'Versions, inference providers and machine resources.',
      args: noArgs,
      result: systemInfoSchema,
    }),
    'settings.get': defineMethod({
      summary: 'The persisted settings, with defaults filled in.',
      args: noArgs,
      result: settingsSchema,
    }),
    'settings.update': defineMethod({
      summary: 'Merge a validated patch into the settings and persist them.',
      args: settingsPatchSchema.strict(),
      result: settingsSchema,
    }),
  },
  streams: {
    'system.health': defineStream({
      summary: 'Uptime, event-loop delay and memory of the main process, at 1 Hz.',
      args: noArgs,
      payload: systemHealthSchema,
    }),
  },
} as const;

export type CoachContract = typeof coachContract;
