import { describe, expect, it } from 'vitest';
import { A1_JOINT_LIMITS, A1_MOTOR_LIMITS, DEFAULT_VELOCITY_CAP_RAD_S } from '../../../../src/shared/robot/a1Spec';
import {
  safetyProblems,
  safetySettingsPatchSchema,
  safetySettingsSchema,
  tightenedLimits,
} from '../../../../src/shared/robot/safetyLimits';
import { settingsPatchSchema, settingsSchema } from '../../../../src/shared/settings';

function issues(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) {
  return (result.error?.issues ?? []).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

describe('safety settings: only tighter than the A1', () => {
  it('defaults to the hardware limits, so an older settings file without the section still loads', () => {
    const old = {
      schemaVersion: 1,
      ui: { theme: 'dark' },
      recording: { enabled: false, fps: 15, cameras: null, dir: null },
    };
    const settings = settingsSchema.parse(old);
    expect(settings.safety).toEqual({ jointLimits: {}, velocityCapRadS: null });
    expect(settings.runner).toEqual({ controlRateHz: null });
    expect(settings.recording.fps).toBe(15);
  });

  it('accepts limits inside the hardware range and a lower velocity cap', () => {
    const value = {
      jointLimits: { arm_joint2: { lowerRad: 0.2, upperRad: 1.6 }, arm_joint5: { lowerRad: -1, upperRad: 1 } },
      velocityCapRadS: 1.2,
    };
    expect(safetySettingsSchema.parse(value)).toEqual(value);
    expect(settingsPatchSchema.safeParse({ safety: value }).success).toBe(true);
  });

  it('accepts the hardware value typed as the console shows it (4 decimals)', () => {
    // arm_joint5's hardware range is ±95° = ±1.658063… rad, shown as ±1.6581.
    expect(safetyProblems({ jointLimits: { arm_joint5: { lowerRad: -1.6581, upperRad: 1.6581 } } })).toEqual([]);
    expect(
      tightenedLimits(
        { limits: A1_MOTOR_LIMITS, velocityCapRadS: DEFAULT_VELOCITY_CAP_RAD_S },
        { jointLimits: { arm_joint5: { lowerRad: -1.6581, upperRad: 1.6581 } } },
      ).limits[4],
    ).toMatchObject({ lowerRad: A1_JOINT_LIMITS[4]!.lowerRad, upperRad: A1_JOINT_LIMITS[4]!.upperRad });
  });

  it('refuses a looser joint limit, naming the joint and the hardware limit', () => {
    const result = settingsPatchSchema.safeParse({
      safety: {
        jointLimits: { arm_joint2: { lowerRad: -0.2, upperRad: 1.5 }, arm_joint5: { lowerRad: 0, upperRad: 1.8 } },
      },
    });
    expect(result.success).toBe(false);
    expect(issues(result)).toEqual([
      {
        path: 'safety.jointLimits.arm_joint2.lowerRad',
        message:
          "arm_joint2 lower limit -0.2 rad is looser than the hardware's 0 rad: limits may only be tighter than the A1's range (0 … 3.1415 rad)",
      },
      {
        path: 'safety.jointLimits.arm_joint5.upperRad',
        message:
          "arm_joint5 upper limit 1.8 rad is looser than the hardware's 1.6581 rad: limits may only be tighter than the A1's range (-1.6581 … 1.6581 rad)",
      },
    ]);
  });

  it('refuses an empty range and a velocity cap above the A1 or too low', () => {
    expect(
      issues(safetySettingsPatchSchema.safeParse({ jointLimits: { arm_joint1: { lowerRad: 1, upperRad: 0.5 } } })),
    ).toEqual([
      {
        path: 'jointLimits.arm_joint1.upperRad',
        message: 'arm_joint1 upper limit 0.5 rad must be above its lower limit 1 rad',
      },
    ]);
    expect(issues(safetySettingsPatchSchema.safeParse({ velocityCapRadS: 3 }))).toEqual([
      {
        path: 'velocityCapRadS',
        message: "velocity cap 3 rad/s is looser than the A1's 2 rad/s: it may only be lower",
      },
    ]);
    expect(issues(safetySettingsPatchSchema.safeParse({ velocityCapRadS: 0 }))[0]!.message).toMatch(/too low/);
    expect(safetySettingsPatchSchema.safeParse({ velocityCapRadS: null }).success).toBe(true);
  });

  it('refuses joints the A1 does not have and non-numbers', () => {
    expect(safetySettingsSchema.safeParse({ jointLimits: { arm_joint7: { lowerRad: 0, upperRad: 1 } } }).success).toBe(
      false,
    );
    expect(
      safetySettingsSchema.safeParse({ jointLimits: { arm_joint1: { lowerRad: Number.NaN, upperRad: 1 } } }).success,
    ).toBe(false);
  });

  it('never loosens the base limits, whatever it is given', () => {
    const base = { limits: A1_MOTOR_LIMITS, velocityCapRadS: 1.5 };
    const tightened = tightenedLimits(base, {
      jointLimits: { arm_joint3: { lowerRad: -5, upperRad: -1 } },
      velocityCapRadS: 1.9,
    });
    expect(tightened.velocityCapRadS).toBe(1.5);
    expect(tightened.limits[2]).toMatchObject({ lowerRad: A1_JOINT_LIMITS[2]!.lowerRad, upperRad: -1 });
    expect(tightened.limits[6]).toEqual(A1_MOTOR_LIMITS[6]);
    expect(tightenedLimits(base, null)).toEqual({ limits: A1_MOTOR_LIMITS, velocityCapRadS: 1.5 });
  });
});
