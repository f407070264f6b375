import { describe, expect, it } from 'vitest';
import { SafetyGovernor } from '../../../../src/main/robot/safety/safetyGovernor';
import { DEFAULT_GOVERNOR_CONFIG } from '../../../../src/main/robot/safety/governorConfig';
import { tightenedLimits } from '../../../../src/shared/robot/safetyLimits';
import type { MotorFeedback } from '../../../../src/shared/robot/wire';

const START = [0, 0.5, -1, 0, 0.2, 0, 1];

function feedback(positions: readonly number[]): MotorFeedback[] {
  return positions.map((posRad, i) => ({ motorId: i + 1, posRad, velRadS: 0, tauNm: 0, faultMask: 2 }));
}

function started(): SafetyGovernor {
  const governor = new SafetyGovernor(DEFAULT_GOVERNOR_CONFIG);
  governor.observe(feedback(START), [], true);
  governor.tick(0);
  return governor;
}

function only(motorIndex: number, value: number): (number | null)[] {
  const target: (number | null)[] = START.map(() => null);
  target[motorIndex] = value;
  return target;
}

/** The operator's limits applied as the arm runtime applies them. */
function tighten(governor: SafetyGovernor, upperJoint2: number, velocityCapRadS: number): void {
  const tightened = tightenedLimits(DEFAULT_GOVERNOR_CONFIG, {
    jointLimits: { arm_joint2: { lowerRad: 0, upperRad: upperJoint2 } },
    velocityCapRadS,
  });
  governor.setLimits(tightened.limits, tightened.velocityCapRadS);
}

describe('SafetyGovernor with the operator’s safety limits', () => {
  it('clamps targets to the tighter joint limit and paces motion at the tighter velocity cap', () => {
    const governor = started();
    tighten(governor, 0.7, 0.5);
    expect(governor.status().velocityCapRadS).toBe(0.5);
    expect(governor.requestMotion(only(1, 0.9), 0)).toEqual({ ok: true, clampedMotors: [2] });
    expect(governor.status().targetRad![1]).toBe(0.7);
    let t = 0;
    let previous = START[1]!;
    for (let i = 0; i < 100; i += 1) {
      t += 5;
      if (i % 20 === 0) governor.requestMotion(only(1, 0.9), t);
      const position = governor.tick(t)![1]!.posRad;
      expect(position - previous).toBeLessThanOrEqual(0.5 * 0.005 + 1e-12);
      expect(position).toBeLessThanOrEqual(0.7 + 1e-12);
      previous = position;
    }
    expect(previous).toBeCloseTo(0.7, 9);
  });

  it('never moves a resting arm when the limits change, and stops a motion heading outside them', () => {
    const governor = started();
    tighten(governor, 0.3, 2);
    expect(governor.tick(5)!.map((command) => command.posRad)).toEqual(START);
    expect(governor.status().mode).toBe('holding');

    tighten(governor, 3, 2);
    governor.requestMotion(only(1, 0.9), 10);
    governor.tick(15);
    governor.tick(20);
    const setpoint = governor.status().setpointRad![1]!;
    tighten(governor, 0.8, 2);
    expect(governor.status()).toMatchObject({ mode: 'holding', holdLatched: false });
    expect(governor.status().holdReason).toMatch(/arm_joint2 target was outside/);
    expect(governor.status().targetRad![1]).toBe(setpoint);
    expect(governor.tick(25)![1]!.posRad).toBe(setpoint);
  });

  it('keeps Stop (hold) and its latch as they were', () => {
    const governor = started();
    governor.hold('Stop (hold) pressed');
    tighten(governor, 0.7, 1);
    expect(governor.status()).toMatchObject({ holdLatched: true, holdReason: 'Stop (hold) pressed' });
    expect(governor.requestMotion(only(1, 0.6), 0)).toMatchObject({ ok: false, reason: expect.stringMatching(/held/) });
  });
});
