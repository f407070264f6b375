import {
  addVec3,
  axisAngleToMatrix,
  crossVec3,
  multiplyMat3,
  normVec3,
  rotateVec3,
  rpyToMatrix,
  scaleVec3,
  subVec3,
} from './rotation';
import type { KinematicChain, Pose, Vec3 } from './types';

export interface JointFramePose {
  jointName: string;
  linkName: string;
  /** The joint (= child link) frame in the base frame, joint rotation applied. */
  pose: Pose;
}

/** Everything one pass down the chain yields: joint frames, their axes in the base frame, and the TCP. */
export interface ChainState {
  jointPoses: Pose[];
  jointAxesBase: Vec3[];
  tcp: Pose;
}

interface PreparedJoint {
  origin: Pose;
  unitAxis: Vec3;
}

const preparedChains = new WeakMap<KinematicChain, PreparedJoint[]>();

function prepare(chain: KinematicChain): PreparedJoint[] {
  let prepared = preparedChains.get(chain);
  if (!prepared) {
    prepared = chain.joints.map((joint) => ({
      origin: poseFromXyzRpy(joint.originXyzM, joint.originRpyRad),
      unitAxis: scaleVec3(joint.axis, 1 / normVec3(joint.axis)),
    }));
    preparedChains.set(chain, prepared);
  }
  return prepared;
}

export function poseFromXyzRpy(xyzM: readonly number[], rpyRad: readonly number[]): Pose {
  return {
    positionM: [xyzM[0]!, xyzM[1]!, xyzM[2]!],
    rotation: rpyToMatrix(rpyRad[0]!, rpyRad[1]!, rpyRad[2]!),
  };
}

/** a · b: the pose b, given in frame a, expressed in a's parent frame. */
export function composePoses(a: Pose, b: Pose): Pose {
  return {
    positionM: addVec3(a.positionM, rotateVec3(a.rotation, b.positionM)),
    rotation: multiplyMat3(a.rotation, b.rotation),
  };
}

export function chainState(chain: KinematicChain, qRad: readonly number[]): ChainState {
  const prepared = prepare(chain);
  if (qRad.length !== prepared.length) {
    throw new Error(`expected ${prepared.length} joint angles, got ${qRad.length}`);
  }
  const jointPoses: Pose[] = [];
  const jointAxesBase: Vec3[] = [];
  let frame: Pose = { positionM: [0, 0, 0], rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1] };
  prepared.forEach((joint, index) => {
    const atOrigin = composePoses(frame, joint.origin);
    frame = {
      positionM: atOrigin.positionM,
      rotation: multiplyMat3(atOrigin.rotation, axisAngleToMatrix(joint.unitAxis, qRad[index]!)),
    };
    jointPoses.push(frame);
    // The joint rotation leaves its own axis fixed, so the axis maps the same through either rotation.
    jointAxesBase.push(rotateVec3(atOrigin.rotation, joint.unitAxis));
  });
  return { jointPoses, jointAxesBase, tcp: composePoses(frame, chain.tcpFromLastJoint) };
}

/** The tool centre point in the base frame. */
export function forwardKinematics(chain: KinematicChain, qRad: readonly number[]): Pose {
  return chainState(chain, qRad).tcp;
}

/** The pose of every joint frame in the base frame, base outwards (for drawing). */
export function linkPoses(chain: KinematicChain, qRad: readonly number[]): JointFramePose[] {
  return chainState(chain, qRad).jointPoses.map((pose, index) => {
    const joint = chain.joints[index]!;
    return { jointName: joint.name, linkName: joint.childLink, pose };
  });
}

/** Columns of the geometric Jacobian of the TCP (in the base frame) for a computed chain state. */
export function jacobianColumns(state: ChainState): { linearM: Vec3; angular: Vec3 }[] {
  return state.jointAxesBase.map((axis, index) => ({
    linearM: crossVec3(axis, subVec3(state.tcp.positionM, state.jointPoses[index]!.positionM)),
    angular: axis,
  }));
}

/**
 * The geometric Jacobian of the TCP in the base frame: 6 rows (vx, vy, vz in m/rad, then ωx, ωy, ωz),
 * one column per joint.
 */
export function geometricJacobian(chain: KinematicChain, qRad: readonly number[]): number[][] {
  const columns = jacobianColumns(chainState(chain, qRad));
  return [0, 1, 2, 3, 4, 5].map((row) =>
    columns.map((column) => (row < 3 ? column.linearM[row]! : column.angular[row - 3]!)),
  );
}
