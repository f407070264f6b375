import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../../src/main/cli/runCli';
import { loadArmChain } from '../../../../src/main/robot/urdf/loadUrdf';
import {
  cameraForArm,
  cameraFromSpec,
  projectPoint,
  projectPolygon,
  projectSegment,
} from '../../../../src/main/sim/render/cameraProjection';
import {
  parseColor,
  renderCamera,
  renderToJpeg,
  renderToPng,
  renderToRgb,
  UnknownCameraError,
} from '../../../../src/main/sim/render/sceneRenderer';
import { A1_HOME_Q_RAD, forwardKinematics, type KinematicChain } from '../../../../src/shared/robot/kinematics';
import type { CameraSpec, WorldSnapshot } from '../../../../src/shared/sim/worldTypes';
import { captureOutput } from '../../../helpers/captureOutput';

const appRoot = path.join(__dirname, '../../../..');
let chain: KinematicChain;
let tempDir: string;
beforeAll(() => {
  chain = loadArmChain(appRoot);
  tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-render-'));
});
afterAll(() => fs.rmSync(tempDir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

const DEG = Math.PI / 180;
const GRAPE = '#6a2c91';
const TABLE = '#b08a5e';

const SCENE_CAMERA: CameraSpec = {
  name: 'scene',
  mount: 'fixed',
  eyeM: [0.92, -0.45, 0.68],
  targetM: [0.3, 0, 0.18],
  fovYRad: 52 * DEG,
};
const WRIST_CAMERA: CameraSpec = {
  name: 'wrist',
  mount: 'wrist',
  eyeM: [0, 0.06, 0.07],
  targetM: [0, -0.14, -0.01],
  fovYRad: 70 * DEG,
};

/** A hand-written tabletop: a grape, a plate, an orange and a bowl; the arm at home. */
function fixture(overrides: Partial<WorldSnapshot> = {}): WorldSnapshot {
  return {
    seed: 1,
    timeS: 0,
    instruction: 'put the grape on the plate',
    table: { sizeM: [0.8, 1.0], centerM: [0.35, 0], color: TABLE },
    background: '#dfe3e8',
    armQRad: [...A1_HOME_Q_RAD],
    gripperOpeningMm: 60,
    objects: [
      {
        id: 'grape-1',
        kind: 'grape',
        color: GRAPE,
        shape: { type: 'sphere', radiusM: 0.012 },
        positionM: [0.3, -0.1, 0],
        yawRad: 0,
        isContainer: false,
        grasped: false,
        insideId: null,
      },
      {
        id: 'plate-1',
        kind: 'plate',
        color: '#f2f2ee',
        shape: { type: 'dish', radiusM: 0.1, heightM: 0.02 },
        positionM: [0.45, 0.15, 0],
        yawRad: 0,
        isContainer: true,
        grasped: false,
        insideId: null,
      },
      {
        id: 'orange-1',
        kind: 'orange',
        color: '#f28c1b',
        shape: { type: 'sphere', radiusM: 0.036 },
        positionM: [0.55, 0.35, 0],
        yawRad: 0,
        isContainer: false,
        grasped: false,
        insideId: null,
      },
    ],
    lighting: { ambient: 0.45, directionFrom: [0.35, 0.45, 0.82], brightness: 1 },
    cameras: [SCENE_CAMERA, WRIST_CAMERA],
    ...overrides,
  };
}

function pixel(canvas: ReturnType<typeof renderCamera>, x: number, y: number): [number, number, number] {
  const data = canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data;
  return [data[0]!, data[1]!, data[2]!];
}

const distance = (a: readonly number[], b: readonly number[]) =>
  Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** Fraction of pixels that differ by more than a little between two RGB images of the same size. */
function differingFraction(a: Uint8Array, b: Uint8Array): number {
  let differing = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!) > 24) {
      differing += 1;
    }
  }
  return differing / (a.length / 3);
}

describe('camera projection', () => {
  const spec: CameraSpec = { name: 'test', mount: 'fixed', eyeM: [1, 0, 0.5], targetM: [0, 0, 0.5], fovYRad: 60 * DEG };

  it('puts a point on the optical axis at the image centre, with its distance as depth', () => {
    for (const [widthPx, heightPx] of [
      [640, 480],
      [224, 224],
      [101, 77],
    ] as const) {
      const camera = cameraFromSpec(spec, { widthPx, heightPx });
      const p = projectPoint(camera, [-2, 0, 0.5])!;
      expect(p.xPx).toBeCloseTo(widthPx / 2, 9);
      expect(p.yPx).toBeCloseTo(heightPx / 2, 9);
      expect(p.depthM).toBeCloseTo(3, 12);
    }
  });

  it('puts points at the edge of the field of view on the image edges, with up = +z at the top', () => {
    const camera = cameraFromSpec(spec, { widthPx: 640, heightPx: 480 });
    const t = Math.tan(30 * DEG);
    // Looking along −x: image right is +y of the base frame, image up is +z.
    expect(projectPoint(camera, [0, 0, 0.5 + t])!.yPx).toBeCloseTo(0, 9);
    expect(projectPoint(camera, [0, 0, 0.5 - t])!.yPx).toBeCloseTo(480, 9);
    const halfWidth = t * (640 / 480);
    expect(projectPoint(camera, [0, halfWidth, 0.5])!.xPx).toBeCloseTo(640, 9);
    expect(projectPoint(camera, [0, -halfWidth, 0.5])!.xPx).toBeCloseTo(0, 9);
  });

  it('culls points behind the camera or nearer than the near plane, and clips polygons and segments', () => {
    const camera = cameraFromSpec(spec, { widthPx: 640, heightPx: 480, nearM: 0.05 });
    expect(projectPoint(camera, [2, 0, 0.5])).toBeNull();
    expect(projectPoint(camera, [0.97, 0, 0.5])).toBeNull();
    expect(projectPoint(camera, [0.9, 0, 0.5])).not.toBeNull();
    expect(
      projectPolygon(camera, [
        [2, 0, 0],
        [2, 1, 0],
        [3, 1, 0],
      ]),
    ).toBeNull();
    const clipped = projectPolygon(camera, [
      [2, -0.2, 0.4],
      [0, -0.2, 0.4],
      [0, 0.2, 0.4],
      [2, 0.2, 0.4],
    ])!;
    expect(clipped).toHaveLength(4);
    for (const p of clipped) expect(p.depthM).toBeGreaterThanOrEqual(0.05 - 1e-12);
    const segment = projectSegment(camera, [2, 0, 0.5], [0, 0, 0.5])!;
    expect(segment[0].depthM).toBeCloseTo(0.05, 12);
    expect(projectSegment(camera, [2, 0, 0.5], [3, 0, 0.5])).toBeNull();
  });

  it('places a wrist camera in the TCP frame: it follows the arm', () => {
    const alongTool: CameraSpec = {
      name: 'w',
      mount: 'wrist',
      eyeM: [0, 0, 0],
      targetM: [0, -1, 0],
      fovYRad: 60 * DEG,
    };
    const size = { widthPx: 100, heightPx: 100 };
    const home = cameraForArm(alongTool, chain, A1_HOME_Q_RAD, size);
    const tcp = forwardKinematics(chain, A1_HOME_Q_RAD);
    home.eyeM.forEach((v, i) => expect(v).toBeCloseTo(tcp.positionM[i]!, 12));
    // At home the tool points straight down.
    expect(home.forward[2]).toBeCloseTo(-1, 6);
    const below = projectPoint(home, [tcp.positionM[0], tcp.positionM[1], 0])!;
    expect(below.xPx).toBeCloseTo(50, 4);
    expect(below.yPx).toBeCloseTo(50, 4);
    const turned = cameraForArm(alongTool, chain, [0.5, ...A1_HOME_Q_RAD.slice(1)], size);
    expect(Math.hypot(turned.eyeM[0] - home.eyeM[0], turned.eyeM[1] - home.eyeM[1])).toBeGreaterThan(0.1);
    expect(() => cameraFromSpec(alongTool, size)).toThrow(/TCP pose/);
  });
});

describe('scene renderer', () => {
  it('renders the requested sizes', () => {
    for (const camera of ['scene', 'wrist']) {
      const small = renderCamera(fixture(), chain, camera, 224, 224);
      expect([small.width, small.height]).toEqual([224, 224]);
      const large = renderCamera(fixture(), chain, camera, 640, 480);
      expect([large.width, large.height]).toEqual([640, 480]);
    }
    const rgb = renderToRgb(fixture(), chain, 'scene');
    expect(rgb).toBeInstanceOf(Uint8Array);
    expect(rgb.length).toBe(224 * 224 * 3);
    const jpeg = renderToJpeg(fixture(), chain, 'scene', 320, 240, 80);
    expect([...jpeg.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
  });

  it("shows the grape's colour where the grape projects and the table's colour elsewhere", () => {
    const snapshot = fixture();
    for (const [width, height] of [
      [640, 480],
      [224, 224],
    ] as const) {
      const canvas = renderCamera(snapshot, chain, 'scene', width, height);
      const camera = cameraFromSpec(SCENE_CAMERA, { widthPx: width, heightPx: height });
      const grape = projectPoint(camera, [0.3, -0.1, 0.012])!;
      const atGrape = pixel(canvas, grape.xPx, grape.yPx);
      expect(distance(atGrape, parseColor(GRAPE))).toBeLessThan(distance(atGrape, parseColor(TABLE)));
      expect(distance(atGrape, parseColor(GRAPE))).toBeLessThan(70);
      // An empty stretch of table in the foreground.
      const table = projectPoint(camera, [0.5, -0.1, 0])!;
      expect(table.xPx).toBeGreaterThan(0);
      expect(table.xPx).toBeLessThan(width);
      const atTable = pixel(canvas, table.xPx, table.yPx);
      expect(distance(atTable, parseColor(TABLE))).toBeLessThan(40);
      expect(distance(atTable, parseColor(TABLE))).toBeLessThan(distance(atTable, parseColor(GRAPE)));
    }
  });

  it('changes the wrist view when the arm moves or the gripper closes', () => {
    const home = renderToRgb(fixture(), chain, 'wrist');
    const moved = renderToRgb(fixture({ armQRad: [0.4, ...A1_HOME_Q_RAD.slice(1)] }), chain, 'wrist');
    expect(differingFraction(home, moved)).toBeGreaterThan(0.1);
    const closed = renderToRgb(fixture({ gripperOpeningMm: 0 }), chain, 'wrist');
    expect(differingFraction(home, closed)).toBeGreaterThan(0.01);
    // The scene camera is fixed: moving the arm changes only part of its picture.
    const sceneHome = renderToRgb(fixture(), chain, 'scene');
    const sceneMoved = renderToRgb(fixture({ armQRad: [0.4, ...A1_HOME_Q_RAD.slice(1)] }), chain, 'scene');
    const sceneChange = differingFraction(sceneHome, sceneMoved);
    expect(sceneChange).toBeGreaterThan(0.005);
    expect(sceneChange).toBeLessThan(0.3);
  });

  it('renders byte-identical images for the same snapshot', () => {
    for (const camera of ['scene', 'wrist']) {
      const a = renderToPng(fixture(), chain, camera, 640, 480, { labels: true });
      const b = renderToPng(fixture(), chain, camera, 640, 480, { labels: true });
      expect(Buffer.compare(a, b)).toBe(0);
      expect(Buffer.compare(renderToRgb(fixture(), chain, camera), renderToRgb(fixture(), chain, camera))).toBe(0);
    }
  });

  it('draws every object kind and shape, contents of a container and a grasped object', () => {
    const snapshot = fixture();
    const base = snapshot.objects[0]!;
    snapshot.objects.push(
      {
        ...base,
        id: 'bowl-1',
        kind: 'bowl',
        color: '#3aa17e',
        shape: { type: 'dish', radiusM: 0.075, heightM: 0.05 },
        positionM: [0.5, -0.2, 0],
        isContainer: true,
      },
      { ...base, id: 'grape-2', positionM: [0.5, -0.2, 0.005], insideId: 'bowl-1' },
      {
        ...base,
        id: 'egg-1',
        kind: 'eggplant',
        color: '#4b1f5c',
        shape: { type: 'ellipsoid', radiiM: [0.085, 0.032, 0.03] },
        positionM: [0.25, -0.3, 0],
        yawRad: 0.6,
      },
      {
        ...base,
        id: 'bottle-1',
        kind: 'soda_bottle',
        color: '#c8102e',
        shape: { type: 'cylinder', radiusM: 0.032, heightM: 0.2 },
        positionM: [0.6, 0.05, 0],
      },
      {
        ...base,
        id: 'cube-1',
        kind: 'cube',
        color: '#2f7fd8',
        shape: { type: 'box', sizeM: [0.045, 0.045, 0.045] },
        positionM: [0.3, 0.05, 0],
        yawRad: 0.3,
      },
      { ...base, id: 'grape-3', positionM: [0.366, 0.02, 0.159], grasped: true },
    );
    const plain = renderToRgb(fixture(), chain, 'scene');
    const busy = renderToRgb(snapshot, chain, 'scene');
    expect(differingFraction(plain, busy)).toBeGreaterThan(0.02);
    const labelled = renderToPng(snapshot, chain, 'scene', 640, 480, { labels: true });
    const unlabelled = renderToPng(snapshot, chain, 'scene', 640, 480);
    expect(Buffer.compare(labelled, unlabelled)).not.toBe(0);
  });

  it('refuses an unknown camera, naming the ones there are', () => {
    expect(() => renderCamera(fixture(), chain, 'top', 64, 64)).toThrow(UnknownCameraError);
    expect(() => renderCamera(fixture(), chain, 'top', 64, 64)).toThrow('this scene has: scene, wrist');
  });
});

describe('coach sim render', () => {
  const pngSize = (bytes: Buffer) => [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];

  it('writes a valid PNG of the requested size', async () => {
    const io = captureOutput();
    const out = path.join(tempDir, 'scene.png');
    expect(await runCli(['sim', 'render', '--task', 'put the grape on the plate', '--seed', '7', '--out', out])).toBe(
      0,
    );
    const bytes = fs.readFileSync(out);
    expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect(pngSize(bytes)).toEqual([640, 480]);
    expect(io.out()).toContain(`wrote ${out}`);

    const wrist = path.join(tempDir, 'wrist.png');
    const args = ['--seed', '7', '--out', wrist, '--camera', 'wrist', '--width', '224', '--height', '224', '--labels'];
    expect(await runCli(['sim', 'render', '--task', 'pick up the orange', ...args])).toBe(0);
    expect(pngSize(fs.readFileSync(wrist))).toEqual([224, 224]);
  });

  it('refuses a bad camera name, a non-numeric seed and an unwritable --out with a clear message', async () => {
    const io = captureOutput();
    const out = path.join(tempDir, 'x.png');
    const task = ['--task', 'put the grape on the plate'];
    expect(await runCli(['sim', 'render', ...task, '--seed', '1', '--out', out, '--camera', 'top'])).toBe(2);
    expect(io.err()).toContain('unknown camera "top"; this scene has: scene, wrist');
    expect(fs.existsSync(out)).toBe(false);
    expect(await runCli(['sim', 'render', ...task, '--seed', 'abc', '--out', out])).toBe(2);
    expect(io.err()).toContain('--seed must be a whole number');
    const missingDir = path.join(tempDir, 'no-such-folder', 'x.png');
    expect(await runCli(['sim', 'render', ...task, '--seed', '1', '--out', missingDir])).toBe(1);
    expect(io.err()).toContain('does not exist; create it or choose another --out');
    expect(await runCli(['sim', 'render', ...task, '--seed', '1', '--out', path.join(tempDir, 'x.gif')])).toBe(2);
    expect(io.err()).toContain('--out must end in .png, .jpg or .jpeg');
    expect(await runCli(['sim', 'render', '--seed', '1', '--out', out])).toBe(2);
    expect(io.err()).toContain('--task "<instruction>" is required');
    expect(await runCli(['sim', 'paint'])).toBe(2);
    expect(io.err()).toContain('unknown command "paint"');
  });
});
