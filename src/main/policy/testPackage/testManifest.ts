import {
  MODEL_PACKAGE_FORMAT,
  type ModelManifestInput,
  type PolicyCameraSize,
} from '../../../shared/policy/modelManifest';
import { MAX_ROTATION_STEP_RAD, MAX_TRANSLATION_STEP_M } from '../../../shared/sim/world/scriptedExpert';
import { TEST_SHAPE } from './layers';

export type TestVariant = 'embedding' | 'kv';

export interface TestManifestSpec {
  name: string;
  variant: TestVariant;
  hiddenSize: number;
  expertLayers: number;
  seed: number;
  moreCameras?: readonly PolicyCameraSize[];
}

/** The prefix input a test package's camera feeds. */
export const testCameraInput = (camera: string) => (camera === 'scene' ? 'image' : `${camera}_image`);

/** The prefix outputs of a variant, each feeding the expert input of the same name. */
export function contextNames(variant: TestVariant, layers: number): string[] {
  if (variant === 'embedding') return ['context'];
  const names: string[] = [];
  for (let layer = 0; layer < layers; layer += 1) names.push(`past_key_${layer}`, `past_value_${layer}`);
  names.push('pad_mask');
  return names;
}

/**
 * manifest.json of a test package: a 224 × 224 scene camera (and any more cameras), end-effector deltas whose
 * q01/q99 are the sim expert's largest steps (±1 cm, ±0.05 rad), the gripper passed through unnormalised.
 */
export function buildTestManifest(spec: TestManifestSpec): ModelManifestInput {
  const { imageSize, maxTokens, chunk, dims } = TEST_SHAPE;
  const step = [MAX_TRANSLATION_STEP_M, MAX_TRANSLATION_STEP_M, MAX_TRANSLATION_STEP_M];
  const turn = [MAX_ROTATION_STEP_RAD, MAX_ROTATION_STEP_RAD, MAX_ROTATION_STEP_RAD];
  const context = contextNames(spec.variant, spec.expertLayers);
  const camera = (name: string, widthPx: number, heightPx: number) => ({
    name,
    input: testCameraInput(name),
    widthPx,
    heightPx,
    layout: 'NCHW' as const,
    dtype: 'float32' as const,
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  });
  return {
    format: MODEL_PACKAGE_FORMAT,
    name: spec.name,
    version: '1.0.0',
    description:
      `Untrained test package: random fixed weights (seed ${spec.seed}), ${spec.variant} variant, ` +
      `expert width ${spec.hiddenSize}, ${spec.expertLayers} layers. Built by "npm run model:test-package".`,
    trained: false,
    cameras: [
      camera('scene', imageSize, imageSize),
      ...(spec.moreCameras ?? []).map((more) => camera(more.name, more.widthPx, more.heightPx)),
    ],
    instruction: {
      tokenizer: 'tokenizer.json',
      idsInput: 'input_ids',
      maskInput: 'attention_mask',
      maxTokens,
      padTokenId: 0,
      lowercase: true,
    },
    action: {
      space: 'ee_delta',
      chunkLength: chunk,
      dims,
      names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
      normalization: {
        q01: [...step.map((v) => -v), ...turn.map((v) => -v), 0],
        q99: [...step, ...turn, 1],
        mask: [true, true, true, true, true, true, false],
      },
      gripper: { dim: 6, closedValue: 0, openValue: 1 },
    },
    flow: { steps: 10 },
    prefix: { file: 'prefix.onnx', outputs: context },
    expert: {
      file: 'expert.onnx',
      noisyActionInput: 'x_t',
      timeInput: 't',
      velocityOutput: 'velocity',
      context: Object.fromEntries(context.map((name) => [name, name])),
    },
    control: { rateHz: 10 },
  };
}
