import {
  A1_MOTOR_LIMITS,
  DEFAULT_VELOCITY_CAP_RAD_S,
  VENDOR_GRIPPER_GAINS,
  type JointLimit,
} from '../../../shared/robot/a1Spec';

export interface GovernorConfig {
  /** Seven motors: the governor never commands outside these. */
  limits: readonly JointLimit[];
  /** Cap on every arm joint's speed (further capped by each joint's own limit). */
  velocityCapRadS: number;
  gripperVelocityCapRadS: number;
  /** A request whose target is further than this from the current setpoint is refused as absurd. */
  maxStepRad: number;
  /** Motion toward a target stops (holds) when no command arrives for this long. */
  watchdogMs: number;
  kp: readonly number[];
  kd: readonly number[];
  /** Returns why the arm joints' configuration leaves the workspace, or null when it is inside. */
  checkWorkspace?: (armQRad: readonly number[]) => string | null;
}

export const DEFAULT_GOVERNOR_CONFIG: GovernorConfig = {
  limits: A1_MOTOR_LIMITS,
  velocityCapRadS: DEFAULT_VELOCITY_CAP_RAD_S,
  gripperVelocityCapRadS: 1,
  maxStepRad: 0.5,
  watchdogMs: 200,
  kp: [40, 40, 30, 15, 15, 10, VENDOR_GRIPPER_GAINS.kp],
  kd: [2, 2, 1.5, 0.5, 0.5, 0.3, VENDOR_GRIPPER_GAINS.kd],
};

/** Checks a config, returning what is wrong in the operator's words. Limits may only get tighter than the A1's. */
export function validateGovernorConfig(config: GovernorConfig): string[] {
  const problems: string[] = [];
  if (!(config.velocityCapRadS > 0 && config.velocityCapRadS <= DEFAULT_VELOCITY_CAP_RAD_S)) {
    problems.push(`velocity cap must be above 0 and at most ${DEFAULT_VELOCITY_CAP_RAD_S} rad/s`);
  }
  if (!(config.watchdogMs > 0 && config.watchdogMs <= 1000)) problems.push('watchdog must be 1–1000 ms');
  if (!(config.maxStepRad > 0 && config.maxStepRad <= 1)) problems.push('step limit must be above 0 and at most 1 rad');
  config.limits.forEach((limit, i) => {
    const hardware = A1_MOTOR_LIMITS[i];
    if (!hardware) return;
    if (limit.lowerRad < hardware.lowerRad || limit.upperRad > hardware.upperRad || limit.lowerRad >= limit.upperRad) {
      problems.push(`motor ${i + 1} limits must lie inside ${hardware.lowerRad}…${hardware.upperRad} rad`);
    }
  });
  return problems;
}
