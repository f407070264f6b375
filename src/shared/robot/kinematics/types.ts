export type Vec3 = [number, number, number];

/** A 3×3 rotation matrix, row-major: [r00, r01, r02, r10, …, r22]. */
export type Mat3 = readonly [number, number, number, number, number, number, number, number, number];

export interface Pose {
  positionM: Vec3;
  rotation: Mat3;
}

export interface RevoluteJoint {
  name: string;
  parentLink: string;
  childLink: string;
  originXyzM: Vec3;
  /** URDF roll, pitch, yaw of the joint frame in the parent link frame. */
  originRpyRad: Vec3;
  /** Rotation axis in the joint frame; need not be unit length. */
  axis: Vec3;
  lowerRad: number;
  upperRad: number;
  velocityRadS: number;
  effortNm: number;
}

/** Treated as immutable once built: forward kinematics caches per chain object. */
export interface KinematicChain {
  baseLink: string;
  /** The arm joints from the base outwards. */
  joints: RevoluteJoint[];
  /** The fixed transforms after the last joint, composed: the tool centre point in the last joint's frame. */
  tcpFromLastJoint: Pose;
}

/** A Cartesian nudge of the tool centre point, expressed in the base frame. */
export interface EeDelta {
  dxM: number;
  dyM: number;
  dzM: number;
  dRollRad: number;
  dPitchRad: number;
  dYawRad: number;
}

export interface JointRange {
  lowerRad: number;
  upperRad: number;
}
