import { forwardKinematics, linkPoses, type KinematicChain } from '../../../shared/robot/kinematics';

/** The volume the tool and the wrist may occupy, in the arm's base frame (z = 0 is the table the base stands on). */
export interface WorkspaceBounds {
  /** Lowest the tool centre point may go: a little above the table. */
  minTcpZM: number;
  /** Lowest any joint frame (elbow, wrist) may go. */
  minJointZM: number;
  maxZM: number;
  /** Largest horizontal distance of the tool from the base axis. */
  maxRadiusM: number;
}

export const DEFAULT_WORKSPACE: WorkspaceBounds = { minTcpZM: 0.01, minJointZM: 0.03, maxZM: 0.9, maxRadiusM: 0.75 };

const mm = (metres: number) => `${Math.round(metres * 1000)} mm`;

/** Builds the governor's workspace check from the arm's kinematic chain. */
export function workspaceCheck(chain: KinematicChain, bounds: WorkspaceBounds = DEFAULT_WORKSPACE) {
  return (armQRad: readonly number[]): string | null => {
    const [x, y, z] = forwardKinematics(chain, armQRad).positionM;
    if (z < bounds.minTcpZM) return `the tool would be ${mm(z)} above the table (minimum ${mm(bounds.minTcpZM)})`;
    if (z > bounds.maxZM) return `the tool would be ${mm(z)} high (maximum ${mm(bounds.maxZM)})`;
    const radius = Math.hypot(x, y);
    if (radius > bounds.maxRadiusM) {
      return `the tool would be ${mm(radius)} from the base axis (maximum ${mm(bounds.maxRadiusM)})`;
    }
    for (const { jointName, pose } of linkPoses(chain, armQRad)) {
      if (pose.positionM[2] < bounds.minJointZM) {
        return `${jointName} would be ${mm(pose.positionM[2])} above the table (minimum ${mm(bounds.minJointZM)})`;
      }
    }
    return null;
  };
}
