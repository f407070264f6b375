import { createHook } from 'node:async_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { LinkState } from '../../../src/shared/arm';
import type { ArmFeedback } from '../../../src/main/robot/link/armLink';
import { RosbridgeArmLink, type RosbridgeLinkOptions } from '../../../src/main/robot/link/rosbridgeArmLink';
import {
  startRosbridgeFixture,
  type RosbridgeFixture,
  type RosbridgeFixtureOptions,
} from '../../../src/main/sim/arm/rosbridgeFixture';
import { CALIBRATION_FUNCTION_CODE, FUNCTION_CODES } from '../../../src/shared/robot/a1Spec';
import { WireValueError, type JointCommand } from '../../../src/shared/robot/wire';

const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 400 };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const startedAtMs = Date.now();
  while (!predicate()) {
    if (Date.now() - startedAtMs > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return Date.now() - startedAtMs;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Rig {
  fixture: RosbridgeFixture;
  link: RosbridgeArmLink;
  states: LinkState[];
  latest(): ArmFeedback;
}

async function setup(
  fixtureOptions: RosbridgeFixtureOptions = {},
  linkOptions: Partial<RosbridgeLinkOptions> = {},
): Promise<Rig> {
  const fixture = await startRosbridgeFixture(fixtureOptions);
  cleanups.push(() => fixture.close());
  const link = new RosbridgeArmLink({ url: fixture.url, reconnect: FAST_RECONNECT, ...linkOptions });
  cleanups.push(() => link.close());
  const states: LinkState[] = [];
  let latest: ArmFeedback | null = null;
  link.onState((state) => states.push(state));
  link.onFeedback((feedback) => (latest = feedback));
  link.start();
  await waitFor(() => link.state() === 'up', 2000, 'the link to come up');
  return {
    fixture,
    link,
    states,
    latest: () => {
      if (!latest) throw new Error('no feedback yet');
      return latest;
    },
  };
}

function motor(feedback: ArmFeedback, motorId: number) {
  const found = feedback.motors.find((candidate) => candidate.motorId === motorId);
  if (!found) throw new Error(`no feedback for motor ${motorId}`);
  return found;
}

/** Holds every arm joint where it is (kp 30, kd 2), with overrides per motor. */
function holdArm(feedback: ArmFeedback, targetsRad: Record<number, number> = {}): JointCommand[] {
  return feedback.motors.slice(0, 6).map((reading) => ({
    motorId: reading.motorId,
    posRad: targetsRad[reading.motorId] ?? reading.posRad,
    velRadS: 0,
    tauNm: 0,
    kp: 30,
    kd: 2,
  }));
}

function gripperCommand(posRad: number): JointCommand {
  return { motorId: 7, posRad, velRadS: 0, tauNm: 0, kp: 3, kd: 0.1 };
}

/** Timers and TCP handles created from now on and not yet destroyed. */
function trackHandles(): { live(): string[]; stop(): void } {
  const live = new Map<number, string>();
  const hook = createHook({
    init(asyncId, type) {
      if (type === 'Timeout' || type.startsWith('TCP')) live.set(asyncId, type);
    },
    destroy(asyncId) {
      live.delete(asyncId);
    },
  }).enable();
  return { live: () => [...live.values()].sort(), stop: () => hook.disable() };
}

async function rawClient(url: string): Promise<{ send(message: unknown): void; next(): Promise<unknown> }> {
  const socket = new WebSocket(url);
  cleanups.push(() => socket.terminate());
  const inbox: unknown[] = [];
  socket.on('message', (data) => inbox.push(JSON.parse(String(data))));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return {
    send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    next: async () => {
      await waitFor(() => inbox.length > 0, 1000, 'a reply from the fixture');
      return inbox.shift();
    },
  };
}

describe('rosbridge link: feedback', () => {
  it('comes up and reports seven motors at the sim positions and fault masks, at the published rate', async () => {
    const { fixture, link, states, latest } = await setup();
    expect(states).toEqual(['connecting', 'up']);
    await sleep(600);
    const feedback = latest();
    expect(feedback.motors.map((reading) => reading.motorId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const simMotors = fixture.arm.feedback();
    feedback.motors.forEach((reading, index) => {
      expect(reading.posRad).toBeCloseTo(simMotors[index]!.posRad, 3);
      expect(reading.faultMask).toBe(simMotors[index]!.faultMask);
    });
    const stats = link.stats();
    expect(stats.state).toBe('up');
    expect(stats.kind).toBe('rosbridge');
    expect(stats.feedbackRateHz).toBeGreaterThan(60);
    expect(stats.feedbackRateHz).toBeLessThan(140);
    expect(stats).toMatchObject({ crcErrors: 0, garbageBytes: 0, malformedFrames: 0, incompleteFeedback: 0 });
  });

  it('is degraded when joint states arrive below half the expected rate', async () => {
    const { link } = await setup({ feedbackRateHz: 20 });
    await waitFor(() => link.state() === 'degraded', 1000, 'the link to degrade');
    expect(link.stats().feedbackRateHz).toBeLessThan(50);
  });

  it.each(['nested', 'flat'] as const)('reads fault masks from the %s /arm_status_host layout', async (layout) => {
    const { fixture, latest } = await setup({ armStatusLayout: layout });
    const overcurrent = 1 << 12;
    fixture.arm.injectFaultBits(3, overcurrent);
    await waitFor(() => (motor(latest(), 3).faultMask & overcurrent) !== 0, 1000, 'the fault on motor 3');
    expect(motor(latest(), 2).faultMask & overcurrent).toBe(0);
  });

  it('counts unparseable messages as malformed and keeps going', async () => {
    const { fixture, link, latest } = await setup();
    fixture.sendRawToClients('{ not json');
    fixture.sendRawToClients(JSON.stringify({ op: 'publish', topic: '/joint_states_host', msg: { name: 3 } }));
    await waitFor(() => link.stats().malformedFrames === 2, 1000, 'two malformed messages');
    const before = latest().receivedAtMs;
    await waitFor(() => latest().receivedAtMs > before, 500, 'more feedback');
    expect(link.state()).toBe('up');
  });
});

describe('rosbridge link: commands', () => {
  it('enables through function_frame, then one arm command moves joint 2 from 0.3 to 0.6 rad', async () => {
    const { fixture, link, latest } = await setup();
    expect(motor(latest(), 2).posRad).toBeCloseTo(0.3, 2);
    await link.sendFunction('enable');
    expect(fixture.received.functionCalls).toEqual([FUNCTION_CODES.enable]);

    expect(link.sendJointCommands(holdArm(latest(), { 2: 0.6 }))).toBe(true);
    const elapsedMs = await waitFor(() => motor(latest(), 2).posRad > 0.58, 1500, 'joint 2 to reach 0.6 rad');
    expect(elapsedMs).toBeLessThan(1200);
    expect(fixture.received.armCommands).toBe(1);
    expect(fixture.arm.positionsRad()[1]).toBeCloseTo(0.6, 1);
  });

  it('sends the gripper as a stroke in mm (clamped to 0..60) and reads it back in rad', async () => {
    const { fixture, link, latest } = await setup();
    await link.sendFunction('enable');
    expect(link.sendJointCommands([gripperCommand(0.5)])).toBe(true);
    await waitFor(() => fixture.received.gripperCommands === 1, 500, 'the gripper command');
    expect(fixture.received.lastGripperStrokeMm).toBeCloseTo(15, 6);
    expect(fixture.received.armCommands).toBe(0);
    await waitFor(() => Math.abs(motor(latest(), 7).posRad - 0.5) < 0.03, 1500, 'the gripper at 0.5 rad');

    link.sendJointCommands([gripperCommand(5)]);
    await waitFor(() => fixture.received.gripperCommands === 2, 500, 'the second gripper command');
    expect(fixture.received.lastGripperStrokeMm).toBe(60);
  });

  it('converts the stroke topic with gripperMmPerRad when joint states lack the gripper', async () => {
    const { fixture, link, latest } = await setup({ gripperInJointStates: false }, { gripperMmPerRad: 20 });
    await link.sendFunction('enable');
    expect(motor(latest(), 7).posRad).toBeCloseTo(1.5, 2); // the fixture's gripper starts at 30 mm
    link.sendJointCommands([gripperCommand(0.75)]);
    await waitFor(() => fixture.received.gripperCommands === 1, 500, 'the gripper command');
    expect(fixture.received.lastGripperStrokeMm).toBeCloseTo(15, 6);
    // The fixture moves its gripper to 15 mm (0.5 rad at its 30 mm/rad); the link reads 15 mm back at 20 mm/rad.
    await waitFor(() => Math.abs(motor(latest(), 7).posRad - 0.75) < 0.03, 1500, 'the gripper at 0.75 rad');
    expect(fixture.arm.positionsRad()[6]).toBeCloseTo(0.5, 1);
  });

  it('refuses NaN, incomplete arm sets and commands while down, sending nothing', async () => {
    expect(() => new RosbridgeArmLink({ url: 'http://lab-pc:9090' })).toThrow(/ws:\/\//);
    const idle = new RosbridgeArmLink({ url: 'ws://127.0.0.1:9' });
    expect(idle.sendJointCommands([gripperCommand(0.5)])).toBe(false);

    const { fixture, link, latest } = await setup();
    const commands = holdArm(latest());
    commands[3] = { ...commands[3]!, posRad: Number.NaN };
    expect(() => link.sendJointCommands(commands)).toThrow(WireValueError);
    expect(() => link.sendJointCommands([gripperCommand(Number.POSITIVE_INFINITY)])).toThrow(/refusing to send/);
    expect(link.sendJointCommands(holdArm(latest()).slice(0, 5))).toBe(false);
    expect(link.sendJointCommands([...holdArm(latest()), ...holdArm(latest()).slice(0, 1)])).toBe(false);
    await sleep(100);
    expect(fixture.received).toMatchObject({ armCommands: 0, rejectedArmCommands: 0, gripperCommands: 0 });
  });
});

describe('rosbridge link: function_frame', () => {
  it('rejects with the driver message when the service fails, times out or the socket closes', async () => {
    const { fixture, link } = await setup({}, { functionTimeoutMs: 300 });
    fixture.failNextService('motor 3 is not responding');
    await expect(link.sendFunction('enable')).rejects.toThrow(/motor 3 is not responding/);
    expect(fixture.arm.feedback()[0]!.faultMask & 1).toBe(1); // still disabled

    fixture.ignoreNextService();
    await expect(link.sendFunction('clearError')).rejects.toThrow(/no response within 300 ms/);

    fixture.ignoreNextService();
    const pending = link.sendFunction('disable');
    fixture.dropAllClients();
    await expect(pending).rejects.toThrow(/closed/);
  });

  it('the fixture refuses calibration (code 3) and answers bad messages with a status', async () => {
    const { fixture, link } = await setup();
    const client = await rawClient(fixture.url);
    client.send({
      op: 'call_service',
      id: 'c1',
      service: '/function_frame',
      args: { command: CALIBRATION_FUNCTION_CODE },
    });
    expect(await client.next()).toMatchObject({
      op: 'service_response',
      id: 'c1',
      result: true,
      values: { success: false, message: expect.stringMatching(/calibration/) },
    });
    expect(fixture.received.functionCalls).toEqual([CALIBRATION_FUNCTION_CODE]);

    client.send('garbage');
    expect(await client.next()).toMatchObject({ op: 'status', level: 'error' });
    client.send({ op: 'frobnicate', id: 'x' });
    expect(await client.next()).toMatchObject({
      op: 'status',
      level: 'error',
      msg: expect.stringMatching(/frobnicate/),
    });
    client.send({ op: 'advertise', topic: '/arm_joint_command_host', type: 'signal_arm/arm_control' });
    client.send({ op: 'publish', topic: '/arm_joint_command_host', msg: { p_des: [0, 0, 0, 0, 0, 0], mode: 1 } });
    expect(await client.next()).toMatchObject({ op: 'status', level: 'warning' });
    expect(fixture.received).toMatchObject({ armCommands: 0, rejectedArmCommands: 1 });
    expect(link.state()).toBe('up');
  });
});

describe('rosbridge link: connection', () => {
  it('goes down when the connection drops and comes back up by itself without sending anything', async () => {
    const { fixture, link, states, latest } = await setup();
    await link.sendFunction('enable');
    link.sendJointCommands(holdArm(latest()));
    await waitFor(() => fixture.received.armCommands === 1, 500, 'the arm command');
    const before = structuredClone(fixture.received);

    states.length = 0;
    fixture.dropAllClients();
    await waitFor(() => states.includes('down'), 1000, 'the link to go down');
    await waitFor(() => link.state() === 'up', 2000, 'the link to come back up');
    expect(states).toEqual(['down', 'connecting', 'up']);
    await sleep(150);
    expect(fixture.received).toEqual({ ...before, connections: 2 });
    expect(link.stats().reconnects).toBe(1);
    expect(link.stats().lastError).toMatch(/rosbridge ws:\/\/127\.0\.0\.1/);
  });

  it('backs off while rosbridge is unreachable', async () => {
    const fixture = await startRosbridgeFixture();
    const url = fixture.url;
    await fixture.close();
    const link = new RosbridgeArmLink({ url, reconnect: FAST_RECONNECT });
    cleanups.push(() => link.close());
    link.start();
    await sleep(500);
    // 50 + 100 + 200 ms of back-off fit in 500 ms, a fourth attempt needs 400 ms more; a fixed 50 ms would retry ~9 times.
    expect(link.stats().reconnects).toBeGreaterThanOrEqual(2);
    expect(link.stats().reconnects).toBeLessThanOrEqual(3);
    expect(link.state()).not.toBe('up');
    expect(link.stats().lastError).toMatch(/ECONNREFUSED/);
  });

  it('close() leaves no timers or sockets behind', async () => {
    const handles = trackHandles();
    cleanups.push(() => handles.stop());
    const fixture = await startRosbridgeFixture();
    const link = new RosbridgeArmLink({ url: fixture.url });
    link.start();
    await waitFor(() => link.state() === 'up', 2000, 'the link to come up');
    await link.sendFunction('enable');
    expect(handles.live()).toContain('Timeout');
    await link.close();
    await fixture.close();
    expect(link.state()).toBe('down');
    // Handles are destroyed over the next turns of the event loop; a leaked timer or socket never is.
    const deadlineMs = Date.now() + 500;
    while (handles.live().length > 0 && Date.now() < deadlineMs) await new Promise((resolve) => setImmediate(resolve));
    expect(handles.live()).toEqual([]);
  });
});
