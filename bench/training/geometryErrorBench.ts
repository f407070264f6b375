/**
 * How well coach-tiny's in-graph geometry tells where the named object is from the TCP, along the scripted
 * expert's path on validation scenes (training seeds no demonstration uses; objects on the table only). Two
 * references for the TCP: by forward kinematics (exact, in the base frame, while the object's table point
 * carries the scene camera's jitter) and as the camera sees it (its image point projected through the same
 * nominal camera, so the jitter's error is common to both points and cancels in the difference).
 * Image points are the simulator's keypoint labels (perfect localisation), or, with --model, the soft-argmax
 * points of that package's prefix on the rendered pictures.
 *   npx tsx bench/training/geometryErrorBench.ts [--scenes N] [--model DIR] [--seed-set train|heldout]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { forwardKinematics } from '../../src/shared/robot/kinematics';
import { sceneSeed } from '../../src/shared/evaluation/seedSets';
import { TASK_TEMPLATES } from '../../src/shared/sim/world/tasks';
import { DEFAULT_SCENE_CAMERA } from '../../src/shared/sim/world/sceneGenerator';
import { LIVE_GRIPPER_SPEED_MM_S } from '../../src/shared/sim/world/tabletopWorld';
import { loadArmChain } from '../../src/main/robot/urdf/loadUrdf';
import { cameraFromSpec, type PinholeCamera } from '../../src/main/sim/render/cameraProjection';
import { renderPolicyImage } from '../../src/main/sim/render/sceneRenderer';
import { keypointPixels, keypointPointsM, rollOutDemo } from '../../src/main/training/demonstrations/demoRollout';
import { DEFAULT_MODEL_SPEC } from '../../src/main/training/defaultModel/defaultModelSpec';
import {
  buildDefaultPrefix,
  OBJECT_PLANE_Z_M,
  PREFIX_KEYPOINTS,
} from '../../src/main/training/defaultModel/defaultPrefix';
import { BcBatchBuilder } from '../../src/main/training/bc/batchBuilder';
import { ortFeed } from '../../src/main/training/bc/frozenContext';
import { writeInitializers } from '../../src/main/training/onnx';
import { initializersOf } from '../../src/main/training/worldModel/trainWorldModel';
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

/** A package's prefix read out as its keypoints: image → the three query points in camera pixels. */
async function keypointReader(modelDir: string, chain: ReturnType<typeof loadArmChain>) {
  const pkg = await loadModelPackage(modelDir);
  // The image encoder and the queries: all the keypoints depend on (older packages' other layers differ).
  const weights = Object.fromEntries(
    Object.entries(await initializersOf(pkg.prefixPath)).filter(([name]) => /^(encoder|instruction)\./.test(name)),
  );
  const graph = writeInitializers(
    await buildDefaultPrefix(DEFAULT_MODEL_SPEC, testVocabulary().length, chain, { keypointsOutput: true }),
    weights,
  );
  const session = await ort.InferenceSession.create(graph, { executionProviders: ['cpu'], logSeverityLevel: 3 });
  const builder = new BcBatchBuilder(
    pkg.manifest,
    new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
  );
  const { crop } = DEFAULT_MODEL_SPEC;
  return async (image: Uint8Array, instruction: string, robotState: number[]) => {
    const feeds = Object.entries(builder.prefixFeeds([{ image, instruction, robotState }]));
    const out = await session.run(Object.fromEntries(feeds.map(([name, feed]) => [name, ortFeed(feed)])), [
      PREFIX_KEYPOINTS,
    ]);
    const crops = out[PREFIX_KEYPOINTS]!.data as Float32Array;
    return Array.from(crops, (v, i) =>
      i % 2 === 0 ? crop.left + ((v + 1) / 2) * crop.widthPx : crop.top + ((v + 1) / 2) * crop.heightPx,
    );
  };
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
  const read = values.model ? await keypointReader(path.resolve(values.model), chain) : null;
  const nominal = cameraFromSpec(DEFAULT_SCENE_CAMERA, DEFAULT_MODEL_SPEC.camera);
  const errors = { fk: [] as number[], seen: [] as number[], pixel: [] as number[], tcpPixel: [] as number[] };
  for (const template of TASK_TEMPLATES)
    for (let i = 0; i < scenes; i += 1) {
      const plan = { template, seed: sceneSeed(seedSet, template, i), distractors: i % 4, noiseStd: 0 };
      const episode = rollOutDemo(chain, plan, { gripperSpeedMmS: LIVE_GRIPPER_SPEED_MM_S, maxSteps: 300, dtS: 0.1 });
      for (const [index, step] of episode.steps.entries()) {
        const named = keypointPointsM(chain, step.snapshot)[0]!;
        if (index % 4 !== 0 || named[2] > 0.05) continue; // carried: the object plane does not hold
        const labels = keypointPixels(chain, step.snapshot, DEFAULT_MODEL_SPEC.camera);
        const { widthPx, heightPx } = DEFAULT_MODEL_SPEC.camera;
        const points = read
          ? await read(
              renderPolicyImage(step.snapshot, chain, 'scene', widthPx, heightPx),
              episode.instruction,
              step.robotState,
            )
          : labels;
        errors.pixel.push(Math.hypot(points[0]! - labels[0]!, points[1]! - labels[1]!));
        errors.tcpPixel.push(Math.hypot(points[4]! - labels[4]!, points[5]! - labels[5]!));
        const tcp = forwardKinematics(chain, step.snapshot.armQRad).positionM;
        const object = onPlane(nominal, points[0]!, points[1]!, OBJECT_PLANE_Z_M);
        const seenTcp = onPlane(nominal, points[4]!, points[5]!, tcp[2]);
        const truth = [named[0] - tcp[0], named[1] - tcp[1]];
        errors.fk.push(Math.hypot(object[0] - tcp[0] - truth[0]!, object[1] - tcp[1] - truth[1]!) * 1000);
        errors.seen.push(Math.hypot(object[0] - seenTcp[0] - truth[0]!, object[1] - seenTcp[1] - truth[1]!) * 1000);
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
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
