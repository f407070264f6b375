import { PREFIX_IO, WM_LATENT, WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';
import { ACTION_NAMES } from '../defaultModel/defaultManifest';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import {
  WORLD_MODEL_PACKAGE_FORMAT,
  type WorldModelManifestInput,
} from '../../../shared/worldModel/worldModelManifest';
import { WM_PREDICTOR_IO } from './wmPredictorGraph';

export const DEFAULT_WORLD_MODEL_NAME = 'coach-wm';

/** Physical action ÷ this is what coach-wm's predictor takes: a full step is about 1 (1 cm, 0.05 rad, gripper 0 … 1). */
export const WM_ACTION_SCALE = [0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 1];

/**
 * Energy weights over WM_LATENT_NAMES: metres count as they are; the gripper's opening only breaks near-ties
 * (a goal frame's gripper state is open for "put in", closed for "pick up", and closing is the right move
 * on the way to either).
 */
export const WM_ENERGY_WEIGHTS = [1, 1, 1, 1, 1, 0.02];

/** coach-wm's manifest: the encoder reads the same camera, instruction and state as the policy it came from. */
export function buildWorldModelManifest(
  policy: ModelManifest,
  meta: { version: string; description: string; trained: boolean },
): WorldModelManifestInput {
  const camera = policy.cameras[0]!;
  return {
    format: WORLD_MODEL_PACKAGE_FORMAT,
    name: DEFAULT_WORLD_MODEL_NAME,
    version: meta.version,
    description: meta.description,
    trained: meta.trained,
    camera: { ...camera, input: PREFIX_IO.image },
    instruction: { ...policy.instruction },
    encoder: { file: 'encoder.onnx', robotStateInput: PREFIX_IO.state, latentOutput: WM_LATENT },
    predictor: {
      file: 'predictor.onnx',
      latentInput: WM_PREDICTOR_IO.latent,
      actionsInput: WM_PREDICTOR_IO.actions,
      latentsOutput: WM_PREDICTOR_IO.latents,
    },
    latent: { size: WM_LATENT_NAMES.length, names: [...WM_LATENT_NAMES] },
    action: {
      space: policy.action.space,
      chunkLength: policy.action.chunkLength,
      dims: policy.action.dims,
      names: [...ACTION_NAMES],
      scale: [...WM_ACTION_SCALE],
    },
    energy: { metric: 'l1', weights: [...WM_ENERGY_WEIGHTS] },
  };
}
