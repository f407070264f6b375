export * from './types';
export * from './rotation';
export * from './forwardKinematics';
export * from './inverseKinematics';

const DEG = Math.PI / 180;

/**
 * Ready pose: upper arm near vertical, forearm 15° below horizontal, wrist pitched so the
 * gripper points straight down, TCP about 0.37 m in front of the base and 0.17 m above it.
 */
export const A1_HOME_Q_RAD: readonly number[] = [0, 85 * DEG, -100 * DEG, 0, 75 * DEG, 0];
