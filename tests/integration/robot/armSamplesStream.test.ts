import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { ArmSamples } from '../../../src/shared/robot/armSamples';
import type { ArmState } from '../../../src/shared/arm';

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

/** A real Coach on the embedded simulated A1 (arm runtime in its own process, 200 Hz feedback). */
async function coachOnSim(): Promise<Coach> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-samples-'));
  const coach = createCoach({ dataDir, host: 'test', arm: { autoConnect: true } });
  coaches.push(coach);
  await coach.ready;
  await expect.poll(() => coach.arm.state().link?.state, { timeout: 10_000 }).toBe('up');
  return coach;
}

function subscribeSamples(coach: Coach): { batches: { at: number; batch: ArmSamples }[]; problems: string[] } {
  const batches: { at: number; batch: ArmSamples }[] = [];
  const problems: string[] = [];
  const outcome = coach.server.subscribe(
    'arm.samples',
    {},
    (payload) => batches.push({ at: performance.now(), batch: payload as ArmSamples }),
    (error) => problems.push(error.message),
  );
  expect(outcome.ok).toBe(true);
  return { batches, problems };
}

const allSamples = (batches: { batch: ArmSamples }[]) => batches.reduce((n, { batch }) => n + batch.tMs.length, 0);

describe('arm.samples on the simulated A1', () => {
  it('streams every ~200 Hz feedback sample in ~50 ms batches, numbered without gaps', async () => {
    const coach = await coachOnSim();
    const { batches, problems } = subscribeSamples(coach);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(problems).toEqual([]);
    const steady = batches.slice(2);
    const spanMs = steady.at(-1)!.at - steady[0]!.at;
    const rateHz = (allSamples(steady.slice(1)) * 1000) / spanMs;
    expect(rateHz).toBeGreaterThan(150);
    expect(rateHz).toBeLessThan(250);
    const periodMs = spanMs / (steady.length - 1);
    expect(periodMs).toBeGreaterThan(35);
    expect(periodMs).toBeLessThan(80);
    for (let i = 1; i < batches.length; i += 1) {
      const previous = batches[i - 1]!.batch;
      expect(batches[i]!.batch.seq).toBe(previous.seq + previous.tMs.length);
      expect(batches[i]!.batch.droppedSamples).toBe(0);
    }
    const last = batches.at(-1)!.batch;
    // Columns line up, times increase, the gripper reads the sim's open stroke (~57 mm).
    expect(last.posRad.every((column) => column.length === last.tMs.length)).toBe(true);
    for (let i = 1; i < last.tMs.length; i += 1) expect(last.tMs[i]!).toBeGreaterThan(last.tMs[i - 1]!);
    expect(last.gripperMm.at(-1)).toBeGreaterThan(50);
  });

  it('shows a jog: the governor setpoint ramps to the target and the measured position follows', async () => {
    const coach = await coachOnSim();
    await coach.server.call('arm.enable', {});
    await expect.poll(() => coach.arm.state().enabled, { timeout: 5000 }).toBe(true);
    const { batches } = subscribeSamples(coach);
    await expect.poll(() => batches.length, { timeout: 3000 }).toBeGreaterThan(2);
    const startRad = batches.at(-1)!.batch.posRad[1]!.at(-1)!;
    const jogged = await coach.server.call('arm.jog', { motorId: 2, deltaRad: 0.2 });
    expect(jogged.ok, JSON.stringify(jogged)).toBe(true);
    const latest = (column: 'posRad' | 'cmdRad' | 'velRadS') => batches.at(-1)!.batch[column][1]!.at(-1)!;
    // The jog adds to the governor's own setpoint, which differs from the measured start by the codec's 1 mrad steps.
    await expect.poll(() => latest('cmdRad'), { timeout: 3000 }).toBeCloseTo(startRad + 0.2, 2);
    await expect.poll(() => latest('posRad'), { timeout: 3000 }).toBeCloseTo(startRad + 0.2, 2);
    // Somewhere during the move joint 2 had a positive velocity and a setpoint between start and target.
    const during = batches.map(({ batch }) => batch);
    expect(Math.max(...during.flatMap((batch) => batch.velRadS[1]!.map((v) => v ?? 0)))).toBeGreaterThan(0.1);
    const setpoints = during.flatMap((batch) => batch.cmdRad[1]!).filter((v): v is number => v !== null);
    expect(setpoints.some((v) => v > startRad + 0.02 && v < startRad + 0.18)).toBe(true);
    // The 30 Hz arm state agrees with the samples once settled (within the codec's steps and the last mrad of settling).
    await expect
      .poll(() => Math.abs((coach.arm.state() as ArmState).joints[1]!.posRad - (startRad + 0.2)), { timeout: 3000 })
      .toBeLessThan(0.006);
  });

  it('stops batching when the subscriber leaves', async () => {
    const coach = await coachOnSim();
    let count = 0;
    const outcome = coach.server.subscribe('arm.samples', {}, () => (count += 1));
    if (!outcome.ok) throw new Error(outcome.error.message);
    await expect.poll(() => count, { timeout: 3000 }).toBeGreaterThan(2);
    outcome.unsubscribe();
    const stoppedAt = count;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(count).toBe(stoppedAt);
  });
});
