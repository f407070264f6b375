import { z } from 'zod';
import { ACTION_SPACES, packageCameraSchema, packageInstructionSchema } from '../policy/modelManifest';

/**
 * manifest.json of a world-model package (docs/world-model-package.md): an encoder graph (frame → latent)
 * and an action-conditioned predictor graph (latent, action chunk → the latent after every action of the
 * chunk). NORA-1.5 scores candidate chunks with such a model (V-JEPA2-AC): the energy of a chunk is the
 * distance between the latent predicted after it and the latent of a goal frame; lower is better.
 */
export const WORLD_MODEL_PACKAGE_FORMAT = 'coach.world-model/1';

const tensorName = z.string().min(1).max(200);
const positiveInt = z.number().int().positive();

export const worldModelManifestSchema = z
  .object({
    format: z.literal(WORLD_MODEL_PACKAGE_FORMAT),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(50),
    description: z.string().max(2000).default(''),
    /** False for packages whose weights are random (test packages): the console says so. */
    trained: z.boolean(),
    /** The frame the encoder takes: same fields as a policy package's camera (`input` is the encoder's). */
    camera: packageCameraSchema,
    /** Optional: an encoder that reads the instruction (which object the latent should follow). */
    instruction: packageInstructionSchema.optional(),
    encoder: z
      .object({
        file: z.string().min(1).default('encoder.onnx'),
        /** Optional encoder input fed the arm's state (ROBOT_STATE_NAMES), [B, 7] float32. */
        robotStateInput: tensorName.optional(),
        /** [B, latent.size] float32. */
        latentOutput: tensorName,
      })
      .strict(),
    predictor: z
      .object({
        file: z.string().min(1).default('predictor.onnx'),
        /** [B, latent.size] float32: the latent before the chunk. */
        latentInput: tensorName,
        /** [B, chunkLength, dims] float32: the chunk, each physical value divided by action.scale. */
        actionsInput: tensorName,
        /** [B, chunkLength, latent.size] float32: the latent after each action of the chunk. */
        latentsOutput: tensorName,
      })
      .strict(),
    latent: z
      .object({
        /** Up to 2²² floats: a ViT's patch tokens flattened (V-JEPA 2-AC: 256 × 1408 = 360,448). */
        size: positiveInt.max(4_194_304),
        /** Optional names of the latent's dims (for people reading it). */
        names: z.array(z.string().min(1)).optional(),
      })
      .strict(),
    action: z
      .object({
        space: z.enum(ACTION_SPACES),
        chunkLength: positiveInt.max(256),
        dims: positiveInt.max(64),
        names: z.array(z.string().min(1)),
        /** Physical action ÷ scale is what the predictor takes (per dim). */
        scale: z.array(z.number().positive()),
      })
      .strict(),
    energy: z
      .object({
        /** l1: Σ w·|ẑ − g|; l2: √(Σ w·(ẑ − g)²) over the latent's dims. */
        metric: z.enum(['l1', 'l2']).default('l1'),
        /** Per-dim weights (default 1 each). */
        weights: z.array(z.number().nonnegative()).optional(),
        /**
         * sum: as above; mean: divided by Σ w (l1: the weighted mean |ẑ − g|; l2: the weighted RMS), so a
         * large latent's energy stays O(1) next to 0.1 · GTA.
         */
        reduction: z.enum(['sum', 'mean']).default('sum'),
      })
      .strict()
      .default({ metric: 'l1', reduction: 'sum' }),
  })
  .strict()
  .superRefine((manifest, ctx) => {
    const { action, latent, energy } = manifest;
    const check = (
      values: readonly unknown[] | undefined,
      expected: number,
      what: string,
      path: (string | number)[],
    ) => {
      if (values && values.length !== expected)
        ctx.addIssue({ code: 'custom', path, message: `has ${values.length} values but ${what} has ${expected}` });
    };
    check(action.names, action.dims, 'the action', ['action', 'names']);
    check(action.scale, action.dims, 'the action', ['action', 'scale']);
    check(latent.names, latent.size, 'the latent', ['latent', 'names']);
    check(energy.weights, latent.size, 'the latent', ['energy', 'weights']);
    if (energy.weights && energy.weights.length === latent.size && !energy.weights.some((weight) => weight > 0))
      ctx.addIssue({ code: 'custom', path: ['energy', 'weights'], message: 'needs at least one weight above 0' });
    // Each graph input is fed one thing: two fields naming the same input would feed it twice.
    const distinct = (fields: [string, string | undefined][]) => {
      const seen = new Map<string, string>();
      for (const [field, name] of fields) {
        if (name === undefined) continue;
        const other = seen.get(name);
        if (other)
          ctx.addIssue({
            code: 'custom',
            path: field.split('.'),
            message: `names input "${name}", which ${other} names too`,
          });
        else seen.set(name, field);
      }
    };
    distinct([
      ['camera.input', manifest.camera.input],
      ['instruction.idsInput', manifest.instruction?.idsInput],
      ['instruction.maskInput', manifest.instruction?.maskInput],
      ['encoder.robotStateInput', manifest.encoder.robotStateInput],
    ]);
    distinct([
      ['predictor.latentInput', manifest.predictor.latentInput],
      ['predictor.actionsInput', manifest.predictor.actionsInput],
    ]);
  });
export type WorldModelManifest = z.infer<typeof worldModelManifestSchema>;
export type WorldModelManifestInput = z.input<typeof worldModelManifestSchema>;
