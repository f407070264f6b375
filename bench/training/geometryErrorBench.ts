/**
 * How well coach-tiny's in-graph geometry tells where the named object is from the TCP, along the scripted
 * expert's path on validation scenes (training seeds no demonstration uses; objects on the table only). Two
 * references for the TCP: by forward kinematics (exact, in the base frame, while the object's table point
 * carries the scene camera's jitter) and as the camera sees it (its image point projected through the same
 * nominal camera, so the jitter's error is common to both points and cancels in the difference).
 * Image points are the simulator's keypoint labels (perfect localisation), or, with --model, the soft-argmax
 * points of that package's prefix on the rendered pictures. With a wrist camera (the labels, or a package
 * that takes one), also where the named object is from the TCP by its wrist-camera point's ray met with
 * the object plane (the TCP's pose by kinematics), in frames where it is in the wrist camera's view, and
 * those within 10 cm of the TCP (near the grasp).
 *   npx tsx bench/training/geometryErrorBench.ts [--scenes N] [--model DIR] [--seed-set train|heldout]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { forwardKinematics } from '../../src/shared/robot/kinematics';
import { sceneSeed } from '../../src/shared/evaluation/seedSets';
import { TASK_TEMPLATES } from '../../src/shared/sim/world/tasks';
import { DEFAULT_SCENE_CAMERA, DEFAULT_WRIST_CAMERA } from '../../src/shared/sim/world/sceneGenerator';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../src/shared/sim/world/tabletopWorld';
import { loadArmChain } from '../../src/main/robot/urdf/loadUrdf';
import { cameraForArm, cameraFromSpec, type PinholeCamera } from '../../src/main/sim/render/cameraProjection';
import { renderPolicyImage } from '../../src/main/sim/render/sceneRenderer';
import {
  keypointPixels,
  keypointPointsM,
  rollOutDemo,
  wristKeypointPixels,
} from '../../src/main/training/demonstrations/demoRollout';
import { DEFAULT_MODEL_SPEC } from '../../src/main/training/defaultModel/defaultModelSpec';
import {
  buildDefaultPrefix,
  OBJECT_PLANE_Z_M,
  PREFIX_KEYPOINTS,
  PREFIX_WRIST_KEYPOINTS,
} from '../../src/main/training/defaultModel/defaultPrefix';
import { BcBatchBuilder } from '../../src/main/training/bc/batchBuilder';
import { ortFeed } from '../../src/main/training/bc/frozenContext';
import { initializersOf, writeInitializers } from '../../src/main/training/onnx';
import { loadModelPackage } from '../../src/main/policy/modelPackage';
import { InstructionTokenizer } from '../../src/main/policy/instructionTokenizer';
import { testVocabulary } from '../../src/main/policy/testPackage/testTokenizer';

function onPlane(camera: PinholeCamera, xPx: number, yPx: number, planeZM: number): [number, number] {
  const { right, down, forward, eyeM, focalPx, cxPx, cyPx } = camera;
  const ray = [0, 1, 2].map(
    (i) => forward[i]! + ((xPx - cxPx) / focalPx) * right[i]! + ((yPx - cyPx) / focalPx) * down[i]!,
  );
  const along = (planeZM - eyeM[2]) / ray[2]!;
  return [eyeM[0] + along * ray[0]!, eyeM[1] + along * ray[1]!];
}

const WRIST = DEFAULT_MODEL_SPEC.wristCamera!;

/**
 * A package's prefix read out as its keypoints: pictures → the three scene query points in camera pixels,
 * and (when it takes a wrist camera) the two wrist query points in wrist pixels.
 */
async function keypointReader(modelDir: string, chain: ReturnType<typeof loadArmChain>) {
  const pkg = await loadModelPackage(modelDir);
  const hasWrist = pkg.manifest.cameras.some((camera) => camera.name === 'wrist');
  const spec = hasWrist ? DEFAULT_MODEL_SPEC : { ...DEFAULT_MODEL_SPEC, wristCamera: null };
  // The image encoders and the queries: all the keypoints depend on (older packages' other layers differ).
  const weights = Object.fromEntries(
    Object.entries(await initializersOf(pkg.prefixPath)).filter(([name]) =>
      /^(encoder|wrist_encoder|instruction)\./.test(name),
    ),
  );
  const graph = writeInitializers(
    await buildDefaultPrefix(spec, testVocabulary().length, chain, { keypointsOutput: true }),
    weights,
  );
  const session = await ort.InferenceSession.create(graph, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const builder = new BcBatchBuilder(
    pkg.manifest,
    new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
  );
  const { crop } = DEFAULT_MODEL_SPEC;
  const read = async (images: { scene: Uint8Array; wrist: Uint8Array }, instruction: string, robotState: number[]) => {
    const observation = { image: images.scene, moreImages: { wrist: images.wrist }, instruction, robotState };
    const feeds = Object.entries(builder.prefixFeeds([observation]));
    const out = await session.run(
      Object.fromEntries(feeds.map(([name, feed]) => [name, ortFeed(feed)])),
      hasWrist ? [PREFIX_KEYPOINTS, PREFIX_WRIST_KEYPOINTS] : [PREFIX_KEYPOINTS],
    );
    const crops = out[PREFIX_KEYPOINTS]!.data as Float32Array;
    const scene = Array.from(crops, (v, i) =>
      i % 2 === 0 ? crop.left + ((v + 1) / 2) * crop.widthPx : crop.top + ((v + 1) / 2) * crop.heightPx,
    );
    const wristPoints = hasWrist ? (out[PREFIX_WRIST_KEYPOINTS]!.data as Float32Array) : null;
    const wrist = wristPoints
      ? Array.from(wristPoints, (v, i) => ((v + 1) / 2) * (i % 2 === 0 ? WRIST.widthPx : WRIST.heightPx))
      : null;
    return { scene, wrist };
  };
  return { read, hasWrist };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const p90 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.9)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { scenes: { type: 'string' }, model: { type: 'string' }, 'seed-set': { type: 'string' } },
  });
  const scenes = Number(values.scenes ?? 10);
  const seedSet = values['seed-set'] === 'heldout' ? 'heldout' : 'train';
  const chain = loadArmChain(path.resolve(import.meta.dirname, '../..'));
  const reader = values.model ? await keypointReader(path.resolve(values.model), chain) : null;
  const read = reader?.read ?? null;
  const withWrist = reader ? reader.hasWrist : true;
  const nominal = cameraFromSpec(DEFAULT_SCENE_CAMERA, DEFAULT_MODEL_SPEC.camera);
  const errors = { fk: [] as number[], seen: [] as number[], pixel: [] as number[], tcpPixel: [] as number[] };
  const wristErrors = { pixel: [] as number[], mm: [] as number[], nearPixel: [] as number[], nearMm: [] as number[] };
  for (const template of TASK_TEMPLATES)
    for (let i = 0; i < scenes; i += 1) {
      const plan = { template, seed: sceneSeed(seedSet, template, i), distractors: i % 4, noiseStd: 0 };
      const episode = rollOutDemo(chain, plan, { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, maxSteps: 300, dtS: 0.1 });
      for (const [index, step] of episode.steps.entries()) {
        const named = keypointPointsM(chain, step.snapshot)[0]!;
        if (index % 4 !== 0 || named[2] > 0.05) continue; // carried: the object plane does not hold
        const labels = keypointPixels(chain, step.snapshot, DEFAULT_MODEL_SPEC.camera);
        const { widthPx, heightPx } = DEFAULT_MODEL_SPEC.camera;
        const wristLabels = wristKeypointPixels(chain, step.snapshot, WRIST);
        const seen = read
          ? await read(
              {
                scene: renderPolicyImage(step.snapshot, chain, 'scene', widthPx, heightPx),
                wrist: renderPolicyImage(step.snapshot, chain, 'wrist', WRIST.widthPx, WRIST.heightPx),
              },
              episode.instruction,
              step.robotState,
            )
          : null;
        const points = seen?.scene ?? labels;
        const wristPoint = seen?.wrist ?? wristLabels;
        errors.pixel.push(Math.hypot(points[0]! - labels[0]!, points[1]! - labels[1]!));
        errors.tcpPixel.push(Math.hypot(points[4]! - labels[4]!, points[5]! - labels[5]!));
        const tcp = forwardKinematics(chain, step.snapshot.armQRad).positionM;
        const object = onPlane(nominal, points[0]!, points[1]!, OBJECT_PLANE_Z_M);
        const seenTcp = onPlane(nominal, points[4]!, points[5]!, tcp[2]);
        const truth = [named[0] - tcp[0], named[1] - tcp[1]];
        errors.fk.push(Math.hypot(object[0] - tcp[0] - truth[0]!, object[1] - tcp[1] - truth[1]!) * 1000);
        errors.seen.push(Math.hypot(object[0] - seenTcp[0] - truth[0]!, object[1] - seenTcp[1] - truth[1]!) * 1000);
        if (!withWrist || wristLabels[2] !== 1) continue;
        // The in-graph wrist geometry: the nominal wrist camera on the TCP by kinematics, the object plane.
        const wristCamera = cameraForArm(DEFAULT_WRIST_CAMERA, chain, step.snapshot.armQRad, WRIST);
        const fromWrist = onPlane(wristCamera, wristPoint[0]!, wristPoint[1]!, OBJECT_PLANE_Z_M);
        const mm = Math.hypot(fromWrist[0] - tcp[0] - truth[0]!, fromWrist[1] - tcp[1] - truth[1]!) * 1000;
        const pixel = Math.hypot(wristPoint[0]! - wristLabels[0]!, wristPoint[1]! - wristLabels[1]!);
        wristErrors.mm.push(mm);
        wristErrors.pixel.push(pixel);
        if (Math.hypot(truth[0]!, truth[1]!) < 0.1) {
          wristErrors.nearMm.push(mm);
          wristErrors.nearPixel.push(pixel);
        }
      }
    }

  const fmt = (v: number[], unit: string) => `median ${median(v).toFixed(1)} ${unit}, p90 ${p90(v).toFixed(1)} ${unit}`;
  console.log(
    `${errors.fk.length} frames of ${scenes * TASK_TEMPLATES.length} ${seedSet} scenes (seed indices 0–${scenes - 1}), ` +
      (read ? `image points of ${values.model}` : 'perfect image points (the labels)'),
  );
  if (read) {
    console.log(`named object's image point from its label: ${fmt(errors.pixel, 'px')}`);
    console.log(`TCP's image point from its label:          ${fmt(errors.tcpPixel, 'px')}`);
  }
  console.log(`object from the TCP by forward kinematics:  ${fmt(errors.fk, 'mm')}`);
  console.log(`object from the TCP as the camera sees it:  ${fmt(errors.seen, 'mm')}`);
  if (!withWrist || wristErrors.mm.length === 0) return;
  console.log(
    `wrist camera, ${wristErrors.mm.length} frames with the named object in view (${wristErrors.nearMm.length} within 10 cm of the TCP):`,
  );
  if (read) {
    console.log(`  named object's wrist point from its label: ${fmt(wristErrors.pixel, 'px')}`);
    console.log(`    within 10 cm:                           ${fmt(wristErrors.nearPixel, 'px')}`);
  }
  console.log(`  object from the TCP by its wrist ray:      ${fmt(wristErrors.mm, 'mm')}`);
  console.log(`    within 10 cm:                           ${fmt(wristErrors.nearMm, 'mm')}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
