import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelPackage } from '../../../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../../../src/main/policy/policyRuntime';
import { loadArmChain } from '../../../../../src/main/robot/urdf/loadUrdf';
import { renderPolicyImage } from '../../../../../src/main/sim/render/sceneRenderer';
import { writeDefaultModelPackage } from '../../../../../src/main/training/defaultModel/buildDefaultModelPackage';
import { DEFAULT_MODEL_SPEC, prefixContextWidth } from '../../../../../src/main/training/defaultModel/defaultModelSpec';
import { cellCoordinates } from '../../../../../src/main/training/defaultModel/defaultPrefix';
import { pixelsToCrop, wristTargets } from '../../../../../src/main/training/defaultModel/localizationWarmup';
import {
  flattenTo,
  forwardKinematicsNodes,
  tablePlaneNodes,
  wristPlaneNodes,
} from '../../../../../src/main/training/defaultModel/geometryLayers';
import { OnnxGraphBuilder } from '../../../../../src/main/policy/testPackage/onnxBuilder';
import { cameraForArm, cameraFromSpec, projectPoint } from '../../../../../src/main/sim/render/cameraProjection';
import { forwardKinematics } from '../../../../../src/shared/robot/kinematics';
import { A1_JOINT_LIMITS } from '../../../../../src/shared/robot/a1Spec';
import { DEFAULT_SCENE_CAMERA, DEFAULT_WRIST_CAMERA } from '../../../../../src/shared/sim/world/sceneGenerator';
import { compileGraph, parseOnnxModel } from '../../../../../src/main/training/onnx';
import type { ActionStats } from '../../../../../src/main/training/demonstrations/actionStats';
import { generateScene } from '../../../../../src/shared/sim/world/sceneGenerator';
import { SeededRandom } from '../../../../../src/shared/sim/world/random';
import { parityError, randomFloats, type Feed } from '../onnx/helpers';

const repoRoot = path.resolve(__dirname, '../../../../..');
const spec = DEFAULT_MODEL_SPEC;
const stats: ActionStats = {
  q01: [-0.01, -0.01, -0.01, -0.05, -0.05, -0.05, 0],
  q99: [0.01, 0.01, 0.01, 0.05, 0.05, 0.05, 1],
  mean: [0, 0, 0, 0, 0, 0, 0.5],
  std: [0.005, 0.005, 0.005, 0.02, 0.02, 0.02, 0.5],
};
let dir: string;

function prefixFeeds(random: SeededRandom, batch: number): Record<string, Feed> {
  const { camera, maxTokens } = spec;
  const wrist = spec.wristCamera!;
  const ids: number[] = [];
  const mask: number[] = [];
  for (let b = 0; b < batch; b += 1)
    for (let i = 0; i < maxTokens; i += 1) {
      const real = i < 4 + b;
      ids.push(real ? random.int(2, 20) : 0);
      mask.push(real ? 1 : 0);
    }
  return {
    image: randomFloats(random, [batch, 3, camera.heightPx, camera.widthPx]),
    wrist_image: randomFloats(random, [batch, 3, wrist.heightPx, wrist.widthPx]),
    input_ids: { type: 'int64', dims: [batch, maxTokens], data: ids },
    attention_mask: { type: 'int64', dims: [batch, maxTokens], data: mask },
    robot_state: randomFloats(random, [batch, 7], 0.5),
  };
}

/** Row `b` of every feed, as a batch of one. */
function rowOf(feeds: Record<string, Feed>, b: number): Record<string, Feed> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, feed]) => {
      const width = feed.dims.slice(1).reduce((x, y) => x * y, 1);
      return [
        name,
        { ...feed, dims: [1, ...feed.dims.slice(1)], data: Array.from(feed.data).slice(b * width, (b + 1) * width) },
      ];
    }),
  );
}

function ortFeeds(feeds: Record<string, Feed>): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(feeds).map(([name, feed]) => [
      name,
      feed.type === 'int64'
        ? new ort.Tensor('int64', BigInt64Array.from(Array.from(feed.data, (v) => BigInt(v))), feed.dims)
        : new ort.Tensor('float32', Float32Array.from(feed.data), feed.dims),
    ]),
  );
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-tiny-arch-'));
  await writeDefaultModelPackage(dir, loadArmChain(repoRoot), spec, stats, {
    version: '0.0.0-test',
    description: 'architecture test',
  });
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('coach-tiny architecture', () => {
  it('is a valid package that takes the robot state and runs in onnxruntime on a rendered scene', async () => {
    const pkg = await loadModelPackage(dir);
    expect(pkg.manifest.prefix.robotStateInput).toBe('robot_state');
    expect(pkg.manifest.cameras[0]).toMatchObject({ name: 'scene', widthPx: 160, heightPx: 120 });
    expect(pkg.manifest.cameras[1]).toMatchObject({ name: 'wrist', input: 'wrist_image', widthPx: 96, heightPx: 72 });
    expect(pkg.manifest.action.normalization.mask).toEqual([true, true, true, true, true, true, false]);
    const runtime = await PolicyRuntime.load(pkg);
    try {
      const scene = generateScene(5, { template: 'put_in', distractors: 3 });
      const rgb = renderPolicyImage(scene, loadArmChain(repoRoot), 'scene', 160, 120);
      const wristRgb = renderPolicyImage(scene, loadArmChain(repoRoot), 'wrist', 96, 72);
      const result = await runtime.infer(
        {
          images: {
            scene: { format: 'rgb24', widthPx: 160, heightPx: 120, data: rgb },
            wrist: { format: 'rgb24', widthPx: 96, heightPx: 72, data: wristRgb },
          },
          instruction: scene.instruction!,
          robotState: [...scene.armQRad, 1],
        },
        { candidates: 2, seed: 1 },
      );
      expect(result.actions.length).toBe(2 * 5 * 7);
      expect(Array.from(result.actions).every(Number.isFinite)).toBe(true);
    } finally {
      await runtime.release();
    }
  });

  it('runs its prefix on a batch: each row as the same sample alone', async () => {
    const session = await ort.InferenceSession.create(path.join(dir, 'prefix.onnx'));
    try {
      const feeds = prefixFeeds(new SeededRandom(3), 3);
      const batched = (await session.run(ortFeeds(feeds))).context!;
      expect(batched.dims).toEqual([3, prefixContextWidth(spec)]);
      for (let b = 0; b < 3; b += 1) {
        const alone = (await session.run(ortFeeds(rowOf(feeds, b)))).context!;
        const row = (batched.data as Float32Array).subarray(
          b * prefixContextWidth(spec),
          (b + 1) * prefixContextWidth(spec),
        );
        const error = Math.max(...Array.from(alone.data as Float32Array, (v, i) => Math.abs(v - row[i]!)));
        expect(error).toBeLessThan(1e-5);
      }
    } finally {
      await session.release();
    }
  });

  it('uses only operators the trainer interprets, with parity to onnxruntime', async () => {
    const prefix = await fs.readFile(path.join(dir, 'prefix.onnx'));
    const expert = await fs.readFile(path.join(dir, 'expert.onnx'));
    const params = (bytes: Uint8Array) => {
      const graph = compileGraph(parseOnnxModel(bytes));
      const count = Object.values(graph.params).reduce((sum, p) => sum + p.size, 0);
      graph.dispose();
      Object.values(graph.params).forEach((p) => p.dispose());
      return count;
    };
    const counts = { prefix: params(prefix), expert: params(expert) };
    console.info(`coach-tiny parameters: prefix ${counts.prefix}, expert ${counts.expert}`);
    // float32 weights: the committed package must stay under 20 MB.
    expect((counts.prefix + counts.expert) * 4).toBeLessThan(20 * 2 ** 20);

    expect(await parityError(prefix, prefixFeeds(new SeededRandom(4), 2))).toBeLessThan(1e-4);
    const random = new SeededRandom(5);
    const expertFeeds: Record<string, Feed> = {
      x_t: randomFloats(random, [3, 5, 7]),
      t: { type: 'float32', dims: [3], data: [0.1, 0.5, 1] },
      context: randomFloats(random, [3, prefixContextWidth(spec)]),
    };
    expect(await parityError(expert, expertFeeds)).toBeLessThan(1e-4);
  });

  it('computes the TCP pose by forward kinematics and image points on the table (or a plane per sample), as the kinematics and camera do', async () => {
    const chain = loadArmChain(repoRoot);
    const camera = cameraFromSpec(DEFAULT_SCENE_CAMERA, { widthPx: 160, heightPx: 120 });
    const g = new OnnxGraphBuilder('geometry', 1);
    const state = g.input('state', 'float32', ['batch', 7]);
    const pixels = g.input('pixels', 'float32', ['batch', 1, 2]);
    const tcp = forwardKinematicsNodes(g, state, chain);
    g.output(flattenTo(g, tcp.positionM, 3), 'position', 'float32', ['batch', 3]);
    g.output(flattenTo(g, tcp.rotation, 9), 'rotation', 'float32', ['batch', 9]);
    g.output(tablePlaneNodes(g, pixels, camera, 0.02), 'table', 'float32', ['batch', 1, 2]);
    const heightM = g.input('height', 'float32', ['batch', 1, 1]);
    g.output(tablePlaneNodes(g, pixels, camera, heightM), 'raised', 'float32', ['batch', 1, 2]);
    const session = await ort.InferenceSession.create(await g.toBytes());
    const random = new SeededRandom(9);
    try {
      for (let trial = 0; trial < 5; trial += 1) {
        const q = A1_JOINT_LIMITS.map((limit) => random.uniform(limit.lowerRad, limit.upperRad));
        const point = [random.uniform(0.22, 0.5), random.uniform(-0.25, 0.25), 0.02];
        const pixel = projectPoint(camera, point)!;
        // The same pixel seen on a plane at another height (per sample: the TCP's, for the seen TCP).
        const heightZM = random.uniform(0.05, 0.3);
        const eye = camera.eyeM;
        const raised = [0, 1].map((i) => eye[i]! + ((point[i]! - eye[i]!) * (heightZM - eye[2])) / (0.02 - eye[2]));
        const out = await session.run({
          state: new ort.Tensor('float32', Float32Array.from([...q, 1]), [1, 7]),
          pixels: new ort.Tensor('float32', Float32Array.of(pixel.xPx, pixel.yPx), [1, 1, 2]),
          height: new ort.Tensor('float32', Float32Array.of(heightZM), [1, 1, 1]),
        });
        Array.from(out.raised!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(raised[i]!, 4));
        const expected = forwardKinematics(chain, q);
        Array.from(out.position!.data as Float32Array).forEach((v, i) =>
          expect(v).toBeCloseTo(expected.positionM[i]!, 5),
        );
        Array.from(out.rotation!.data as Float32Array).forEach((v, i) =>
          expect(v).toBeCloseTo(expected.rotation[i]!, 5),
        );
        Array.from(out.table!.data as Float32Array).forEach((v, i) => expect(v).toBeCloseTo(point[i]!, 4));
      }
    } finally {
      await session.release();
    }
  });

  it("finds where a wrist-camera pixel's ray meets the object plane, from the TCP, for any arm pose", async () => {
    const chain = loadArmChain(repoRoot);
    const size = { widthPx: 96, heightPx: 72 };
    const inTcpFrame = cameraFromSpec(DEFAULT_WRIST_CAMERA, {
      ...size,
      tcpPose: { positionM: [0, 0, 0], rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] },
    });
    const g = new OnnxGraphBuilder('wrist', 1);
    const state = g.input('state', 'float32', ['batch', 7]);
    const pixels = g.input('pixels', 'float32', ['batch', 1, 2]);
    g.output(
      wristPlaneNodes(g, pixels, forwardKinematicsNodes(g, state, chain), inTcpFrame, 0.02),
      'fromTcp',
      'float32',
      ['batch', 1, 2],
    );
    const session = await ort.InferenceSession.create(await g.toBytes());
    const random = new SeededRandom(11);
    let checked = 0;
    try {
      for (let trial = 0; trial < 200 && checked < 5; trial += 1) {
        const q = A1_JOINT_LIMITS.map((limit) => random.uniform(limit.lowerRad, limit.upperRad));
        const tcp = forwardKinematics(chain, q);
        const camera = cameraForArm(DEFAULT_WRIST_CAMERA, chain, q, size);
        // A point on the plane 5–15 cm ahead along the camera's view, where its ray comes down steeply.
        const along = random.uniform(0.05, 0.15);
        const ray = camera.forward;
        if (ray[2] > -0.5 || camera.eyeM[2] < 0.08) continue;
        const t = (0.02 - camera.eyeM[2]) / ray[2];
        if (t > along * 4) continue;
        const point = [0, 1, 2].map(
          (i) => camera.eyeM[i]! + t * ray[i]! + random.uniform(-0.02, 0.02) * (i < 2 ? 1 : 0),
        );
        point[2] = 0.02;
        const pixel = projectPoint(camera, point);
        if (!pixel) continue;
        const out = await session.run({
          state: new ort.Tensor('float32', Float32Array.from([...q, 1]), [1, 7]),
          pixels: new ort.Tensor('float32', Float32Array.of(pixel.xPx, pixel.yPx), [1, 1, 2]),
        });
        const fromTcp = Array.from(out.fromTcp!.data as Float32Array);
        expect(fromTcp[0]).toBeCloseTo(point[0]! - tcp.positionM[0], 4);
        expect(fromTcp[1]).toBeCloseTo(point[1]! - tcp.positionM[1], 4);
        checked += 1;
      }
      expect(checked).toBe(5);
    } finally {
      await session.release();
    }
  });

  it('lays out cell coordinates row-major in −1 … 1', () => {
    expect(cellCoordinates(2, 4)).toEqual([
      -0.75, -0.5, -0.25, -0.5, 0.25, -0.5, 0.75, -0.5, -0.75, 0.5, -0.25, 0.5, 0.25, 0.5, 0.75, 0.5,
    ]);
  });
});

describe('localisation warm-up labels', () => {
  it('map camera pixels into the crop frame of the soft-argmax (crop corners → ±1)', () => {
    const { crop } = spec;
    const corners = [crop.left, crop.top, crop.left + crop.widthPx, crop.top + crop.heightPx];
    expect(Array.from(pixelsToCrop(spec, corners))).toEqual([-1, -1, 1, 1]);
  });

  it('map wrist pixels to −1 … 1 and weigh only the points in view, as a mean over them', () => {
    const { targets, weights } = wristTargets({ widthPx: 96, heightPx: 72 }, [
      [0, 0, 1, 48, 36, 0],
      [96, 72, 1, 24, 54, 1],
    ]);
    expect(Array.from(targets)).toEqual([-1, -1, 0, 0, 1, 1, -0.5, 0.5]);
    expect(Array.from(weights)).toEqual([1 / 6, 0, 1 / 6, 1 / 6].map(Math.fround));
    expect(Array.from(wristTargets({ widthPx: 96, heightPx: 72 }, [[1, 1, 0, 1, 1, 0]]).weights)).toEqual([0, 0]);
  });
});
