import { MODEL_PACKAGE_FORMAT, type ModelManifestInput } from '../../../shared/policy/modelManifest';
import type { ActionStats } from '../demonstrations/actionStats';
import { EXPERT_IO } from './defaultExpert';
import type { DefaultModelSpec } from './defaultModelSpec';
import { PREFIX_IO } from './defaultPrefix';

export const DEFAULT_MODEL_NAME = 'coach-tiny';
export const ACTION_NAMES = ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'];
/** A normalised dim whose demonstrated range is narrower than this gets this range around its middle. */
const MIN_RANGE = 1e-4;

/** How both cameras' pictures are fed: NCHW float, scaled to −1 … 1. */
const PICTURE_LAYOUT = {
  layout: 'NCHW' as const,
  dtype: 'float32' as const,
  mean: [0.5, 0.5, 0.5],
  std: [0.5, 0.5, 0.5],
};

/**
 * The manifest of coach-tiny before training: a 4:3 scene camera and (spec.wristCamera) a wrist camera,
 * the instruction as word ids with a mask, the arm's state, end-effector deltas normalised with the
 * demonstrations' q01/q99 (the gripper passed through: 0 closed, 1 open), chunks of 5 at 10 Hz, 10 flow steps.
 */
export function buildDefaultManifest(
  spec: DefaultModelSpec,
  stats: ActionStats,
  meta: { version: string; description: string; trained: boolean },
): ModelManifestInput {
  const mask = ACTION_NAMES.map((name) => name !== 'gripper');
  const q01 = [...stats.q01];
  const q99 = [...stats.q99];
  mask.forEach((normalised, d) => {
    if (normalised && q99[d]! - q01[d]! < MIN_RANGE) {
      const middle = (q99[d]! + q01[d]!) / 2;
      q01[d] = middle - MIN_RANGE / 2;
      q99[d] = middle + MIN_RANGE / 2;
    }
  });
  q01[6] = 0;
  q99[6] = 1;
  return {
    format: MODEL_PACKAGE_FORMAT,
    name: DEFAULT_MODEL_NAME,
    version: meta.version,
    description: meta.description,
    trained: meta.trained,
    cameras: [
      { name: 'scene', input: PREFIX_IO.image, ...spec.camera, ...PICTURE_LAYOUT },
      ...(spec.wristCamera
        ? [{ name: 'wrist', input: PREFIX_IO.wristImage, ...spec.wristCamera, ...PICTURE_LAYOUT }]
        : []),
    ],
    instruction: {
      tokenizer: 'tokenizer.json',
      idsInput: PREFIX_IO.ids,
      maskInput: PREFIX_IO.mask,
      maxTokens: spec.maxTokens,
      padTokenId: 0,
      lowercase: true,
    },
    action: {
      space: 'ee_delta',
      chunkLength: spec.chunkLength,
      dims: spec.dims,
      names: ACTION_NAMES,
      normalization: { q01, q99, mask, mean: stats.mean, std: stats.std },
      gripper: { dim: 6, closedValue: 0, openValue: 1 },
    },
    flow: { steps: spec.flowSteps, noiseScale: spec.actingNoiseScale },
    prefix: { file: 'prefix.onnx', robotStateInput: PREFIX_IO.state, outputs: [PREFIX_IO.context] },
    expert: {
      file: 'expert.onnx',
      noisyActionInput: EXPERT_IO.xT,
      timeInput: EXPERT_IO.t,
      velocityOutput: EXPERT_IO.velocity,
      context: { [EXPERT_IO.context]: PREFIX_IO.context },
    },
    control: { rateHz: 10 },
  };
}
