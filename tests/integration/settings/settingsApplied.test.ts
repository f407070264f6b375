import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import { A1_JOINT_LIMITS, DEFAULT_VELOCITY_CAP_RAD_S } from '../../../src/shared/robot/a1Spec';
import { SIM_START_RAD } from '../../../src/main/robot/runtime/armRuntime';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { episodeDir } from '../../../src/main/episodes/store/episodeFormat';
import type { EpisodeEvent } from '../../../src/shared/episodes/episodeTypes';

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'coach-safety-'));
}

/** The console's Coach on the embedded sim, without a model (the arm is all these tests need). */
async function started(dataDir: string): Promise<Coach> {
  const coach = createCoach({ dataDir, host: 'test', policy: { autoLoad: false } });
  coaches.push(coach);
  await coach.ready;
  await expect.poll(() => coach.arm.state().link?.state, { timeout: 5000 }).toBe('up');
  await expect.poll(() => coach.arm.state().joints.length).toBe(7);
  return coach;
}

const simJoint2 = async (coach: Coach) => (await coach.arm.sim<number[]>({ kind: 'positions' }))[1]!;
const START_JOINT2 = SIM_START_RAD[1]!;
/** Just above where the sim starts: a +0.3 rad jog of arm_joint2 must stop here. */
const TIGHT_UPPER = Number((START_JOINT2 + 0.1).toFixed(4));

describe('settings.safety: the governor enforces the operator’s tighter limits', () => {
  it('applies a tighter limit and velocity cap at once, keeps them across a restart, and refuses a looser one', async () => {
    const dataDir = tempDir();
    const coach = await started(dataDir);
    expect(coach.arm.state().governor.velocityCapRadS).toBe(DEFAULT_VELOCITY_CAP_RAD_S);
    expect(coach.arm.state().joints[1]!.upperRad).toBe(A1_JOINT_LIMITS[1]!.upperRad);

    const saved = await coach.server.call('settings.update', {
      safety: { jointLimits: { arm_joint2: { lowerRad: 0.5, upperRad: TIGHT_UPPER } }, velocityCapRadS: 1 },
    });
    expect(saved).toMatchObject({
      ok: true,
      value: { safety: { jointLimits: { arm_joint2: { lowerRad: 0.5, upperRad: TIGHT_UPPER } }, velocityCapRadS: 1 } },
    });
    await expect.poll(() => coach.arm.state().governor.velocityCapRadS).toBe(1);
    expect(coach.arm.state().joints[1]).toMatchObject({ lowerRad: 0.5, upperRad: TIGHT_UPPER });

    // A jog past the tighter limit is clamped to it: the arm stops there, not at the jog's target.
    await coach.arm.enable();
    await expect.poll(() => coach.arm.state().enabled).toBe(true);
    await coach.arm.jog(2, 0.3);
    await expect.poll(() => simJoint2(coach), { timeout: 3000 }).toBeGreaterThan(TIGHT_UPPER - 0.01);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await simJoint2(coach)).toBeLessThan(TIGHT_UPPER + 0.01);
    expect(coach.arm.state().governor.targetRad![1]).toBe(TIGHT_UPPER);

    // Looser than the hardware: refused with the joint and the hardware limit, nothing saved or applied.
    const looser = await coach.server.call('settings.update', {
      safety: { jointLimits: { arm_joint2: { lowerRad: -0.3, upperRad: TIGHT_UPPER } }, velocityCapRadS: 2.5 },
    });
    expect(looser).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    if (!looser.ok) {
      expect(looser.error.message).toContain("arm_joint2 lower limit -0.3 rad is looser than the hardware's 0 rad");
      expect(looser.error.message).toContain("velocity cap 2.5 rad/s is looser than the A1's 2 rad/s");
    }
    expect(coach.arm.state().governor.velocityCapRadS).toBe(1);
    expect(coach.arm.state().joints[1]).toMatchObject({ lowerRad: 0.5, upperRad: TIGHT_UPPER });
    const file = JSON.parse(fs.readFileSync(path.join(dataDir, 'settings.json'), 'utf8')) as {
      safety: { velocityCapRadS: number };
    };
    expect(file.safety.velocityCapRadS).toBe(1);

    // Stop (hold) still works and latches with the limits in force.
    const held = await coach.server.call('arm.hold', {});
    expect(held).toMatchObject({ ok: true, value: { governor: { holdLatched: true } } });
    await coach.close();
    coaches.length = 0;

    // The next start applies them from the first connection.
    const again = await started(dataDir);
    expect(again.arm.state().governor.velocityCapRadS).toBe(1);
    expect(again.arm.state().joints[1]).toMatchObject({ lowerRad: 0.5, upperRad: TIGHT_UPPER });

    // Back to the hardware's.
    await again.server.call('settings.update', { safety: { jointLimits: {}, velocityCapRadS: null } });
    await expect.poll(() => again.arm.state().governor.velocityCapRadS).toBe(DEFAULT_VELOCITY_CAP_RAD_S);
    expect(again.arm.state().joints[1]!.upperRad).toBe(A1_JOINT_LIMITS[1]!.upperRad);
  }, 60_000);

  it('checks the folders a settings patch names', async () => {
    const dataDir = tempDir();
    const coach = createCoach({ dataDir, host: 'test', arm: { autoConnect: false }, policy: { autoLoad: false } });
    coaches.push(coach);
    const missing = await coach.server.call('settings.update', { policy: { modelPath: path.join(dataDir, 'nope') } });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments', details: { issues: [{ path: 'policy.modelPath' }] } },
    });
    const shipped = path.join(process.cwd(), 'resources/models/coach-tiny');
    if (fs.existsSync(path.join(shipped, 'manifest.json'))) {
      expect(await coach.server.call('settings.update', { policy: { modelPath: shipped } })).toMatchObject({
        ok: true,
        value: { policy: { modelPath: shipped } },
      });
    }
    expect(await coach.server.call('settings.update', { runner: { controlRateHz: 500 } })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('the control rate must be at most 100 Hz') },
    });
    expect(await coach.server.call('settings.update', { runner: { controlRateHz: 5 } })).toMatchObject({
      ok: true,
      value: { runner: { controlRateHz: 5 } },
    });
  });

  it('runs the console’s attempts at the control rate chosen in Settings and records that rate', async () => {
    const coach = createCoach({
      dataDir: tempDir(),
      host: 'test',
      healthIntervalMs: 60_000,
      policy: { modelPath: path.resolve(__dirname, '../../../resources/models/coach-test') },
    });
    coaches.push(coach);
    await coach.ready;
    expect(coach.policy.info()!.controlRateHz).toBe(10);
    await coach.server.call('settings.update', { runner: { controlRateHz: 20 } });
    const recorded = new Promise<EpisodeEvent>((resolve) => {
      coach.episodes.eventsTopic.subscribe((event) => {
        if (event.kind === 'recorded') resolve(event);
      });
    });
    const started = await coach.server.call('run.start', {
      instruction: 'put the grape in the plate',
      options: { seed: 3, maxStrokes: 1, timeoutS: 60 },
    });
    expect(started).toMatchObject({ ok: true });
    expect(coach.runner.controlRateHz).toBe(20);
    await coach.runner.finished();
    const id = (await recorded).ids[0]!;
    const reader = await EpisodeReader.open(episodeDir(coach.episodes.root, id), id);
    expect(reader.header.controlRateHz).toBe(20);
  }, 60_000);
});
