import { z } from 'zod';
import { executionProviderSchema } from '../system';
import { ACTION_SPACES } from './modelManifest';

/** What the console shows of the loaded model package. */
export const policyInfoSchema = z.object({
  /** The package folder it was loaded from. */
  path: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  /** False for test packages with random or fixed weights: the console warns that it is untrained. */
  trained: z.boolean(),
  actionSpace: z.enum(ACTION_SPACES),
  chunkLength: z.number().int().positive(),
  actionDims: z.number().int().positive(),
  actionNames: z.array(z.string()),
  flowSteps: z.number().int().positive(),
  controlRateHz: z.number().positive(),
  cameras: z.array(z.object({ name: z.string(), widthPx: z.number().int(), heightPx: z.number().int() })),
  prefixOutputs: z.array(z.string()),
  parameterCount: z.number().int().nonnegative(),
  /** The execution provider the sessions run on, and why not CUDA when it is the CPU. */
  provider: executionProviderSchema,
  providerNote: z.string().nullable(),
  /** Session creation + warm-up, ms. */
  loadMs: z.number().nonnegative(),
  warmupMs: z.number().nonnegative(),
  /** The whole manifest, for the inspector. */
  manifest: z.record(z.string(), z.unknown()),
});
export type PolicyInfo = z.infer<typeof policyInfoSchema>;

export const RUN_PHASES = ['idle', 'starting', 'inferring', 'executing', 'finished'] as const;
export const RUN_OUTCOMES = ['success', 'stopped', 'timeout', 'max_strokes', 'fault', 'refused', 'error'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export const runOptionsSchema = z
  .object({
    /** Actions per second while executing a chunk (default: the package's control rate, 10 Hz). */
    controlRateHz: z.number().min(1).max(100).optional(),
    /** The attempt ends as a timeout after this long. */
    timeoutS: z.number().min(1).max(3600).default(120),
    /** The attempt ends after this many chunks (strokes). */
    maxStrokes: z.number().int().min(1).max(10_000).default(200),
    /** Seeds the sampler's noise (reproducible attempts); random when absent. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** Infer the next chunk while the current one executes. */
    overlapInference: z.boolean().default(false),
  })
  .strict();
export type RunOptions = z.infer<typeof runOptionsSchema>;

export const runStartArgsSchema = z
  .object({
    instruction: z.string().trim().min(3, 'type an instruction, e.g. "put the grape in the plate"').max(300),
    options: runOptionsSchema.default({ timeoutS: 120, maxStrokes: 200, overlapInference: false }),
  })
  .strict();

/** The predicted chunk drawn over the policy camera's picture (sim cameras, whose projection is known). */
export const chunkOverlaySchema = z.object({
  camera: z.string(),
  widthPx: z.number().int().positive(),
  heightPx: z.number().int().positive(),
  /** The tool centre point now, then after each action of the chunk, in that camera's pixels. */
  pointsPx: z.array(z.tuple([z.number(), z.number()])),
  /** Gripper stroke commanded by each action, mm. */
  gripperStrokeMm: z.array(z.number()),
});
export type ChunkOverlay = z.infer<typeof chunkOverlaySchema>;

/**
 * The world model's view of how far the running attempt has come (docs/world-model.md, "Progress"): its
 * energy against the goal frame of the latest successful attempt of the task, as a fraction of the way from
 * where the attempt started, now and as the predictor expects after the chunk being run; or why there is none.
 */
export const goalProgressSchema = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('on'),
    fraction: z.number().min(0).max(1),
    predictedFraction: z.number().min(0).max(1).nullable(),
    energy: z.number().nonnegative(),
    /** The goal frame: an episode's frame of a camera (the world model's). */
    goal: z.object({ episodeId: z.number().int(), camera: z.string(), frameIndex: z.number().int() }),
    /** Name and version of the world model. */
    worldModel: z.string(),
  }),
  z.object({ state: z.literal('off'), reason: z.string() }),
]);
export type GoalProgress = z.infer<typeof goalProgressSchema>;

export const runStatusSchema = z.object({
  /** Increases with every attempt; 0 before the first. */
  runId: z.number().int().nonnegative(),
  phase: z.enum(RUN_PHASES),
  instruction: z.string().nullable(),
  model: z.string().nullable(),
  startedAtMs: z.number().nullable(),
  elapsedS: z.number().nonnegative(),
  /** Chunks executed so far. */
  strokes: z.number().int().nonnegative(),
  actionsSent: z.number().int().nonnegative(),
  lastInferenceMs: z.number().nonnegative().nullable(),
  meanInferenceMs: z.number().nonnegative().nullable(),
  outcome: z.enum(RUN_OUTCOMES).nullable(),
  /** Why the attempt ended, in the operator's words. */
  reason: z.string().nullable(),
  /** The latest chunk's physical actions, [chunk][dims]. */
  lastChunk: z.array(z.array(z.number())).nullable(),
  /** Where the latest chunk ends: its last joint target, 6 joints + the gripper motor, rad (the 3D view's ghost). */
  chunkTargetRad: z.array(z.number()).nullable().optional(),
  overlay: chunkOverlaySchema.nullable(),
  /** Sim only: the task check's state. */
  task: z.object({ success: z.boolean(), reason: z.string() }).nullable(),
  seed: z.number().int().nullable(),
  /** Null until the world model has a reading (or without a progress service). */
  goalProgress: goalProgressSchema.nullable().optional(),
});
export type RunStatus = z.infer<typeof runStatusSchema>;

export const IDLE_RUN_STATUS: RunStatus = {
  runId: 0,
  phase: 'idle',
  instruction: null,
  model: null,
  startedAtMs: null,
  elapsedS: 0,
  strokes: 0,
  actionsSent: 0,
  lastInferenceMs: null,
  meanInferenceMs: null,
  outcome: null,
  reason: null,
  lastChunk: null,
  chunkTargetRad: null,
  overlay: null,
  task: null,
  seed: null,
  goalProgress: null,
};

/** One action the runner executed: what the recorder writes per step (docs/episodes.md, steps.jsonl). */
export interface ExecutedStep {
  stroke: number;
  /** The action's index inside its chunk. */
  chunkIndex: number;
  /** Physical action (the package's action names). */
  action: number[];
  /** Sent to the governor: 6 joints + the gripper motor, rad. */
  jointTargetRad: number[];
  /** Measured when it was sent: 7 motors, rad. */
  stateRad: number[];
  /** With the first action of a chunk: the whole physical chunk, and every candidate when K > 1. */
  chunk?: number[][];
  candidates?: number[][][];
}
