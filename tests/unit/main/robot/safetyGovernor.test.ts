import { describe, expect, it } from 'vitest';
import { SafetyGovernor } from '../../../../src/main/robot/safety/safetyGovernor';
import { DEFAULT_GOVERNOR_CONFIG, validateGovernorConfig } from '../../../../src/main/robot/safety/governorConfig';
import type { MotorFault, MotorFeedback } from '../../../../src/shared/robot/wire';
import { describeMotorFault } from '../../../../src/shared/robot/wire';

const START = [0, 0.5, -1, 0, 0.2, 0, 1];

function feedback(positions: readonly number[], faultMask = 2): MotorFeedback[] {
  return positions.map((posRad, i) => ({ motorId: i + 1, posRad, velRadS: 0, tauNm: 0, faultMask }));
}

function started(config = DEFAULT_GOVERNOR_CONFIG): SafetyGovernor {
  const governor = new SafetyGovernor(config);
  governor.observe(feedback(START), [], true);
  governor.tick(0);
  return governor;
}

function only(motorIndex: number, value: number): (number | null)[] {
  const target: (number | null)[] = START.map(() => null);
  target[motorIndex] = value;
  return target;
}

describe('SafetyGovernor', () => {
  it('commands nothing and refuses motion before the first feedback', () => {
    const governor = new SafetyGovernor();
    expect(governor.tick(0)).toBeNull();
    expect(governor.requestMotion(START, 0)).toEqual({ ok: false, reason: 'no feedback from the arm yet' });
    expect(governor.status().mode).toBe('no_feedback');
  });

  it('holds exactly where the arm is on the first feedback', () => {
    const governor = started();
    const commands = governor.tick(5)!;
    expect(commands.map((c) => c.posRad)).toEqual(START);
    expect(commands.every((c) => c.velRadS === 0)).toBe(true);
    expect(governor.status().mode).toBe('holding');
  });

  it('moves toward a target no faster than the velocity cap and stops there', () => {
    const governor = started();
    expect(governor.requestMotion(only(1, 0.8), 0)).toEqual({ ok: true, clampedMotors: [] });
    let t = 0;
    let previous = START[1]!;
    for (let i = 0; i < 40; i += 1) {
      t += 5;
      if (i % 20 === 0) governor.requestMotion(only(1, 0.8), t);
      const position = governor.tick(t)![1]!.posRad;
      expect(position - previous).toBeLessThanOrEqual(2 * 0.005 + 1e-12);
      previous = position;
    }
    expect(previous).toBeCloseTo(0.8, 9);
    expect(governor.status().mode).toBe('holding');
  });

  it('clamps targets to the narrower of URDF and hardware-guide limits', () => {
    const governor = new SafetyGovernor();
    const nearLimit = [...START];
    nearLimit[5] = 1.7;
    governor.observe(feedback(nearLimit), [], true);
    const result = governor.requestMotion(only(5, 2.0), 0);
    expect(result).toEqual({ ok: true, clampedMotors: [6] });
    expect(governor.status().targetRad![5]).toBeCloseTo((105 * Math.PI) / 180, 9);
  });

  it('refuses NaN, Inf, absurd steps and targets outside the workspace, with the reason', () => {
    const governor = started({
      ...DEFAULT_GOVERNOR_CONFIG,
      checkWorkspace: (q) => (q[1]! > 0.95 ? 'the tool would go below the table' : null),
    });
    expect(governor.requestMotion(only(2, NaN), 0)).toEqual({ ok: false, reason: 'arm_joint3 target is NaN; refused' });
    expect(governor.requestMotion(only(0, Infinity), 0)).toMatchObject({ ok: false, reason: /Infinity/ });
    expect(governor.requestMotion(only(0, 1.5), 0)).toMatchObject({
      ok: false,
      reason: /1.50 rad .* 0.5 rad step limit/,
    });
    expect(governor.requestMotion(only(1, 0.9), 0)).toMatchObject({ ok: true });
    // The gripper may go from open to closed in one command (policies do); its velocity cap paces it.
    expect(governor.requestMotion(only(6, 0), 0)).toMatchObject({ ok: true });
    expect(governor.requestMotion(only(1, 1.0), 0)).toMatchObject({
      ok: false,
      reason: 'target leaves the workspace: the tool would go below the table',
    });
    expect(governor.status().lastRejection).toMatch(/workspace/);
  });

  it('holds when motion commands stop arriving (watchdog)', () => {
    const governor = started();
    governor.requestMotion(only(1, 0.95), 0);
    let t = 0;
    for (; t <= 400; t += 5) governor.tick(t);
    const status = governor.status();
    expect(status.mode).toBe('holding');
    expect(status.holdReason).toMatch(/watchdog/);
    // Stopped short of the target, near where the watchdog fired (≈ 0.2 s at 2 rad/s ≈ 0.4 rad).
    expect(status.targetRad![1]).toBeCloseTo(status.setpointRad![1]!, 9);
    expect(status.setpointRad![1]).toBeGreaterThan(0.85);
    expect(status.setpointRad![1]).toBeLessThan(0.95);
  });

  it('Stop (hold) during motion freezes at the measured position and refuses motion until release', () => {
    const governor = started();
    governor.requestMotion(only(1, 0.9), 0);
    governor.tick(5);
    governor.tick(10);
    const moved = [...START];
    moved[1] = 0.52;
    governor.observe(feedback(moved), [], true);
    const holdCommands = governor.hold('Stop (hold) pressed')!;
    expect(holdCommands[1]!.posRad).toBe(0.52);
    expect(holdCommands.every((c) => c.velRadS === 0)).toBe(true);
    expect(governor.requestMotion(only(1, 0.6), 20)).toMatchObject({
      ok: false,
      reason: /held .*Stop \(hold\) pressed/,
    });
    expect(governor.tick(25)![1]!.posRad).toBe(0.52);
    expect(governor.release()).toMatchObject({ ok: true });
    expect(governor.requestMotion(only(1, 0.6), 30)).toMatchObject({ ok: true });
  });

  it('hold works in every state, even before feedback', () => {
    const governor = new SafetyGovernor();
    expect(governor.hold('early')).toBeNull();
    expect(governor.status()).toMatchObject({ holdLatched: true, holdReason: 'early' });
    governor.observe(feedback(START), [], true);
    expect(governor.requestMotion(only(1, 0.6), 0)).toMatchObject({ ok: false });
  });

  it('stops on arm faults, names them, and needs the fault cleared before release', () => {
    const governor = started();
    governor.requestMotion(only(1, 0.9), 0);
    const faulty = feedback(START);
    faulty[2] = { ...faulty[2]!, faultMask: 2 | (1 << 12) };
    const faults = faulty.map((m) => describeMotorFault(m.motorId, m.faultMask)).filter((f): f is MotorFault => !!f);
    governor.observe(faulty, faults, true);
    expect(governor.status()).toMatchObject({ mode: 'faulted', holdReason: 'arm fault — arm_joint3: overcurrent' });
    expect(governor.requestMotion(only(1, 0.6), 5)).toMatchObject({ ok: false, reason: /faulted/ });
    expect(governor.release()).toMatchObject({ ok: false, reason: /clear the error/ });
    governor.observe(feedback(START), [], true);
    expect(governor.status().mode).toBe('holding');
    expect(governor.release()).toMatchObject({ ok: true });
  });

  it('after a lost link, resumes from the new measured position without a jump, latched', () => {
    const governor = started();
    governor.linkLost('link lost');
    expect(governor.tick(10)).toBeNull();
    const drifted = START.map((q) => q + 0.1);
    governor.observe(feedback(drifted), [], true);
    expect(governor.tick(15)!.map((c) => c.posRad)).toEqual(drifted);
    expect(governor.status().holdLatched).toBe(true);
  });

  it('follows the arm while the motors are disabled, so enabling never jumps', () => {
    const governor = started();
    const pushed = START.map((q, i) => (i === 0 ? q + 0.3 : q));
    governor.observe(feedback(pushed, 1), [], false);
    expect(governor.tick(10)![0]!.posRad).toBeCloseTo(0.3, 9);
    expect(governor.requestMotion(only(0, 0.4), 10)).toEqual({
      ok: false,
      reason: 'the motors are disabled; enable them first',
    });
  });

  it('accepts only configs tighter than the hardware', () => {
    expect(validateGovernorConfig(DEFAULT_GOVERNOR_CONFIG)).toEqual([]);
    expect(validateGovernorConfig({ ...DEFAULT_GOVERNOR_CONFIG, velocityCapRadS: 3 })).toEqual([
      'velocity cap must be above 0 and at most 2 rad/s',
    ]);
    const looser = DEFAULT_GOVERNOR_CONFIG.limits.map((l, i) => (i === 4 ? { ...l, upperRad: 2 } : l));
    expect(validateGovernorConfig({ ...DEFAULT_GOVERNOR_CONFIG, limits: looser })[0]).toMatch(/motor 5/);
  });
});

describe('workspace bounds from the URDF', () => {
  it('refuse a joint target that puts the tool into the table, and accept the home pose', async () => {
    const { loadArmChain } = await import('../../../../src/main/robot/urdf/loadUrdf');
    const { workspaceCheck } = await import('../../../../src/main/robot/safety/workspaceBounds');
    const { A1_HOME_Q_RAD } = await import('../../../../src/shared/robot/kinematics');
    const check = workspaceCheck(loadArmChain(process.cwd()));
    expect(check(A1_HOME_Q_RAD)).toBeNull();
    const down = [...A1_HOME_Q_RAD];
    down[1] = down[1]! - 0.5; // shoulder forward and down
    expect(check(down)).toMatch(/the tool would be -?\d+ mm above the table/);
    expect(check([0, 0, 0, 0, 0, 0])).toMatch(/from the base axis/);
  });
});
