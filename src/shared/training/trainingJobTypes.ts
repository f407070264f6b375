import { z } from 'zod';

export const TRAINING_JOB_KINDS = ['bc', 'dpo'] as const;
export const TRAINING_PHASES = ['preparing', 'training', 'writing', 'done', 'failed', 'cancelled'] as const;

/** A training job as the training view shows it. */
export const trainingJobSchema = z.object({
  jobId: z.number().int().positive(),
  /** bc: behaviour cloning on demonstrations; dpo: refinement on preference pairs (next issue). */
  kind: z.enum(TRAINING_JOB_KINDS),
  /** What it trains, in words ("coach-tiny 1.0.0 on 300 demonstrations"). */
  title: z.string(),
  baseModelPath: z.string(),
  /** The new model version's folder, once written. */
  outputPath: z.string().nullable(),
  startedAtMs: z.number(),
  phase: z.enum(TRAINING_PHASES),
  step: z.number().int().nonnegative(),
  totalSteps: z.number().int().nonnegative(),
  loss: z.number().nullable(),
  smoothedLoss: z.number().nullable(),
  learningRate: z.number(),
  stepsPerS: z.number().nullable(),
  etaS: z.number().nullable(),
  message: z.string().nullable(),
  /** [step, smoothed loss] pairs, at most 400, for the loss curve. */
  lossCurve: z.array(z.tuple([z.number(), z.number()])),
});
export type TrainingJob = z.infer<typeof trainingJobSchema>;

/** Behaviour cloning of the loaded model (or a named package) on fresh scripted-expert demonstrations. */
export const demonstrationTrainingRequestSchema = z
  .object({
    modelPath: z.string().min(1).optional(),
    /** Demonstrations per task template (training seeds only). */
    episodesPerTemplate: z.number().int().min(1).max(2000).default(50),
    steps: z.number().int().min(1).max(1_000_000).default(2000),
    batchSize: z.number().int().min(1).max(1024).default(32),
    learningRate: z.number().positive().max(1).default(1e-3),
    seed: z.number().int().min(0).default(0),
  })
  .strict();
export type DemonstrationTrainingRequest = z.infer<typeof demonstrationTrainingRequestSchema>;
