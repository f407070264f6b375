import { z } from 'zod';

/**
 * manifest.json of a model package: what the two graphs expect and produce, and how Coach turns
 * their output into arm motion. Documented in docs/model-package.md.
 */
export const MODEL_PACKAGE_FORMAT = 'coach.model-package/1';

export const ACTION_SPACES = ['ee_delta', 'joint_delta', 'joint_abs'] as const;
export type ActionSpace = (typeof ACTION_SPACES)[number];

const tensorName = z.string().min(1).max(200);
const positiveInt = z.number().int().positive();

export const packageCameraSchema = z
  .object({
    /**
     * Which camera of the console feeds it: the first is fed by the operator's policy camera whatever its name
     * ("scene"; NORA-1.5 takes one), every other by the console camera of this name ("wrist").
     */
    name: z.string().min(1),
    /** The prefix graph's input that takes this image. */
    input: tensorName,
    widthPx: positiveInt.max(4096),
    heightPx: positiveInt.max(4096),
    /** NCHW: [1, 3, H, W]; NHWC: [1, H, W, 3]. */
    layout: z.enum(['NCHW', 'NHWC']).default('NCHW'),
    /** float32: (pixel / 255 − mean) / std per channel; uint8: raw 0–255. */
    dtype: z.enum(['float32', 'uint8']).default('float32'),
    mean: z.array(z.number()).length(3).default([0, 0, 0]),
    std: z.array(z.number().positive()).length(3).default([1, 1, 1]),
  })
  .strict();
export type PackageCamera = z.infer<typeof packageCameraSchema>;

/** A camera a policy takes, by name, and the size its pictures are fed at (manifest order: the policy camera first). */
export type PolicyCameraSize = Pick<PackageCamera, 'name' | 'widthPx' | 'heightPx'>;

/** Each camera's name and size only, in the same order. */
export function cameraSizes(cameras: readonly PolicyCameraSize[]): PolicyCameraSize[] {
  return cameras.map(({ name, widthPx, heightPx }) => ({ name, widthPx, heightPx }));
}

export const packageInstructionSchema = z
  .object({
    /** Hugging Face tokenizer.json, relative to the package folder. */
    tokenizer: z.string().min(1).default('tokenizer.json'),
    /** The prefix graph's int64 input of token ids, [1, maxTokens]. */
    idsInput: tensorName,
    /** Optional int64 attention mask input, [1, maxTokens] (1 = token, 0 = padding). */
    maskInput: tensorName.optional(),
    /** Ids are padded (with padTokenId) or cut to this length. */
    maxTokens: positiveInt.max(4096),
    padTokenId: z.number().int().nonnegative().default(0),
    /** Optional chat template with "{instruction}" where the text goes (Qwen-style models want one). */
    template: z.string().optional(),
    /** Lower-case the instruction before tokenising. */
    lowercase: z.boolean().default(false),
  })
  .strict();
export type PackageInstruction = z.infer<typeof packageInstructionSchema>;

export const normalizationSchema = z
  .object({
    /** Per-dim 1st and 99th percentiles of the training actions: a = 0.5·(x + 1)·(q99 − q01) + q01. */
    q01: z.array(z.number()),
    q99: z.array(z.number()),
    /** Which dims are normalised; the others pass through (the gripper usually). */
    mask: z.array(z.boolean()),
    mean: z.array(z.number()).optional(),
    std: z.array(z.number()).optional(),
  })
  .strict();
export type ActionNormalization = z.infer<typeof normalizationSchema>;

export const packageActionSchema = z
  .object({
    /**
     * ee_delta: [dx, dy, dz (m), droll, dpitch, dyaw (rad), gripper] in the base frame, per action;
     * joint_delta: six joint deltas (rad) + gripper; joint_abs: six joint angles (rad) + gripper.
     */
    space: z.enum(ACTION_SPACES),
    chunkLength: positiveInt.max(256),
    dims: positiveInt.max(64),
    names: z.array(z.string().min(1)),
    normalization: normalizationSchema,
    /** Which dim is the gripper and what its values mean: closed … open, mapped linearly to 0 … 60 mm. */
    gripper: z
      .object({
        dim: z.number().int().nonnegative(),
        closedValue: z.number().default(0),
        openValue: z.number().default(1),
      })
      .strict(),
  })
  .strict();
export type PackageAction = z.infer<typeof packageActionSchema>;

/** The arm's state as a policy input: [1, 7] float32, see ROBOT_STATE_NAMES. NORA-1.5 takes none; small policies may. */
export const ROBOT_STATE_DIMS = 7;
export const ROBOT_STATE_NAMES = [
  'arm_joint1_rad',
  'arm_joint2_rad',
  'arm_joint3_rad',
  'arm_joint4_rad',
  'arm_joint5_rad',
  'arm_joint6_rad',
  'gripper_open_fraction',
] as const;

export const packagePrefixSchema = z
  .object({
    file: z.string().min(1).default('prefix.onnx'),
    /** The prefix input fed the arm's state (ROBOT_STATE_NAMES: six joints in rad, gripper 0 closed … 1 open). */
    robotStateInput: tensorName.optional(),
    /** Context tensors the prefix produces for the expert (one embedding, or per-layer K/V and a mask). */
    outputs: z.array(tensorName).min(1),
  })
  .strict();

export const packageExpertSchema = z
  .object({
    file: z.string().min(1).default('expert.onnx'),
    /** x_t: [B, chunkLength, dims] float32. */
    noisyActionInput: tensorName,
    /** t: [B] float32, 1 = pure noise … 0 = the action. */
    timeInput: tensorName,
    /** Velocity: [B, chunkLength, dims] float32. */
    velocityOutput: tensorName,
    /** Expert input name → prefix output name. Context tensors have batch 1 and are repeated to B. */
    context: z.record(tensorName, tensorName),
  })
  .strict();

export const modelManifestSchema = z
  .object({
    format: z.literal(MODEL_PACKAGE_FORMAT),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    description: z.string().max(2000).default(''),
    /** False for packages whose weights are random or fixed (test packages): the console says so. */
    trained: z.boolean(),
    cameras: z.array(packageCameraSchema).min(1),
    instruction: packageInstructionSchema,
    action: packageActionSchema,
    flow: z
      .object({
        /** Euler steps from t = 1 to t = 0 (NORA-1.5: 10). */
        steps: positiveInt.max(1000).default(10),
        /**
         * Scale of the starting noise when the policy acts (1: sample the learned distribution; smaller:
         * nearer its mode, which makes a policy cloned from one expert more precise). Preference-pair
         * sampling always uses 1, so the K samples differ.
         */
        noiseScale: z.number().min(0).max(1).default(1),
      })
      .strict(),
    prefix: packagePrefixSchema,
    expert: packageExpertSchema,
    /** Rate the actions of a chunk were recorded at, and are executed at. */
    control: z
      .object({ rateHz: z.number().positive().max(1000).default(10) })
      .strict()
      .default({ rateHz: 10 }),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const { action } = manifest;
    const dims = action.dims;
    const checkLength = (values: readonly unknown[] | undefined, path: (string | number)[]) => {
      if (values && values.length !== dims)
        ctx.addIssue({
          code: 'custom',
          path,
          message: `has ${values.length} values but the action has ${dims} dims`,
        });
    };
    checkLength(action.names, ['action', 'names']);
    checkLength(action.normalization.q01, ['action', 'normalization', 'q01']);
    checkLength(action.normalization.q99, ['action', 'normalization', 'q99']);
    checkLength(action.normalization.mask, ['action', 'normalization', 'mask']);
    checkLength(action.normalization.mean, ['action', 'normalization', 'mean']);
    checkLength(action.normalization.std, ['action', 'normalization', 'std']);
    if (action.gripper.dim >= dims)
      ctx.addIssue({
        code: 'custom',
        path: ['action', 'gripper', 'dim'],
        message: `is ${action.gripper.dim} but the action has only ${dims} dims`,
      });
    if (dims < 7) {
      const what = action.space === 'ee_delta' ? 'xyz, rpy, gripper' : '6 joints, gripper';
      ctx.addIssue({ code: 'custom', path: ['action', 'dims'], message: `${action.space} needs 7 dims (${what})` });
    }
    action.normalization.q01.forEach((low, i) => {
      const high = action.normalization.q99[i];
      if (high !== undefined && action.normalization.mask[i] && !(high > low))
        ctx.addIssue({
          code: 'custom',
          path: ['action', 'normalization', 'q99', i],
          message: `q99 (${high}) must be above q01 (${low}) for a normalised dim`,
        });
    });
    const cameraNames = new Set<string>();
    for (const camera of manifest.cameras) {
      if (cameraNames.has(camera.name))
        ctx.addIssue({ code: 'custom', path: ['cameras'], message: `camera "${camera.name}" is listed twice` });
      cameraNames.add(camera.name);
    }
    const prefixOutputs = new Set(manifest.prefix.outputs);
    for (const [expertInput, prefixOutput] of Object.entries(manifest.expert.context)) {
      if (!prefixOutputs.has(prefixOutput))
        ctx.addIssue({
          code: 'custom',
          path: ['expert', 'context', expertInput],
          message: `names prefix output "${prefixOutput}", which prefix.outputs does not list`,
        });
    }
  });
export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelManifestInput = z.input<typeof modelManifestSchema>;
