import { z } from 'zod';
import { TASK_TEMPLATES } from '../sim/world/tasks';
import { SEED_SETS } from './seedSets';

export const evaluationRequestSchema = z
  .object({
    /** The model package folder to evaluate. */
    modelPath: z.string().min(1),
    templates: z
      .array(z.enum(TASK_TEMPLATES))
      .min(1)
      .default([...TASK_TEMPLATES]),
    episodesPerTemplate: z.number().int().min(1).max(1000).default(20),
    seedSet: z.enum(SEED_SETS).default('heldout'),
    /** Chunks before an attempt counts as failed. */
    maxStrokes: z.number().int().min(1).max(1000).default(60),
    /** Seeds the policy's noise (the scenes come from the seed set). */
    seed: z.number().int().min(0).default(0),
  })
  .strict();
export type EvaluationRequest = z.infer<typeof evaluationRequestSchema>;

export const episodeResultSchema = z.object({
  template: z.enum(TASK_TEMPLATES),
  seed: z.number().int(),
  instruction: z.string(),
  distractors: z.number().int(),
  success: z.boolean(),
  reason: z.string(),
  strokes: z.number().int(),
  steps: z.number().int(),
  /** Simulated seconds to success (steps × the control period); null when it failed. */
  timeToSuccessS: z.number().nullable(),
  distractorGrasps: z.number().int(),
  /** The scripted expert on the same scene: its strokes (its actions in chunks of the package's length). */
  expertStrokes: z.number().int().nullable(),
});
export type EpisodeResult = z.infer<typeof episodeResultSchema>;

export const evaluationSummarySchema = z.object({
  episodes: z.number().int(),
  successes: z.number().int(),
  successRate: z.number(),
  /** Wilson 95 % interval of the success rate. */
  successInterval95: z.tuple([z.number(), z.number()]),
  meanStrokes: z.number(),
  meanStrokesOnSuccess: z.number().nullable(),
  meanExpertStrokes: z.number().nullable(),
  distractorGrasps: z.number().int(),
  meanTimeToSuccessS: z.number().nullable(),
});
export type EvaluationSummary = z.infer<typeof evaluationSummarySchema>;

export const evaluationReportSchema = z.object({
  id: z.number().int().nullable(),
  model: z.object({ name: z.string(), version: z.string(), path: z.string() }),
  request: evaluationRequestSchema,
  startedAtMs: z.number(),
  durationS: z.number(),
  overall: evaluationSummarySchema,
  byTemplate: z.record(z.string(), evaluationSummarySchema),
  episodes: z.array(episodeResultSchema),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;

export const evaluationProgressSchema = z.object({
  jobId: z.number().int(),
  modelPath: z.string(),
  phase: z.enum(['loading', 'running', 'done', 'failed', 'cancelled']),
  episodesDone: z.number().int(),
  episodesTotal: z.number().int(),
  successes: z.number().int(),
  fraction: z.number(),
  message: z.string().nullable(),
  report: evaluationReportSchema.nullable(),
});
export type EvaluationProgress = z.infer<typeof evaluationProgressSchema>;
