import type { PinholeCamera } from '../../sim/render/cameraProjection';
import { poseFromXyzRpy, type KinematicChain, type Mat3 } from '../../../shared/robot/kinematics';
import { int, ints, type OnnxGraphBuilder } from '../../policy/testPackage/onnxBuilder';

const flat = (m: Mat3) => [...m];

/** Height of the plane image points are projected onto: about where objects' middles are. */
export const OBJECT_PLANE_Z_M = 0.02;

/**
 * Forward kinematics of the arm as graph nodes: joint angles q [B, ≥6] (the robot state) → the TCP's
 * position [B, 3, 1] (m) and rotation [B, 3, 3] in the base frame. Each joint's rotation about its unit
 * axis a is Rodrigues' a·aᵀ + sin q·[a]ₓ + cos q·(I − a·aᵀ), with constant matrices from the URDF, so the
 * policy reads where its tool is instead of learning the kinematics from data.
 */
export function forwardKinematicsNodes(
  g: OnnxGraphBuilder,
  state: string,
  chain: KinematicChain,
): { positionM: string; rotation: string } {
  let rotation: string | null = null;
  let position: string | null = null;
  chain.joints.forEach((joint, index) => {
    const origin = poseFromXyzRpy(joint.originXyzM, joint.originRpyRad);
    const norm = Math.hypot(...joint.axis);
    const [x, y, z] = joint.axis.map((v) => v / norm) as [number, number, number];
    const outer = [x * x, x * y, x * z, y * x, y * y, y * z, z * x, z * y, z * z];
    const cross = [0, -z, y, z, 0, -x, -y, x, 0];
    const rest = [1, 0, 0, 0, 1, 0, 0, 0, 1].map((v, i) => v - outer[i]!);
    const q = g.op('Unsqueeze', [sliceAxis(g, state, 1, index, index + 1), g.constant([2], [1])]); // [B, 1, 1]
    const jointRotation = g.op('Add', [
      g.op('Add', [
        g.constant(outer, [3, 3], 'float32'),
        g.op('Mul', [g.op('Sin', [q]), g.constant(cross, [3, 3], 'float32')]),
      ]),
      g.op('Mul', [g.op('Cos', [q]), g.constant(rest, [3, 3], 'float32')]),
    ]);
    const originRotation = g.constant(flat(origin.rotation), [3, 3], 'float32');
    const originPosition = g.constant([...origin.positionM], [3, 1], 'float32');
    if (rotation === null || position === null) {
      position = originPosition;
      rotation = g.op('MatMul', [originRotation, jointRotation]);
    } else {
      position = g.op('Add', [position, g.op('MatMul', [rotation, originPosition])]);
      rotation = g.op('MatMul', [g.op('MatMul', [rotation, originRotation]), jointRotation]);
    }
  });
  const tcp = chain.tcpFromLastJoint;
  return {
    positionM: g.op('Add', [position!, g.op('MatMul', [rotation!, g.constant([...tcp.positionM], [3, 1], 'float32')])]),
    rotation: g.op('MatMul', [rotation!, g.constant(flat(tcp.rotation), [3, 3], 'float32')]),
  };
}

/**
 * Image points [B, Q, 2] → their viewing rays' directions [B, Q, 3] in the camera's frame of reference (not
 * unit length): ray(u, v) = forward + (u − cx)/f · right + (v − cy)/f · down = base + u·du + v·dv.
 */
function pixelRayNodes(g: OnnxGraphBuilder, pixels: string, camera: PinholeCamera): string {
  const { right, down, forward, focalPx, cxPx, cyPx } = camera;
  const base = [0, 1, 2].map((i) => forward[i]! - (cxPx / focalPx) * right[i]! - (cyPx / focalPx) * down[i]!);
  const directions = [...right.map((v) => v / focalPx), ...down.map((v) => v / focalPx)];
  return g.op('Add', [
    g.op('MatMul', [pixels, g.constant(directions, [2, 3], 'float32')]),
    g.constant(base, [3], 'float32'),
  ]);
}

/**
 * Image points → where their viewing rays meet the horizontal plane z = planeZM, through a pinhole camera
 * (the nominal scene camera; each scene's is jittered a little, an error common to points seen close
 * together, which differences of such points cancel). planeZM is a number or a tensor [B, 1, 1] (a height
 * per sample). pixels [B, Q, 2] (x, y in the camera's pixels) → [B, Q, 2] base-frame x, y in metres.
 */
export function tablePlaneNodes(
  g: OnnxGraphBuilder,
  pixels: string,
  camera: PinholeCamera,
  planeZM: number | string,
): string {
  const { eyeM } = camera;
  const ray = pixelRayNodes(g, pixels, camera);
  const slice = (from: number, to: number) => sliceAxis(g, ray, 2, from, to);
  const height =
    typeof planeZM === 'number'
      ? g.constant([planeZM - eyeM[2]], [1], 'float32')
      : g.op('Sub', [planeZM, g.constant([eyeM[2]], [1], 'float32')]);
  const along = g.op('Div', [height, slice(2, 3)]); // [B, Q, 1]
  return g.op('Add', [g.constant([eyeM[0], eyeM[1]], [2], 'float32'), g.op('Mul', [along, slice(0, 2)])]);
}

/** Rays steeper than this (the z of a unit-ish ray) are taken as this: near-horizontal rays meet no plane nearby. */
const MIN_DOWNWARD_RAY = 0.05;
/** Plane points from the TCP are clamped to this many metres on each axis (past it, the view is too oblique). */
const MAX_WRIST_REACH_M = 0.3;

/**
 * Wrist-camera image points → where their viewing rays meet the horizontal plane z = planeZM, as x, y from
 * the TCP (metres, base frame). The camera rides on the TCP: `camera` is the nominal wrist camera placed in
 * the TCP frame (cameraFromSpec with the identity pose), turned and moved by the TCP's pose by kinematics
 * (`tcp`: position [B, 3, 1], rotation [B, 3, 3]). pixels [B, Q, 2] → [B, Q, 2].
 */
export function wristPlaneNodes(
  g: OnnxGraphBuilder,
  pixels: string,
  tcp: { positionM: string; rotation: string },
  camera: PinholeCamera,
  planeZM: number,
): string {
  const rayInTcp = pixelRayNodes(g, pixels, camera);
  // Row vectors: ray_base = ray_tcp · Rᵀ.
  const ray = g.op('MatMul', [rayInTcp, g.op('Transpose', [tcp.rotation], { perm: ints([0, 2, 1]) })]);
  const eye = g.op('Reshape', [
    g.op('Add', [tcp.positionM, g.op('MatMul', [tcp.rotation, g.constant([...camera.eyeM], [3, 1], 'float32')])]),
    g.constant([0, 1, 3], [3]),
  ]); // [B, 1, 3]
  const tcpXy = g.op('Reshape', [sliceAxis(g, tcp.positionM, 1, 0, 2), g.constant([0, 1, 2], [3])]);
  const downward = g.op('Min', [sliceAxis(g, ray, 2, 2, 3), g.constant([-MIN_DOWNWARD_RAY], [1], 'float32')]);
  const along = g.op('Div', [
    g.op('Sub', [g.constant([planeZM], [1], 'float32'), sliceAxis(g, eye, 2, 2, 3)]),
    downward,
  ]);
  const point = g.op('Add', [sliceAxis(g, eye, 2, 0, 2), g.op('Mul', [along, sliceAxis(g, ray, 2, 0, 2)])]);
  const fromTcp = g.op('Sub', [point, tcpXy]);
  return g.op('Max', [
    g.op('Min', [fromTcp, g.constant([MAX_WRIST_REACH_M], [1], 'float32')]),
    g.constant([-MAX_WRIST_REACH_M], [1], 'float32'),
  ]);
}

/** x[…, from:to, …] along one axis. */
export function sliceAxis(g: OnnxGraphBuilder, x: string, axis: number, from: number, to: number): string {
  return g.op('Slice', [x, g.constant([from], [1]), g.constant([to], [1]), g.constant([axis], [1])]);
}

/** x [B, ...] → [B, n] (Reshape with 0 keeps the batch symbolic). */
export function flattenTo(g: OnnxGraphBuilder, x: string, n: number): string {
  return g.op('Reshape', [x, g.constant([0, n], [2])]);
}

export { int };
