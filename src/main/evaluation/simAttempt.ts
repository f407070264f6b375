import type { EpisodeResult } from '../../shared/evaluation/evaluationTypes';
import { AbsurdActionError, chunkToJointTargets } from '../../shared/policy/actionConversion';
import type { PackageAction, PolicyCameraSize } from '../../shared/policy/modelManifest';
import type { KinematicChain } from '../../shared/robot/kinematics';
import { GRIPPER_MAX_STROKE_MM } from '../../shared/robot/a1Spec';
import { runExpertEpisode } from '../../shared/sim/world/scriptedExpert';
import { LIVE_GRIPPER_SPEED_MM_S, TabletopWorld } from '../../shared/sim/world/tabletopWorld';
import { taskObjectKinds, type TaskTemplate } from '../../shared/sim/world/tasks';
import { DEFAULT_GOVERNOR_CONFIG } from '../robot/safety/governorConfig';
import { workspaceCheck } from '../robot/safety/workspaceBounds';
import { renderPolicyImage } from '../sim/render/sceneRenderer';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';

/** What the evaluation needs of a policy: its shape, and a chunk of physical actions for an image. */
export interface ChunkPolicy {
  action: PackageAction;
  controlRateHz: number;
  /** The package's cameras in manifest order (the first is the policy camera, "scene"). */
  cameras: PolicyCameraSize[];
  /**
   * [chunk × dims] physical actions for one RGB picture per camera (by name, at the camera's size) and the
   * arm's state (ROBOT_STATE_NAMES).
   */
  infer(images: CameraImages, instruction: string, seed: number, robotState: number[]): Promise<Float32Array>;
}

/** RGB pictures by camera name, each at its camera's size. */
export type CameraImages = Record<string, Uint8Array>;

/** What each of the policy's cameras sees in the simulated world, drawn as the live sim draws it. */
export function renderPolicyImages(
  snapshot: WorldSnapshot,
  chain: KinematicChain,
  cameras: readonly PolicyCameraSize[],
): CameraImages {
  return Object.fromEntries(
    cameras.map((camera) => [
      camera.name,
      renderPolicyImage(snapshot, chain, camera.name, camera.widthPx, camera.heightPx),
    ]),
  );
}

export interface SimAttemptObserver {
  onChunk(event: {
    stroke: number;
    stepIndex: number;
    /** The world the policy saw. */
    snapshot: WorldSnapshot;
    images: CameraImages;
    robotState: number[];
    chunk: Float32Array;
  }): void;
  onStep(event: {
    stroke: number;
    chunkIndex: number;
    action: number[];
    jointsRad: number[];
    gripperOpeningMm: number;
    targetJointsRad: number[];
    targetGripperStrokeMm: number;
  }): void;
}

/**
 * One attempt on a generated scene, kinematically and faster than real time: the policy sees its
 * cameras (scene, and wrist when it takes one), its chunk goes through the same action conversion and the
 * governor's step and workspace checks as on the bench (a refused motion ends the attempt as a failure),
 * and the world steps at the control rate with joint targets taken as reached and the gripper moving no
 * faster than the live arm's (`gripperSpeedMmS`, default LIVE_GRIPPER_SPEED_MM_S).
 */
export async function runSimAttempt(
  chain: KinematicChain,
  policy: ChunkPolicy,
  template: TaskTemplate,
  seed: number,
  options: {
    maxStrokes: number;
    noiseSeed: number;
    withExpert?: boolean;
    signal?: AbortSignal;
    gripperSpeedMmS?: number;
    /** Hears every observation and chunk, and every executed step (to record the attempt as an episode). */
    observer?: SimAttemptObserver;
  },
): Promise<EpisodeResult> {
  const gripperSpeedMmS = options.gripperSpeedMmS ?? LIVE_GRIPPER_SPEED_MM_S;
  const world = new TabletopWorld(chain, seed, { template, gripperSpeedMmS });
  const first = world.snapshot();
  const instruction = first.instruction ?? '';
  const distractors = first.objects.length - taskObjectKinds(world.task).length;
  const checkWorkspace = workspaceCheck(chain);
  const dtS = 1 / policy.controlRateHz;
  let q = [...first.armQRad];
  let steps = 0;
  let strokes = 0;
  let success = false;
  let reason = '';
  outer: for (; strokes < options.maxStrokes; strokes += 1) {
    if (options.signal?.aborted) throw new Error('evaluation cancelled');
    const snapshot = world.snapshot();
    const images = renderPolicyImages(snapshot, chain, policy.cameras);
    const robotState = [...q, snapshot.gripperOpeningMm / GRIPPER_MAX_STROKE_MM];
    const chunk = await policy.infer(images, instruction, options.noiseSeed + strokes, robotState);
    options.observer?.onChunk({ stroke: strokes, stepIndex: steps, snapshot, images, robotState, chunk });
    let targets;
    try {
      targets = chunkToJointTargets(chain, q, chunk, policy.action);
    } catch (error) {
      if (!(error instanceof AbsurdActionError)) throw error;
      reason = `refused: ${error.message}`;
      strokes += 1;
      break;
    }
    for (const [chunkIndex, target] of targets.entries()) {
      const bigStep = target.jointsRad.findIndex(
        (value, i) => Math.abs(value - q[i]!) > DEFAULT_GOVERNOR_CONFIG.maxStepRad,
      );
      const outside = checkWorkspace(target.jointsRad);
      if (bigStep >= 0 || outside) {
        reason = outside
          ? `refused: the target leaves the workspace: ${outside}`
          : `refused: joint ${bigStep + 1} would step beyond ${DEFAULT_GOVERNOR_CONFIG.maxStepRad} rad`;
        strokes += 1;
        break outer;
      }
      options.observer?.onStep({
        stroke: strokes,
        chunkIndex,
        action: Array.from(chunk.subarray(chunkIndex * policy.action.dims, (chunkIndex + 1) * policy.action.dims)),
        jointsRad: [...q],
        gripperOpeningMm: world.snapshot().gripperOpeningMm,
        targetJointsRad: target.jointsRad,
        targetGripperStrokeMm: target.gripperStrokeMm,
      });
      world.step(target.jointsRad, target.gripperStrokeMm, dtS);
      q = target.jointsRad;
      steps += 1;
      const status = world.taskStatus();
      if (status.success) {
        success = true;
        reason = status.reason;
        strokes += 1;
        break outer;
      }
    }
  }
  if (!success && !reason) reason = `no success within ${options.maxStrokes} strokes: ${world.taskStatus().reason}`;
  let expertStrokes: number | null = null;
  if (options.withExpert !== false) {
    const expert = runExpertEpisode(chain, seed, { template, gripperSpeedMmS });
    expertStrokes = expert.success ? Math.ceil(expert.steps / policy.action.chunkLength) : null;
  }
  return {
    template,
    seed,
    instruction,
    distractors,
    success,
    reason,
    strokes,
    steps,
    timeToSuccessS: success ? steps * dtS : null,
    distractorGrasps: world.distractorGrasps,
    expertStrokes,
  };
}
