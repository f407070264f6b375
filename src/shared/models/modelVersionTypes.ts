import { z } from 'zod';
import { evaluationSummarySchema } from '../evaluation/evaluationTypes';

/** How a model version came to be. */
export const MODEL_VERSION_ORIGINS = ['shipped', 'loaded', 'bc', 'dpo', 'external'] as const;
/** candidate: written, not yet judged; promoted: in use now or before; discarded: kept on disk until deleted. */
export const MODEL_VERSION_STATUSES = ['candidate', 'promoted', 'discarded'] as const;

const curveSchema = z.array(z.tuple([z.number(), z.number()]));

/** A version's evaluation against its parent's on the same held-out seeds (both reports' summaries). */
export const versionComparisonSchema = z.object({
  seedSet: z.string(),
  episodesPerTemplate: z.number().int(),
  before: z.object({
    evaluationId: z.number().int().nullable(),
    overall: evaluationSummarySchema,
    byTemplate: z.record(z.string(), evaluationSummarySchema),
  }),
  after: z.object({
    evaluationId: z.number().int().nullable(),
    overall: evaluationSummarySchema,
    byTemplate: z.record(z.string(), evaluationSummarySchema),
  }),
});
export type VersionComparison = z.infer<typeof versionComparisonSchema>;

/** One model version with its lineage (docs/refine.md, "Model versions"). */
export const modelVersionSchema = z.object({
  /** The version's folder name under <data>/models (or the package folder's name for shipped/loaded ones). */
  id: z.string(),
  path: z.string(),
  name: z.string(),
  version: z.string(),
  origin: z.enum(MODEL_VERSION_ORIGINS),
  status: z.enum(MODEL_VERSION_STATUSES),
  parentId: z.string().nullable(),
  createdAtMs: z.number(),
  /** Preference pairs it was trained on (ids in the catalog). */
  pairIds: z.array(z.number().int()),
  hyperparameters: z.record(z.string(), z.unknown()),
  /** Training curves by name (loss, accuracy, margin): [step, value]. */
  curves: z.record(z.string(), curveSchema),
  /** Its comparison against its parent on the same held-out seeds, when evaluated. */
  comparison: versionComparisonSchema.nullable(),
  note: z.string(),
  /** Whether this is the version loaded now. */
  inUse: z.boolean(),
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;
