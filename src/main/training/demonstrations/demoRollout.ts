import { A1_JOINT_LIMITS, GRIPPER_MAX_STROKE_MM } from '../../../shared/robot/a1Spec';
import {
  A1_HOME_Q_RAD,
  applyEeDelta,
  forwardKinematics,
  type KinematicChain,
  type Vec3,
} from '../../../shared/robot/kinematics';
import { OBJECT_CATALOG, objectHeightM } from '../../../shared/sim/world/objectCatalog';
import { sceneTask } from '../../../shared/sim/world/sceneGenerator';
import { taskObjectKinds } from '../../../shared/sim/world/tasks';
import { cameraForArm, cameraFromSpec, projectPoint } from '../../sim/render/cameraProjection';
import { findCamera } from '../../sim/render/sceneRenderer';
import { deriveSeed, SeededRandom } from '../../../shared/sim/world/random';
import {
  actionToEeDelta,
  MAX_ROTATION_STEP_RAD,
  MAX_TRANSLATION_STEP_M,
  ScriptedExpert,
  type ExpertAction,
} from '../../../shared/sim/world/scriptedExpert';
import { TabletopWorld } from '../../../shared/sim/world/tabletopWorld';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import type { DemoEpisodePlan } from './demoConfig';

export interface DemoStep {
  /** The world the action was chosen in (what the camera sees). */
  snapshot: WorldSnapshot;
  /** ROBOT_STATE_NAMES: joints and the gripper's opening fraction, as the evaluation feeds them. */
  robotState: number[];
  /** The expert's clean action: the label. */
  action: ExpertAction;
  /** The action the arm executed (the label with the execution noise, or a random chunk's). */
  executed: ExpertAction;
}

/** Keypoints per sample: the named object, the goal (container or target; the object for pick_up), the TCP. */
export const KEYPOINTS = 3;

/**
 * Where the keypoints appear in the scene camera's picture (x, y in pixels of a widthPx × heightPx image,
 * the scene's own jittered camera): privileged labels a localisation warm-up may train the encoder with.
 */
export function keypointPixels(
  chain: KinematicChain,
  snapshot: WorldSnapshot,
  camera: { widthPx: number; heightPx: number },
): number[] {
  const pinhole = cameraFromSpec(findCamera(snapshot, 'scene'), camera);
  return keypointPointsM(chain, snapshot).flatMap((point) => {
    const pixel = projectPoint(pinhole, point);
    return pixel ? [pixel.xPx, pixel.yPx] : [camera.widthPx / 2, camera.heightPx / 2];
  });
}

/** Keypoints of the wrist camera: the named object and the goal (the TCP is fixed in its view). */
export const WRIST_KEYPOINTS = 2;

/**
 * Where the named object and the goal appear in the wrist camera's picture (x, y in pixels of a
 * widthPx × heightPx image, the scene's own jittered wrist camera at the arm's pose), each with a third
 * value: 1 when the point is in front of the camera and inside the picture, else 0 (its x, y then the
 * picture's centre). Labels for the warm-up only, like keypointPixels.
 */
export function wristKeypointPixels(
  chain: KinematicChain,
  snapshot: WorldSnapshot,
  camera: { widthPx: number; heightPx: number },
): number[] {
  const pinhole = cameraForArm(findCamera(snapshot, 'wrist'), chain, snapshot.armQRad, camera);
  return keypointPointsM(chain, snapshot)
    .slice(0, WRIST_KEYPOINTS)
    .flatMap((point) => {
      const pixel = projectPoint(pinhole, point);
      const inside =
        pixel !== null &&
        pixel.xPx >= 0 &&
        pixel.xPx <= camera.widthPx &&
        pixel.yPx >= 0 &&
        pixel.yPx <= camera.heightPx;
      return inside ? [pixel.xPx, pixel.yPx, 1] : [camera.widthPx / 2, camera.heightPx / 2, 0];
    });
}

/** The keypoints in the base frame (m): the named object's and the goal's centres, the TCP. */
export function keypointPointsM(chain: KinematicChain, snapshot: WorldSnapshot): Vec3[] {
  const task = sceneTask(snapshot);
  const kinds = taskObjectKinds(task);
  const centre = (kind: string): Vec3 => {
    const object = snapshot.objects.find((candidate) => candidate.kind === kind)!;
    const [x, y, z] = object.positionM;
    const up = object.isContainer ? OBJECT_CATALOG[object.kind].floorHeightM : objectHeightM(object.shape) / 2;
    return [x, y, z + up];
  };
  return [centre(kinds[0]!), centre(kinds[1] ?? kinds[0]!), forwardKinematics(chain, snapshot.armQRad).positionM];
}

export interface DemoEpisode {
  plan: DemoEpisodePlan;
  instruction: string;
  success: boolean;
  steps: DemoStep[];
  /** The world after the last step. */
  final: WorldSnapshot;
}

/**
 * Executes one ee_delta action as the demonstrations do: the joint targets by inverse kinematics (the best
 * effort when out of reach), clamped to the joint limits, the world stepped with the gripper command.
 * Returns the new joint angles.
 */
export function executeAction(
  chain: KinematicChain,
  world: TabletopWorld,
  qRad: readonly number[],
  action: readonly number[],
  dtS: number,
): number[] {
  const ik = applyEeDelta(chain, [...qRad], actionToEeDelta(action), { limits: A1_JOINT_LIMITS });
  const next = (ik.ok ? ik.qRad : ik.bestQRad).map((value, index) =>
    Math.min(A1_JOINT_LIMITS[index]!.upperRad, Math.max(A1_JOINT_LIMITS[index]!.lowerRad, value)),
  );
  world.step(next, action[6]! * GRIPPER_MAX_STROKE_MM, dtS);
  return next;
}

/**
 * One demonstration, DART style: the scripted expert chooses a clean action at every state, the arm
 * executes it with Gaussian noise added (so the states drift off the expert's path and the labels show
 * the way back), and the world steps kinematically with the gripper speed limit.
 */
export function rollOutDemo(
  chain: KinematicChain,
  plan: DemoEpisodePlan,
  options: { gripperSpeedMmS: number; maxSteps: number; dtS: number; chunkLength?: number },
): DemoEpisode {
  const world = new TabletopWorld(chain, plan.seed, {
    template: plan.template,
    distractors: plan.distractors,
    gripperSpeedMmS: options.gripperSpeedMmS,
  });
  const expert = new ScriptedExpert(chain, world.task);
  const random = new SeededRandom(deriveSeed(plan.seed, 'demo-noise'));
  const rotationNoiseScale = MAX_ROTATION_STEP_RAD / MAX_TRANSLATION_STEP_M;
  const noisy = (value: number, std: number, cap: number) =>
    std > 0 ? Math.min(cap, Math.max(-cap, value + random.gaussian(0, std))) : value;

  // Its own stream, so demonstrations without random chunks stay what they were.
  const randomChunkProbability = plan.randomChunkProbability ?? 0;
  const chunkLength = options.chunkLength ?? 5;
  const chunks = randomChunkProbability > 0 ? new SeededRandom(deriveSeed(plan.seed, 'demo-random-chunks')) : null;
  let randomChunk: ExpertAction[] = [];

  let qRad = [...A1_HOME_Q_RAD];
  let snapshot = world.snapshot();
  const steps: DemoStep[] = [];
  while (steps.length < options.maxSteps && !expert.done) {
    const action = expert.nextAction(snapshot, qRad);
    if (expert.done && action.slice(0, 6).every((value) => value === 0)) break;
    if (chunks && steps.length % chunkLength === 0)
      randomChunk =
        chunks.uniform(0, 1) < randomChunkProbability ? drawRandomChunk(chunks, chunkLength, action[6]) : [];
    const executed: ExpertAction =
      randomChunk.length > 0
        ? randomChunk[steps.length % chunkLength]!
        : (action.map((value, d) =>
            d < 3
              ? noisy(value, plan.noiseStd, MAX_TRANSLATION_STEP_M)
              : d < 6
                ? noisy(value, plan.noiseStd * rotationNoiseScale, MAX_ROTATION_STEP_RAD)
                : value,
          ) as ExpertAction);
    steps.push({
      snapshot,
      robotState: [...qRad, snapshot.gripperOpeningMm / GRIPPER_MAX_STROKE_MM],
      action,
      executed,
    });
    qRad = executeAction(chain, world, qRad, executed, options.dtS);
    snapshot = world.snapshot();
  }
  return {
    plan,
    instruction: snapshot.instruction ?? '',
    success: world.taskStatus().success,
    steps,
    final: snapshot,
  };
}

/**
 * A chunk the expert would not choose: one random direction of travel (up to a full step per axis), small
 * random turns, and the gripper either left as the expert has it or opened or closed for the whole chunk.
 */
export function drawRandomChunk(random: SeededRandom, chunkLength: number, expertGripper: number): ExpertAction[] {
  const move = [0, 1, 2].map(() => random.uniform(-MAX_TRANSLATION_STEP_M, MAX_TRANSLATION_STEP_M));
  const turn = [0, 1, 2].map(() => random.uniform(-0.3, 0.3) * MAX_ROTATION_STEP_RAD);
  const which = random.uniform(0, 1);
  const gripper = which < 0.5 ? expertGripper : which < 0.75 ? 0 : 1;
  return Array.from({ length: chunkLength }, () => [...move, ...turn, gripper] as ExpertAction);
}

/**
 * The chunk that follows step `index`: the labels of steps index … index + chunkLength − 1, flattened;
 * past the episode's end the arm holds still with the gripper as the last action left it.
 */
export function chunkTarget(actions: readonly ExpertAction[], index: number, chunkLength: number): Float32Array {
  const dims = 7;
  const chunk = new Float32Array(chunkLength * dims);
  const last = actions[actions.length - 1]!;
  for (let k = 0; k < chunkLength; k += 1) {
    const action = actions[index + k];
    if (action) chunk.set(action, k * dims);
    else chunk[k * dims + 6] = last[6];
  }
  return chunk;
}
