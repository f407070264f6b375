import { afterEach, describe, expect, it } from 'vitest';
import { ArmService } from '../../../src/main/robot/armService';
import type { LinkConfigInput } from '../../../src/shared/arm';
import { linkConfigSchema } from '../../../src/shared/arm';
import { CoachError } from '../../../src/shared/contract/errors';

import { SIM_START_RAD } from '../../../src/main/robot/runtime/armRuntime';

/** The sim starts at the home pose with the gripper open. */
const START = SIM_START_RAD;
const services: ArmService[] = [];

afterEach(async () => {
  while (services.length) await services.pop()!.close();
});

async function connected(link: LinkConfigInput = { kind: 'sim' }): Promise<ArmService> {
  const arm = new ArmService(process.cwd());
  services.push(arm);
  await arm.connect(linkConfigSchema.parse(link));
  await expect.poll(() => arm.state().link?.state, { timeout: 5000 }).toBe('up');
  await expect.poll(() => arm.state().joints.length).toBe(7);
  return arm;
}

const simPositions = (arm: ArmService) => arm.sim<number[]>({ kind: 'positions' });
const simPosition = async (arm: ArmService, motorId: number) => (await simPositions(arm))[motorId - 1]!;

async function enabled(arm: ArmService): Promise<void> {
  await arm.enable();
  await expect.poll(() => arm.state().enabled).toBe(true);
}

describe('ArmService on the simulated A1 (in-process link, runtime in its own process)', () => {
  it('holds where the arm is on connect and reports 200 Hz feedback', async () => {
    const arm = await connected();
    const state = arm.state();
    expect(state.governor.mode).toBe('holding');
    expect(state.governor.holdLatched).toBe(false);
    expect(state.joints.map((j) => j.posRad)).toEqual(START.map((q) => expect.closeTo(q, 2)));
    await expect.poll(() => arm.state().link!.feedbackRateHz, { timeout: 3000 }).toBeGreaterThan(150);
  });

  it('refuses to jog disabled motors, then jogs through the governor once enabled', async () => {
    const arm = await connected();
    await expect(arm.jog(2, 0.2)).rejects.toThrow(/disabled/);
    await enabled(arm);
    await arm.jog(2, 0.2);
    await expect.poll(() => simPosition(arm, 2), { timeout: 3000 }).toBeCloseTo(START[1]! + 0.2, 2);
  });

  it('Stop (hold) during a move stops the arm and refuses motion until release', async () => {
    const arm = await connected();
    await enabled(arm);
    await arm.jog(2, -0.3);
    await new Promise((resolve) => setTimeout(resolve, 60));
    const state = await arm.hold();
    expect(state.governor).toMatchObject({ holdLatched: true, holdReason: 'Stop (hold) pressed' });
    // The PD loop settles on the held position within a few hundred ms, well short of the 0.8 rad target.
    await new Promise((resolve) => setTimeout(resolve, 400));
    const settled = await simPosition(arm, 2);
    expect(settled).toBeGreaterThan(START[1]! - 0.25);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(Math.abs((await simPosition(arm, 2)) - settled)).toBeLessThan(0.003);
    await expect(arm.jog(2, 0.1)).rejects.toThrow(CoachError);
    await expect(arm.jog(2, 0.1)).rejects.toThrow(/held/);
    await arm.release();
    await arm.jog(2, -0.1);
    await expect.poll(() => simPosition(arm, 2), { timeout: 3000 }).toBeLessThan(settled - 0.08);
  });

  it('a position jump faults the arm, names the fault, and needs clear-error and release', async () => {
    const arm = await connected();
    await enabled(arm);
    await arm.sim({ kind: 'positionJump', motorId: 3, deltaRad: 0.05 });
    await expect.poll(() => arm.state().governor.mode).toBe('faulted');
    expect(arm.state().faults).toEqual([expect.objectContaining({ motor: 'arm_joint3', names: ['position jump'] })]);
    expect(arm.state().governor.holdReason).toBe('arm fault — arm_joint3: position jump');
    await expect(arm.jog(1, 0.1)).rejects.toThrow(/faulted/);
    await expect(arm.release()).rejects.toThrow(/clear the error/);
    await arm.clearError();
    await expect.poll(() => arm.state().faults).toEqual([]);
    await arm.release();
    await arm.jog(1, 0.05);
  });

  it('an injected overcurrent fault stops policy motion with the fault name', async () => {
    const arm = await connected();
    await enabled(arm);
    await arm.jog(2, 0.3);
    await arm.sim({ kind: 'faultBits', motorId: 5, bits: 1 << 12 });
    await expect.poll(() => arm.state().governor.holdReason).toBe('arm fault — arm_joint5: overcurrent');
  });

  it('counts garbage on the wire and keeps the link up', async () => {
    const arm = await connected();
    await arm.sim({ kind: 'garbage', bytes: [0xa5, 0x01, 0x1e, 0x00, 0xff, 0x13, 0x37, 0xa5, 0xa5] });
    await expect.poll(() => arm.state().link!.garbageBytes + arm.state().link!.crcErrors).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(arm.state().link!.state).toBe('up');
  });

  it('stalled feedback during motion degrades the link and latches a hold', async () => {
    const arm = await connected();
    await enabled(arm);
    // 0.45 rad at 2 rad/s keeps the arm moving past the 150 ms feedback timeout.
    await arm.move([START[0]! + 0.45, null, null, null, null, null, null]);
    await arm.sim({ kind: 'stallFeedback', durationMs: 400 });
    await expect.poll(() => arm.state().link!.state, { timeout: 2000 }).toBe('degraded');
    await expect.poll(() => arm.state().governor.holdReason ?? '').toMatch(/no feedback for \d+ ms/);
    await expect.poll(() => arm.state().link!.state, { timeout: 3000 }).toBe('up');
    expect(arm.state().governor.holdLatched).toBe(true);
  });

  it('refuses new motion while feedback is stale, without latching a resting arm', async () => {
    const arm = await connected();
    await enabled(arm);
    // Long enough that a loaded machine still jogs inside the stall after seeing it begin.
    await arm.sim({ kind: 'stallFeedback', durationMs: 1500 });
    await expect.poll(() => arm.state().link!.state, { timeout: 2000 }).toBe('degraded');
    await expect(arm.jog(2, 0.1)).rejects.toThrow(/no fresh feedback from the arm \(last \d+ ms ago\)/);
    await expect.poll(() => arm.state().link!.state, { timeout: 5000 }).toBe('up');
    expect(arm.state().governor.holdLatched).toBe(false);
    await arm.jog(2, 0.1);
  });

  it('after a cable pull, reconnects by itself and does not move the arm', async () => {
    const arm = await connected();
    await enabled(arm);
    const before = await simPositions(arm);
    await arm.sim({ kind: 'pullCable' });
    await expect.poll(() => arm.state().link!.state, { timeout: 2000 }).toBe('down');
    expect(arm.state().governor.mode).toBe('no_feedback');
    await expect.poll(() => arm.state().link!.state, { timeout: 5000 }).toBe('up');
    expect(arm.state().link!.reconnects).toBeGreaterThanOrEqual(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await simPositions(arm);
    after.forEach((q, i) => expect(Math.abs(q - before[i]!)).toBeLessThan(0.01));
    expect(arm.state().governor).toMatchObject({ mode: 'holding', holdLatched: true });
    await expect(arm.jog(2, 0.1)).rejects.toThrow(/link lost/);
  });
});

describe('ArmService when its runtime process dies', () => {
  it('restarts it, reconnects the same link and latches a hold for the operator', async () => {
    const arm = await connected();
    const firstPid = arm.runtimePid!;
    process.kill(firstPid, 'SIGKILL');
    await expect.poll(() => arm.runtimePid, { timeout: 5000 }).not.toBe(firstPid);
    await expect.poll(() => arm.state().governor.holdReason ?? '', { timeout: 5000 }).toMatch(/restarted/);
    expect(arm.state().governor.holdLatched).toBe(true);
    await expect.poll(() => arm.state().link?.state, { timeout: 5000 }).toBe('up');
    await expect(arm.jog(1, 0.1)).rejects.toThrow(/held/);
  });
});

describe('ArmService over real transports to the simulated A1', () => {
  it('drives the sim through serialport and a socat pty pair', async () => {
    const arm = await connected({ kind: 'sim', transport: 'pty' });
    expect(arm.state().link!.description).toMatch(/socat pty/);
    await expect.poll(() => arm.state().link!.feedbackRateHz, { timeout: 3000 }).toBeGreaterThan(150);
    await enabled(arm);
    await arm.jog(1, 0.15);
    await expect.poll(() => simPosition(arm, 1), { timeout: 3000 }).toBeCloseTo(START[0]! + 0.15, 2);
    expect(await arm.sim({ kind: 'firmwareStats' })).toMatchObject({ crcErrors: 0 });
  });

  it('drives the sim over a loopback TCP socket', async () => {
    const arm = await connected({ kind: 'sim', transport: 'tcp' });
    await enabled(arm);
    await arm.jog(4, -0.1);
    await expect.poll(() => simPosition(arm, 4), { timeout: 3000 }).toBeCloseTo(START[3]! - 0.1, 2);
  });
});

describe('ArmService with the runtime in the calling process', () => {
  it('behaves the same', async () => {
    const arm = new ArmService(process.cwd(), { runIn: 'main' });
    services.push(arm);
    await arm.connect(linkConfigSchema.parse({ kind: 'sim' }));
    await expect.poll(() => arm.state().link?.state, { timeout: 5000 }).toBe('up');
    await enabled(arm);
    await arm.jog(6, 0.1);
    await expect.poll(() => simPosition(arm, 6), { timeout: 3000 }).toBeCloseTo(START[5]! + 0.1, 2);
  });
});
