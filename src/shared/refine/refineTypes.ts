import { z } from 'zod';
import { TASK_TEMPLATES } from '../sim/world/tasks';
import { versionComparisonSchema } from '../models/modelVersionTypes';
import { PAIR_REWARDS, PAIR_SOURCES } from './pairTypes';

/** What "Refine policy" does: build pairs from the catalog, DPO, evaluate before/after, wait for a verdict. */
export const REFINE_PHASES = [
  'pairs',
  'training',
  'evaluating',
  'ready',
  'promoted',
  'discarded',
  'failed',
  'cancelled',
] as const;
export type RefinePhase = (typeof REFINE_PHASES)[number];

export const refineRequestSchema = z
  .object({
    /** The model to refine; default: the one in use. */
    modelPath: z.string().min(1).optional(),
    /** Which pairs to build from the labelled episodes before training (existing pairs are always used). */
    buildFrom: z.enum(['labels', 'gta', 'all', 'none']).default('all'),
    /** What ranks the samples of reward pairs: GTA, the world model (settings.refine.worldModelPath), or WM + 0.1 · GTA. */
    reward: z.enum(PAIR_REWARDS).default('gta'),
    sources: z.array(z.enum(PAIR_SOURCES)).optional(),
    beta: z.number().positive().max(100_000).optional(),
    steps: z.number().int().min(1).max(100_000).optional(),
    batchSize: z.number().int().min(1).max(1024).optional(),
    learningRate: z.number().positive().max(1).optional(),
    sharedNoise: z.boolean().optional(),
    seed: z.number().int().min(0).default(0),
    /** in-app: DPO here; external: the configured external trainer command (settings.refine). */
    trainer: z.enum(['in-app', 'external']).default('in-app'),
    /** Held-out attempts per task template for the before/after evaluation (0: skip it). */
    evalEpisodesPerTemplate: z.number().int().min(0).max(1000).default(10),
    evalTemplates: z
      .array(z.enum(TASK_TEMPLATES))
      .min(1)
      .default([...TASK_TEMPLATES]),
  })
  .strict();
export type RefineRequest = z.infer<typeof refineRequestSchema>;
/** A request as callers write it (defaults not yet filled in). */
export type RefineRequestInput = z.input<typeof refineRequestSchema>;

const curveSchema = z.array(z.tuple([z.number(), z.number()]));

export const refineJobSchema = z.object({
  jobId: z.number().int().positive(),
  phase: z.enum(REFINE_PHASES),
  startedAtMs: z.number(),
  base: z.object({ id: z.string(), path: z.string(), name: z.string(), version: z.string() }),
  /** The refined version, once written. */
  candidate: z.object({ id: z.string(), path: z.string(), version: z.string() }).nullable(),
  pairs: z.object({
    used: z.number().int(),
    bySource: z.record(z.string(), z.number().int()),
    byTask: z.array(z.object({ task: z.string(), count: z.number().int() })),
    builtNow: z.number().int(),
  }),
  training: z.object({
    step: z.number().int(),
    totalSteps: z.number().int(),
    loss: z.number().nullable(),
    accuracy: z.number().nullable(),
    margin: z.number().nullable(),
    stepsPerS: z.number().nullable(),
    curves: z.record(z.string(), curveSchema),
  }),
  evaluation: z.object({ done: z.number().int(), total: z.number().int() }),
  /** The whole job, 0 … 1, and the time left (s) when it can be estimated. */
  fraction: z.number(),
  etaS: z.number().nullable(),
  message: z.string().nullable(),
  comparison: versionComparisonSchema.nullable(),
});
export type RefineJob = z.infer<typeof refineJobSchema>;
