import type { Mat3, Vec3 } from './types';

export const IDENTITY_MAT3: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export const addVec3 = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[0]! + b[0]!,
  a[1]! + b[1]!,
  a[2]! + b[2]!,
];
export const subVec3 = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[0]! - b[0]!,
  a[1]! - b[1]!,
  a[2]! - b[2]!,
];
export const scaleVec3 = (a: readonly number[], s: number): Vec3 => [a[0]! * s, a[1]! * s, a[2]! * s];
export const dotVec3 = (a: readonly number[], b: readonly number[]): number =>
  a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
export const crossVec3 = (a: readonly number[], b: readonly number[]): Vec3 => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];
export const normVec3 = (a: readonly number[]): number => Math.hypot(a[0]!, a[1]!, a[2]!);

export function multiplyMat3(a: Mat3, b: Mat3): Mat3 {
  const [a0, a1, a2, a3, a4, a5, a6, a7, a8] = a;
  const [b0, b1, b2, b3, b4, b5, b6, b7, b8] = b;
  return [
    a0 * b0 + a1 * b3 + a2 * b6,
    a0 * b1 + a1 * b4 + a2 * b7,
    a0 * b2 + a1 * b5 + a2 * b8,
    a3 * b0 + a4 * b3 + a5 * b6,
    a3 * b1 + a4 * b4 + a5 * b7,
    a3 * b2 + a4 * b5 + a5 * b8,
    a6 * b0 + a7 * b3 + a8 * b6,
    a6 * b1 + a7 * b4 + a8 * b7,
    a6 * b2 + a7 * b5 + a8 * b8,
  ];
}

export function transposeMat3(m: Mat3): Mat3 {
  return [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]];
}

/** m · v */
export function rotateVec3(m: Mat3, v: readonly number[]): Vec3 {
  const [x, y, z] = [v[0]!, v[1]!, v[2]!];
  return [m[0] * x + m[1] * y + m[2] * z, m[3] * x + m[4] * y + m[5] * z, m[6] * x + m[7] * y + m[8] * z];
}

/** URDF convention: R = Rz(yaw) · Ry(pitch) · Rx(roll), i.e. roll, then pitch, then yaw about the fixed axes. */
export function rpyToMatrix(rollRad: number, pitchRad: number, yawRad: number): Mat3 {
  const [cr, sr] = [Math.cos(rollRad), Math.sin(rollRad)];
  const [cp, sp] = [Math.cos(pitchRad), Math.sin(pitchRad)];
  const [cy, sy] = [Math.cos(yawRad), Math.sin(yawRad)];
  return [
    cy * cp,
    cy * sp * sr - sy * cr,
    cy * sp * cr + sy * sr,
    sy * cp,
    sy * sp * sr + cy * cr,
    sy * sp * cr - cy * sr,
    -sp,
    cp * sr,
    cp * cr,
  ];
}

/** Inverse of rpyToMatrix: [roll, pitch, yaw] with pitch in [−π/2, π/2]; at gimbal lock roll is reported as 0. */
export function matrixToRpy(m: Mat3): Vec3 {
  const cosPitch = Math.hypot(m[0], m[3]);
  const pitch = Math.atan2(-m[6], cosPitch);
  if (cosPitch < 1e-9) return [0, pitch, Math.atan2(-m[1], m[4])];
  return [Math.atan2(m[7], m[8]), pitch, Math.atan2(m[3], m[0])];
}

/** Rotation by angleRad about axis (Rodrigues); the axis is normalised here. */
export function axisAngleToMatrix(axis: readonly number[], angleRad: number): Mat3 {
  const length = normVec3(axis);
  if (length === 0) return IDENTITY_MAT3;
  const [x, y, z] = [axis[0]! / length, axis[1]! / length, axis[2]! / length];
  const c = Math.cos(angleRad);
  const s = Math.sin(angleRad);
  const t = 1 - c;
  return [
    t * x * x + c,
    t * x * y - s * z,
    t * x * z + s * y,
    t * x * y + s * z,
    t * y * y + c,
    t * y * z - s * x,
    t * x * z - s * y,
    t * y * z + s * x,
    t * z * z + c,
  ];
}

/** The log map: a rotation vector (unit axis × angle in [0, π]) with axisAngleToMatrix(v, |v|) = m. */
export function matrixToRotationVector(m: Mat3): Vec3 {
  // vee(m − mᵀ) = 2·sin(angle)·axis; atan2 keeps the angle accurate near 0 and π, where acos is not.
  const vee: Vec3 = [m[7] - m[5], m[2] - m[6], m[3] - m[1]];
  const cosAngle = Math.min(1, Math.max(-1, (m[0] + m[4] + m[8] - 1) / 2));
  const angle = Math.atan2(normVec3(vee) / 2, cosAngle);
  if (angle < 1e-7) return scaleVec3(vee, 0.5);
  if (cosAngle > -0.99) return scaleVec3(vee, angle / (2 * Math.sin(angle)));
  // Near π sin(angle) vanishes; read the axis from the symmetric part:
  // (m + mᵀ)/2 = cos·I + (1 − cos)·axis·axisᵀ.
  const k = 1 - cosAngle;
  const outer = [
    [(m[0] - cosAngle) / k, (m[1] + m[3]) / (2 * k), (m[2] + m[6]) / (2 * k)],
    [(m[1] + m[3]) / (2 * k), (m[4] - cosAngle) / k, (m[5] + m[7]) / (2 * k)],
    [(m[2] + m[6]) / (2 * k), (m[5] + m[7]) / (2 * k), (m[8] - cosAngle) / k],
  ] as const;
  const column = m[0] >= m[4] && m[0] >= m[8] ? 0 : m[4] >= m[8] ? 1 : 2;
  const axis = outer[column];
  const length = normVec3(axis);
  const sign = dotVec3(axis, vee) < 0 ? -1 : 1;
  return scaleVec3(axis, (sign * angle) / length);
}

/** Rotation vector, in the base frame, that turns `current` into `target`: log(target · currentᵀ). */
export function rotationErrorVector(target: Mat3, current: Mat3): Vec3 {
  return matrixToRotationVector(multiplyMat3(target, transposeMat3(current)));
}

/** The angle of the rotation between two orientations, in [0, π]. */
export function rotationAngleBetweenRad(a: Mat3, b: Mat3): number {
  return normVec3(rotationErrorVector(a, b));
}
