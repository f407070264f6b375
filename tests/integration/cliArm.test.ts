import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/main/cli/runCli';
import { captureOutput } from '../helpers/captureOutput';
import { parseLinkSpec } from '../../src/main/cli/commands/armLinkSpec';
import { encodeFeedbackPacket, encodeFunctionFrame } from '../../src/shared/robot/wire';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

afterEach(() => vi.restoreAllMocks());

describe('coach arm frame', () => {
  it('prints a joint command frame that decodes back to the command', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'frame', 'joint', '--id', '3', '--pos', '-1', '--kp', '20', '--kd', '1'])).toBe(0);
    expect(io.out().trim()).toMatch(/^a5 10 0b 00 03 36 b0 75 30 75 30 27 d8 27 74 [0-9a-f]{2} [0-9a-f]{2}$/);
    const line = io.out().trim();
    expect(await runCli(['arm', 'decode', line])).toBe(0);
    expect(io.out()).toContain(
      'motor 3 (arm_joint3): pos -1.000 rad, vel 0.000 rad/s, tau 0.000 N·m, kp 20.0, kd 1.00',
    );
  });

  it('says which values it clamped', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'frame', 'joint', '--id', '2', '--pos', '9', '--kp', '20', '--kd', '1'])).toBe(0);
    expect(io.out()).toContain('note: posRad 9 clamped to 3.1415');
  });

  it('prints function frames and refuses calibration', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'frame', 'function', 'clear-error'])).toBe(0);
    expect(io.out().trim()).toBe(hex(encodeFunctionFrame(4)).replace(/(..)(?!$)/g, '$1 '));
    expect(await runCli(['arm', 'frame', 'function', 'calibrate'])).toBe(1);
    expect(io.err()).toContain('enable, disable, clear-error');
  });

  it('refuses NaN and missing fields with a clear message', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'frame', 'joint', '--id', '1', '--pos', 'nan', '--kp', '1', '--kd', '1'])).toBe(1);
    expect(io.err()).toMatch(/posRad is NaN|must be a number/);
    expect(await runCli(['arm', 'frame', 'joint', '--id', '1', '--kp', '1', '--kd', '1'])).toBe(1);
    expect(io.err()).toContain('--pos is required');
  });
});

describe('coach arm decode', () => {
  it('decodes feedback with fault names and reports skipped garbage', async () => {
    const io = captureOutput();
    const packet = encodeFeedbackPacket([
      { motorId: 1, posRad: 0.5, velRadS: 0, tauNm: 1, faultMask: 2 | (1 << 12) },
      { motorId: 2, posRad: 1, velRadS: 0, tauNm: 0, faultMask: 2 },
      { motorId: 3, posRad: -1, velRadS: 0, tauNm: 0, faultMask: 2 },
    ]);
    expect(await runCli(['arm', 'decode', `ff 00 ${hex(packet)}`])).toBe(0);
    expect(io.out()).toContain('feedback (0x01), 3 motors:');
    expect(io.out()).toContain('[enabled, overcurrent]');
    expect(io.out()).toContain('2 garbage byte(s)');
  });

  it('refuses text that is not hex', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'decode', 'a5 zz'])).toBe(1);
    expect(io.err()).toContain('not hexadecimal: "z"');
  });
});

describe('coach arm monitor', () => {
  it('prints live decoded feedback from the simulated A1 and exits after --duration', async () => {
    const io = captureOutput();
    expect(await runCli(['arm', 'monitor', 'sim', '--duration', '0.8', '--rate', '5'])).toBe(0);
    expect(io.out()).toMatch(/up \d+ Hz crc-errors 0 \| arm_joint1 -?\d\.\d{3}/);
    expect(io.out()).toContain('no faults');
  });

  it('parses link specs and explains bad ones', () => {
    expect(parseLinkSpec('sim:pty')).toMatchObject({ kind: 'sim', transport: 'pty' });
    expect(parseLinkSpec('serial:/dev/ttyACM0')).toMatchObject({ kind: 'serial', path: '/dev/ttyACM0' });
    expect(parseLinkSpec('tcp:10.0.0.5:4000')).toMatchObject({ kind: 'tcp', host: '10.0.0.5', port: 4000 });
    expect(parseLinkSpec('rosbridge:ws://lab:9090')).toMatchObject({ kind: 'rosbridge', url: 'ws://lab:9090' });
    expect(() => parseLinkSpec('usb')).toThrow(/unknown link/);
    expect(() => parseLinkSpec('tcp:host:notaport')).toThrow(/bad link/);
  });
});
