import { z } from 'zod';
import {
  A1_JOINT_LIMITS,
  ARM_JOINT_COUNT,
  DEFAULT_VELOCITY_CAP_RAD_S,
  MOTOR_NAMES,
  type JointLimit,
  type MotorName,
} from './a1Spec';

/**
 * The operator's own safety limits (Settings → Safety limits): per arm joint a position range and one velocity cap
 * for the arm joints, each only ever TIGHTER than the A1's. The safety governor enforces the narrower of these and
 * the hardware's; absent entries leave the hardware's in force.
 */

export type ArmJointName = Exclude<MotorName, 'gripper'>;
export const ARM_JOINT_NAMES = MOTOR_NAMES.slice(0, ARM_JOINT_COUNT) as readonly ArmJointName[];

/**
 * Slack below the 4 decimals the console shows: a limit typed as the A1's rounded value (1.6581 for 1.658063…)
 * counts as the A1's own. The governor still enforces the narrower of the two, so nothing gets looser.
 */
export const LIMIT_TOLERANCE_RAD = 5e-5;
/** Below this the arm barely moves and every attempt would time out. */
export const MIN_VELOCITY_CAP_RAD_S = 0.05;

export const jointRangeSchema = z
  .object({
    lowerRad: z.number({ error: 'the lower limit must be a number of radians' }),
    upperRad: z.number({ error: 'the upper limit must be a number of radians' }),
  })
  .strict();
export type JointRange = z.infer<typeof jointRangeSchema>;

export interface SafetyLimitsInput {
  jointLimits?: Partial<Record<ArmJointName, JointRange>>;
  velocityCapRadS?: number | null;
}

export interface SafetyProblem {
  path: string[];
  message: string;
}

/** A number as the console shows it: at most 4 decimals, no trailing zeros. */
export function radText(value: number): string {
  return String(Number(value.toFixed(4)));
}

/** The A1's range of an arm joint, as the governor enforces it (the narrower of the URDF and the hardware guide). */
export function hardwareRange(joint: ArmJointName): JointLimit {
  return A1_JOINT_LIMITS[ARM_JOINT_NAMES.indexOf(joint)]!;
}

/** What is wrong with the operator's limits, in the operator's words; empty when they are all tighter than the A1's. */
export function safetyProblems(value: SafetyLimitsInput): SafetyProblem[] {
  const problems: SafetyProblem[] = [];
  for (const joint of ARM_JOINT_NAMES) {
    const range = value.jointLimits?.[joint];
    if (!range) continue;
    const hardware = hardwareRange(joint);
    const hardwareText = `${radText(hardware.lowerRad)} … ${radText(hardware.upperRad)} rad`;
    const path = ['jointLimits', joint];
    if (range.lowerRad < hardware.lowerRad - LIMIT_TOLERANCE_RAD) {
      problems.push({
        path: [...path, 'lowerRad'],
        message: `${joint} lower limit ${radText(range.lowerRad)} rad is looser than the hardware's ${radText(hardware.lowerRad)} rad: limits may only be tighter than the A1's range (${hardwareText})`,
      });
    }
    if (range.upperRad > hardware.upperRad + LIMIT_TOLERANCE_RAD) {
      problems.push({
        path: [...path, 'upperRad'],
        message: `${joint} upper limit ${radText(range.upperRad)} rad is looser than the hardware's ${radText(hardware.upperRad)} rad: limits may only be tighter than the A1's range (${hardwareText})`,
      });
    }
    if (range.lowerRad >= range.upperRad) {
      problems.push({
        path: [...path, 'upperRad'],
        message: `${joint} upper limit ${radText(range.upperRad)} rad must be above its lower limit ${radText(range.lowerRad)} rad`,
      });
    }
  }
  const cap = value.velocityCapRadS;
  if (cap !== null && cap !== undefined) {
    if (cap > DEFAULT_VELOCITY_CAP_RAD_S) {
      problems.push({
        path: ['velocityCapRadS'],
        message: `velocity cap ${radText(cap)} rad/s is looser than the A1's ${DEFAULT_VELOCITY_CAP_RAD_S} rad/s: it may only be lower`,
      });
    } else if (cap < MIN_VELOCITY_CAP_RAD_S) {
      problems.push({
        path: ['velocityCapRadS'],
        message: `velocity cap ${radText(cap)} rad/s is too low: use at least ${MIN_VELOCITY_CAP_RAD_S} rad/s (at most the A1's ${DEFAULT_VELOCITY_CAP_RAD_S} rad/s)`,
      });
    }
  }
  return problems;
}

function addSafetyIssues(value: SafetyLimitsInput, context: z.RefinementCtx): void {
  for (const problem of safetyProblems(value)) context.addIssue({ code: 'custom', ...problem });
}

const jointLimitsSchema = z.partialRecord(z.enum(ARM_JOINT_NAMES), jointRangeSchema);
const velocityCapSchema = z.number({ error: 'the velocity cap must be a number of rad/s' }).nullable();

/** The settings file's `safety` section: nothing set means the A1's own limits. */
export const safetySettingsSchema = z
  .object({
    /** Per arm joint, a range inside the A1's; a joint left out keeps the hardware's range. */
    jointLimits: jointLimitsSchema.default({}),
    /** Cap on every arm joint's speed, at most the A1's 2 rad/s; null: the A1's. */
    velocityCapRadS: velocityCapSchema.default(null),
  })
  .superRefine(addSafetyIssues)
  .prefault({});
export type SafetySettings = z.infer<typeof safetySettingsSchema>;

/** A settings.update patch of the section: each field given replaces the saved one (jointLimits as a whole). */
export const safetySettingsPatchSchema = z
  .object({ jointLimits: jointLimitsSchema, velocityCapRadS: velocityCapSchema })
  .partial()
  .superRefine(addSafetyIssues);

/**
 * The limits the governor enforces: the narrower of `base` (the A1's, or a test's tighter ones) and the operator's.
 * Never looser than `base`, whatever `safety` says.
 */
export function tightenedLimits(
  base: { limits: readonly JointLimit[]; velocityCapRadS: number },
  safety: SafetyLimitsInput | null | undefined,
): { limits: JointLimit[]; velocityCapRadS: number } {
  const limits = base.limits.map((limit, index) => {
    const joint = ARM_JOINT_NAMES[index];
    const range = joint ? safety?.jointLimits?.[joint] : undefined;
    if (!range) return { ...limit };
    return {
      ...limit,
      lowerRad: Math.max(limit.lowerRad, range.lowerRad),
      upperRad: Math.min(limit.upperRad, range.upperRad),
    };
  });
  const cap = safety?.velocityCapRadS;
  return {
    limits,
    velocityCapRadS: cap === null || cap === undefined ? base.velocityCapRadS : Math.min(base.velocityCapRadS, cap),
  };
}
