import type { Vec3 } from '../robot/kinematics';

/**
 * The tabletop world's state as plain data: what the world model produces
 * each step and what the synthetic cameras draw. Base frame of the arm:
 * x forward, y left, z up, metres; the table top is the plane z = 0.
 */

export const OBJECT_KINDS = ['grape', 'plate', 'eggplant', 'orange', 'soda_bottle', 'cube', 'bowl'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export type ObjectShape =
  | { type: 'sphere'; radiusM: number }
  | { type: 'cylinder'; radiusM: number; heightM: number }
  | { type: 'box'; sizeM: Vec3 }
  /** An ellipsoid lying on the table (eggplant), long axis along the object's yaw. */
  | { type: 'ellipsoid'; radiiM: Vec3 }
  /** Plates and bowls: something you can put things into. */
  | { type: 'dish'; radiusM: number; heightM: number };

export interface WorldObject {
  id: string;
  kind: ObjectKind;
  /** CSS colour, e.g. "#6a2c91". */
  color: string;
  shape: ObjectShape;
  /** Centre of the object's footprint on its support (bottom centre), and its rotation about z. */
  positionM: Vec3;
  yawRad: number;
  /** Plates and bowls hold other objects. */
  isContainer: boolean;
  /** Held in the gripper. */
  grasped: boolean;
  /** The container it rests in, if any. */
  insideId: string | null;
}

export interface Lighting {
  /** 0..1 */
  ambient: number;
  /** Direction the light comes from (unit vector, base frame). */
  directionFrom: Vec3;
  /** Multiplies every colour's brightness, around 1. */
  brightness: number;
}

export interface CameraSpec {
  name: string;
  /** 'fixed': a third-person view; 'wrist': rides on the gripper (its pose follows the arm). */
  mount: 'fixed' | 'wrist';
  /** For fixed cameras: where the camera is and what it looks at (base frame). For wrist cameras: in the TCP frame. */
  eyeM: Vec3;
  targetM: Vec3;
  /** Vertical field of view. */
  fovYRad: number;
}

export interface WorldSnapshot {
  seed: number;
  timeS: number;
  /** The task the scene was set up for, if any. */
  instruction: string | null;
  table: { sizeM: [number, number]; centerM: [number, number]; color: string };
  background: string;
  /** The six arm joints. */
  armQRad: number[];
  /** Distance between the fingers, 0 … 60 mm. */
  gripperOpeningMm: number;
  objects: WorldObject[];
  lighting: Lighting;
  cameras: CameraSpec[];
}
