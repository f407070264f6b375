import type { CameraSpec } from '../../../shared/sim/worldTypes';
import {
  addVec3,
  crossVec3,
  dotVec3,
  forwardKinematics,
  normVec3,
  rotateVec3,
  scaleVec3,
  subVec3,
  type KinematicChain,
  type Pose,
  type Vec3,
} from '../../../shared/robot/kinematics';

/**
 * A pinhole camera with square pixels. Camera frame: x right, y down (image rows), z forward along
 * the optical axis; depth is the z coordinate in that frame, in metres. Pixel coordinates put (0, 0)
 * at the top-left corner of the image, so the optical axis lands at (width / 2, height / 2).
 */
export interface PinholeCamera {
  name: string;
  /** Camera centre in the base frame. */
  eyeM: Vec3;
  /** Unit axes of the camera frame, expressed in the base frame. */
  right: Vec3;
  down: Vec3;
  forward: Vec3;
  widthPx: number;
  heightPx: number;
  /** Focal length in pixels: (height / 2) / tan(fovY / 2). */
  focalPx: number;
  cxPx: number;
  cyPx: number;
  /** Points with a depth below this are culled (or clipped away from polygons and segments). */
  nearM: number;
}

export interface ProjectedPoint {
  xPx: number;
  yPx: number;
  depthM: number;
}

export const DEFAULT_NEAR_M = 0.01;

export interface CameraViewOptions {
  widthPx: number;
  heightPx: number;
  /** Required for wrist cameras: the TCP pose their eye and target are given in. */
  tcpPose?: Pose;
  nearM?: number;
}

const WORLD_UP: Vec3 = [0, 0, 1];

function unit(v: Vec3): Vec3 {
  const length = normVec3(v);
  return length > 0 ? scaleVec3(v, 1 / length) : v;
}

/**
 * Eye, target and up hint of a camera in the base frame. Fixed cameras use the base frame's +z as up.
 * Wrist cameras give eye and target in the TCP frame; both are mapped through the TCP pose and the up
 * hint is the TCP frame's +z axis (the base +z would be degenerate for a camera looking straight down).
 */
export function cameraPlacement(spec: CameraSpec, tcpPose?: Pose): { eyeM: Vec3; targetM: Vec3; up: Vec3 } {
  if (spec.mount === 'fixed') return { eyeM: [...spec.eyeM], targetM: [...spec.targetM], up: WORLD_UP };
  if (!tcpPose) throw new Error(`camera "${spec.name}" rides on the wrist: its TCP pose is needed to place it`);
  const toBase = (p: Vec3): Vec3 => addVec3(tcpPose.positionM, rotateVec3(tcpPose.rotation, p));
  const r = tcpPose.rotation;
  return { eyeM: toBase(spec.eyeM), targetM: toBase(spec.targetM), up: [r[2], r[5], r[8]] };
}

/** Builds the pinhole camera for a spec at any resolution. */
export function cameraFromSpec(spec: CameraSpec, options: CameraViewOptions): PinholeCamera {
  const { widthPx, heightPx } = options;
  if (!(Number.isInteger(widthPx) && widthPx > 0 && Number.isInteger(heightPx) && heightPx > 0)) {
    throw new Error(`camera "${spec.name}": image size must be positive whole pixels, got ${widthPx}×${heightPx}`);
  }
  if (!(spec.fovYRad > 0 && spec.fovYRad < Math.PI)) {
    throw new Error(`camera "${spec.name}": vertical field of view must be between 0 and π rad, got ${spec.fovYRad}`);
  }
  const { eyeM, targetM, up } = cameraPlacement(spec, options.tcpPose);
  const look = subVec3(targetM, eyeM);
  if (normVec3(look) < 1e-9) throw new Error(`camera "${spec.name}": eye and target are the same point`);
  const forward = unit(look);
  let right = crossVec3(forward, up);
  if (normVec3(right) < 1e-6) {
    // Looking along the up hint: fall back to another axis so the image still has a stable orientation.
    const spare: Vec3 = Math.abs(forward[0]) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    right = crossVec3(forward, crossVec3(spare, forward));
  }
  right = unit(right);
  const down = crossVec3(forward, right);
  return {
    name: spec.name,
    eyeM,
    right,
    down,
    forward,
    widthPx,
    heightPx,
    focalPx: heightPx / 2 / Math.tan(spec.fovYRad / 2),
    cxPx: widthPx / 2,
    cyPx: heightPx / 2,
    nearM: options.nearM ?? DEFAULT_NEAR_M,
  };
}

/** A camera spec placed for the arm's current joint angles (wrist cameras follow the TCP). */
export function cameraForArm(
  spec: CameraSpec,
  chain: KinematicChain,
  armQRad: readonly number[],
  size: { widthPx: number; heightPx: number; nearM?: number },
): PinholeCamera {
  const tcpPose = spec.mount === 'wrist' ? forwardKinematics(chain, armQRad) : undefined;
  return cameraFromSpec(spec, { ...size, tcpPose });
}

/** Base frame → camera frame (x right, y down, z = depth forward). */
export function worldToCamera(camera: PinholeCamera, pointM: readonly number[]): Vec3 {
  const d = subVec3(pointM, camera.eyeM);
  return [dotVec3(d, camera.right), dotVec3(d, camera.down), dotVec3(d, camera.forward)];
}

/** Camera frame → pixels; the point must be in front of the camera. */
export function cameraToPixel(camera: PinholeCamera, p: readonly number[]): ProjectedPoint {
  const z = p[2]!;
  return {
    xPx: camera.cxPx + (camera.focalPx * p[0]!) / z,
    yPx: camera.cyPx + (camera.focalPx * p[1]!) / z,
    depthM: z,
  };
}

/** Base frame → pixels, or null when the point is closer than the near plane (or behind the camera). */
export function projectPoint(camera: PinholeCamera, pointM: readonly number[]): ProjectedPoint | null {
  const p = worldToCamera(camera, pointM);
  return p[2] < camera.nearM ? null : cameraToPixel(camera, p);
}

/** Depth of a base-frame point along the optical axis (negative behind the camera). */
export function depthOf(camera: PinholeCamera, pointM: readonly number[]): number {
  return dotVec3(subVec3(pointM, camera.eyeM), camera.forward);
}

/** Pixels per metre for something at this depth, facing the camera. */
export function pixelsPerMetre(camera: PinholeCamera, depthM: number): number {
  return camera.focalPx / depthM;
}

/**
 * Clips a polygon given in camera coordinates to the near plane (Sutherland–Hodgman against z ≥ near)
 * and projects it; null when nothing of it is in front of the camera.
 */
export function projectPolygonCamera(camera: PinholeCamera, pointsCam: readonly Vec3[]): ProjectedPoint[] | null {
  const near = camera.nearM;
  const kept: Vec3[] = [];
  for (let i = 0; i < pointsCam.length; i += 1) {
    const a = pointsCam[i]!;
    const b = pointsCam[(i + 1) % pointsCam.length]!;
    const aIn = a[2] >= near;
    const bIn = b[2] >= near;
    if (aIn) kept.push(a);
    if (aIn !== bIn) {
      const t = (near - a[2]) / (b[2] - a[2]);
      kept.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), near]);
    }
  }
  return kept.length >= 3 ? kept.map((p) => cameraToPixel(camera, p)) : null;
}

/** Clips and projects a base-frame polygon; null when it lies wholly behind the near plane. */
export function projectPolygon(
  camera: PinholeCamera,
  pointsM: readonly (readonly number[])[],
): ProjectedPoint[] | null {
  return projectPolygonCamera(
    camera,
    pointsM.map((p) => worldToCamera(camera, p)),
  );
}

/** Clips a base-frame segment to the near plane and projects its ends; null when it is wholly behind. */
export function projectSegment(
  camera: PinholeCamera,
  aM: readonly number[],
  bM: readonly number[],
): [ProjectedPoint, ProjectedPoint] | null {
  let a = worldToCamera(camera, aM);
  let b = worldToCamera(camera, bM);
  const near = camera.nearM;
  if (a[2] < near && b[2] < near) return null;
  if (a[2] < near || b[2] < near) {
    const t = (near - a[2]) / (b[2] - a[2]);
    const cut: Vec3 = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), near];
    if (a[2] < near) a = cut;
    else b = cut;
  }
  return [cameraToPixel(camera, a), cameraToPixel(camera, b)];
}

/** A base-frame direction (not a point) in camera coordinates. */
export function directionToCamera(camera: PinholeCamera, direction: readonly number[]): Vec3 {
  return [dotVec3(direction, camera.right), dotVec3(direction, camera.down), dotVec3(direction, camera.forward)];
}
