import { z } from 'zod';
import { RUN_OUTCOMES } from '../policy/policyTypes';

/** An operator's judgement of an attempt (or of a time range inside one). */
export const EPISODE_LABELS = ['good', 'bad', 'unsure'] as const;
export const episodeLabelSchema = z.enum(EPISODE_LABELS);
export type EpisodeLabel = z.infer<typeof episodeLabelSchema>;

/** How an episode ended: the runner's outcome, 'interrupted' (Coach died mid-recording), or 'manual' (a jog session). */
export const EPISODE_OUTCOMES = [...RUN_OUTCOMES, 'interrupted', 'manual'] as const;
export const episodeOutcomeSchema = z.enum(EPISODE_OUTCOMES);
export type EpisodeOutcome = z.infer<typeof episodeOutcomeSchema>;

/** 'recording' while it is written; 'complete' when closed normally; 'interrupted' when recovered after a crash. */
export const EPISODE_STATUSES = ['recording', 'complete', 'interrupted'] as const;
export type EpisodeStatus = (typeof EPISODE_STATUSES)[number];

export const EPISODE_KINDS = ['attempt', 'manual'] as const;
export type EpisodeKind = (typeof EPISODE_KINDS)[number];

/** "bad from 3.2 s to 5.0 s: grasped the eggplant". */
export const timeMarkSchema = z.object({
  id: z.number().int().positive(),
  startS: z.number().nonnegative(),
  endS: z.number().nonnegative(),
  label: episodeLabelSchema,
  note: z.string().max(2000),
});
export type TimeMark = z.infer<typeof timeMarkSchema>;

export const episodeSummarySchema = z.object({
  id: z.number().int().positive(),
  kind: z.enum(EPISODE_KINDS),
  instruction: z.string(),
  /** The instruction, trimmed and lower-cased: what "by task" groups and filters on. */
  task: z.string(),
  startedAtMs: z.number(),
  durationS: z.number().nonnegative(),
  status: z.enum(EPISODE_STATUSES),
  outcome: episodeOutcomeSchema.nullable(),
  reason: z.string().nullable(),
  strokes: z.number().int().nonnegative(),
  /** Executed actions (rows of steps.jsonl). */
  steps: z.number().int().nonnegative(),
  cameras: z.array(z.string()),
  /** Frames recorded, all cameras together. */
  frames: z.number().int().nonnegative(),
  modelName: z.string().nullable(),
  modelVersion: z.string().nullable(),
  link: z.string().nullable(),
  seed: z.number().int().nullable(),
  label: episodeLabelSchema.nullable(),
  note: z.string(),
  /** Kept, browsable, but left out of training sets and (by default) of exports. */
  excluded: z.boolean(),
  marks: z.array(timeMarkSchema),
});
export type EpisodeSummary = z.infer<typeof episodeSummarySchema>;

/** 'unlabeled' selects episodes without a label. */
export const labelFilterValueSchema = z.enum([...EPISODE_LABELS, 'unlabeled']);

export const episodeFilterSchema = z
  .object({
    /** Substring of the task, case-insensitive. */
    task: z.string().max(300).optional(),
    outcomes: z.array(episodeOutcomeSchema).optional(),
    labels: z.array(labelFilterValueSchema).optional(),
    modelVersion: z.string().max(200).optional(),
    kind: z.enum(EPISODE_KINDS).optional(),
    /** Started at or after / before (ms since the epoch). */
    fromMs: z.number().optional(),
    toMs: z.number().optional(),
    /** Include "exclude from training" episodes (browsing: yes; exports: no unless asked). */
    includeExcluded: z.boolean().optional(),
    ids: z.array(z.number().int().positive()).max(100_000).optional(),
  })
  .strict();
export type EpisodeFilter = z.infer<typeof episodeFilterSchema>;

export const episodeCountsSchema = z.object({
  total: z.number().int(),
  byOutcome: z.record(z.string(), z.number().int()),
  /** Keys: good, bad, unsure, unlabeled. */
  byLabel: z.record(z.string(), z.number().int()),
  byTask: z.array(z.object({ task: z.string(), count: z.number().int(), successes: z.number().int() })),
  byModelVersion: z.array(z.object({ modelVersion: z.string(), count: z.number().int() })),
  excluded: z.number().int(),
});
export type EpisodeCounts = z.infer<typeof episodeCountsSchema>;

/** What the replay view needs besides the frames themselves (fetched one at a time). */
export const episodeReplaySchema = z.object({
  episode: episodeSummarySchema,
  actionNames: z.array(z.string()),
  /** Executed actions: time (s since start), stroke, physical action, joint targets (6 joints + gripper motor, rad). */
  steps: z.array(
    z.object({
      tS: z.number(),
      stroke: z.number().int(),
      action: z.array(z.number()),
      jointTargetRad: z.array(z.number()),
    }),
  ),
  /** Start time of every stroke (chunk), s. */
  strokeStartsS: z.array(z.number()),
  /** Measured joints, resampled to at most 50 Hz: tS[i], qRad[i] = 7 motors. */
  state: z.object({ tS: z.array(z.number()), qRad: z.array(z.array(z.number())) }),
  /** Per camera, the time of each recorded frame (s since start); index i is frame i. */
  cameras: z.array(
    z.object({ name: z.string(), widthPx: z.number().int(), heightPx: z.number().int(), tS: z.array(z.number()) }),
  ),
  /** Frames the index lists but whose file is gone, per camera: shown as missing, never invented. */
  missingFrames: z.record(z.string(), z.array(z.number().int())),
});
export type EpisodeReplay = z.infer<typeof episodeReplaySchema>;

export const episodeFrameSchema = z.object({
  camera: z.string(),
  index: z.number().int().nonnegative(),
  tS: z.number(),
  jpeg: z.instanceof(Uint8Array),
});
export type EpisodeFrame = z.infer<typeof episodeFrameSchema>;

export const EXPORT_FORMATS = ['lerobot-v2.1', 'lerobot-v3', 'jsonl'] as const;
export const exportFormatSchema = z.enum(EXPORT_FORMATS);
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export const exportRequestSchema = z
  .object({
    format: exportFormatSchema,
    /** A folder that does not exist yet or is empty. */
    outDir: z.string().min(1),
    filter: episodeFilterSchema.default({}),
    /** Video codec for LeRobot exports: H.264 by default; AV1 where ffmpeg has an encoder for it. */
    videoCodec: z.enum(['h264', 'av1']).default('h264'),
    /** LeRobot's robot_type field. */
    robotType: z.string().max(100).default('galaxea_a1'),
  })
  .strict();
export type ExportRequest = z.infer<typeof exportRequestSchema>;

export const exportResultSchema = z.object({
  format: exportFormatSchema,
  outDir: z.string(),
  episodes: z.number().int(),
  frames: z.number().int(),
  videos: z.number().int(),
  bytes: z.number().int(),
  durationS: z.number(),
  /** Episodes left out and why (a missing frame file, no steps, …). */
  skipped: z.array(z.object({ id: z.number().int(), reason: z.string() })),
  files: z.array(z.string()),
});
export type ExportResult = z.infer<typeof exportResultSchema>;

export const exportProgressSchema = z.object({
  jobId: z.number().int().positive(),
  format: exportFormatSchema,
  outDir: z.string(),
  phase: z.enum(['preparing', 'writing', 'encoding', 'finishing', 'done', 'failed', 'cancelled']),
  episodesDone: z.number().int(),
  episodesTotal: z.number().int(),
  framesEncoded: z.number().int(),
  /** 0…1 */
  fraction: z.number().min(0).max(1),
  message: z.string().nullable(),
  result: exportResultSchema.nullable(),
});
export type ExportProgress = z.infer<typeof exportProgressSchema>;

/** Something changed in the catalog: the browser refreshes, the label prompt appears after 'recorded'. */
export const episodeEventSchema = z.object({
  kind: z.enum(['recording', 'recorded', 'updated', 'deleted', 'restored', 'recovered']),
  ids: z.array(z.number().int()),
  /** For 'recording' and 'recorded': the episode. */
  episode: episodeSummarySchema.nullable(),
});
export type EpisodeEvent = z.infer<typeof episodeEventSchema>;

export const recordingSettingsSchema = z
  .object({
    /** Record every attempt the runner makes. */
    enabled: z.boolean().default(true),
    /** Camera frames per second written per camera (the newest frame at each tick). */
    fps: z.number().min(1).max(60).default(30),
    /** Cameras recorded: null means every camera. */
    cameras: z.array(z.string()).nullable().default(null),
    /** Where episodes and the catalog live; null: <data folder>/episodes. */
    dir: z.string().nullable().default(null),
  })
  .prefault({});
export type RecordingSettings = z.infer<typeof recordingSettingsSchema>;
