import type { KinematicChain } from '../../../shared/robot/kinematics';
import { renderPolicyImage } from '../../sim/render/sceneRenderer';
import type { DemoConfig, DemoEpisodePlan } from './demoConfig';
import {
  chunkTarget,
  keypointPixels,
  KEYPOINTS,
  rollOutDemo,
  wristKeypointPixels,
  WRIST_KEYPOINTS,
} from './demoRollout';

/** The samples of one demonstration episode, packed in flat arrays (cheap to post between threads). */
export interface EpisodeSamples {
  episode: number;
  success: boolean;
  instruction: string;
  count: number;
  /** [count × H × W × 3] RGB */
  images: Uint8Array;
  /** [count × 7] */
  robotStates: Float32Array;
  /** [count × chunkLength × 7] */
  actions: Float32Array;
  /** [count × KEYPOINTS × 2] pixels (keypointPixels) */
  keypoints: Float32Array;
  /** With DemoConfig.wristCamera: the wrist camera's pictures and labels. */
  wrist?: WristSamples;
}

export interface WristSamples {
  /** [count × H × W × 3] RGB */
  images: Uint8Array;
  /** [count × WRIST_KEYPOINTS × 3] pixels and visibility (wristKeypointPixels) */
  keypoints: Float32Array;
}

/**
 * Rolls out one planned episode and, when the expert succeeded, draws the scene camera at every
 * `sampleEvery`-th step with renderPolicyImage (as the live sim and the evaluation deliver it) and
 * pairs it with the robot state and the next chunk of clean expert actions.
 */
export function episodeSamples(
  chain: KinematicChain,
  config: DemoConfig,
  plan: DemoEpisodePlan,
  episode: number,
): EpisodeSamples {
  const demo = rollOutDemo(chain, plan, config);
  const { widthPx, heightPx } = config.camera;
  const kept = demo.success || config.keepFailures === true;
  const picked = kept ? demo.steps.filter((_, index) => index % config.sampleEvery === 0) : [];
  const imageBytes = widthPx * heightPx * 3;
  const width = config.chunkLength * 7;
  const samples: EpisodeSamples = {
    episode,
    success: demo.success,
    instruction: demo.instruction,
    count: picked.length,
    images: new Uint8Array(picked.length * imageBytes),
    robotStates: new Float32Array(picked.length * 7),
    actions: new Float32Array(picked.length * width),
    keypoints: new Float32Array(picked.length * KEYPOINTS * 2),
  };
  const wristCamera = config.wristCamera;
  const wristBytes = wristCamera ? wristCamera.widthPx * wristCamera.heightPx * 3 : 0;
  const wrist: WristSamples | undefined = wristCamera && {
    images: new Uint8Array(picked.length * wristBytes),
    keypoints: new Float32Array(picked.length * WRIST_KEYPOINTS * 3),
  };
  if (wrist) samples.wrist = wrist;
  const actions = demo.steps.map((step) => (config.actionsOf === 'executed' ? step.executed : step.action));
  picked.forEach((step, k) => {
    samples.images.set(renderPolicyImage(step.snapshot, chain, 'scene', widthPx, heightPx), k * imageBytes);
    samples.robotStates.set(step.robotState, k * 7);
    samples.actions.set(chunkTarget(actions, k * config.sampleEvery, config.chunkLength), k * width);
    samples.keypoints.set(keypointPixels(chain, step.snapshot, config.camera), k * KEYPOINTS * 2);
    if (wrist && wristCamera) {
      const { widthPx: w, heightPx: h } = wristCamera;
      wrist.images.set(renderPolicyImage(step.snapshot, chain, 'wrist', w, h), k * wristBytes);
      wrist.keypoints.set(wristKeypointPixels(chain, step.snapshot, wristCamera), k * WRIST_KEYPOINTS * 3);
    }
  });
  return samples;
}
