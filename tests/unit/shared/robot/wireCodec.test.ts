import { describe, expect, it } from 'vitest';
import { A1_MOTOR_LIMITS, FUNCTION_CODES } from '../../../../src/shared/robot/a1Spec';
import {
  clampJointCommand,
  crc16Mcrf4xx,
  decodeFrameData,
  encodeFeedbackPacket,
  encodeFunctionFrame,
  encodeJointCommand,
  FrameReader,
  MAX_KD,
  MAX_KP,
  resolution,
  WireValueError,
  type JointCommand,
} from '../../../../src/shared/robot/wire';
import { seededRandom, uniform } from '../../../helpers/prng';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function decodeCommand(bytes: Uint8Array): JointCommand {
  const decoded = decodeFrameData(bytes[1]!, bytes.subarray(4, 4 + bytes[2]!));
  if (decoded.kind !== 'jointCommand') throw new Error('not a joint command');
  return decoded.command;
}

describe('CRC-16/MCRF4XX', () => {
  it('has the documented check value', () => {
    expect(crc16Mcrf4xx(new TextEncoder().encode('123456789'))).toBe(0x6f91);
  });
});

describe('joint command frames (cmd 0x10)', () => {
  it('have the documented 17-byte layout, big-endian fields and a low-byte-first CRC', () => {
    const bytes = encodeJointCommand({ motorId: 3, posRad: -1, velRadS: 0, tauNm: 0, kp: 20, kd: 1 });
    expect(bytes.length).toBe(17);
    expect(hex(bytes.subarray(0, 5))).toBe('a5100b0003');
    // pos: (−1 + 15)·1000 = 14000 = 0x36B0; vel: 50·600 = 30000 = 0x7530; tau: 60·500 = 30000; kp: 1020·10 = 10200 = 0x27D8; kd: 101·100 = 10100 = 0x2774
    expect(hex(bytes.subarray(5, 15))).toBe('36b07530753027d82774');
    const crc = crc16Mcrf4xx(bytes, 0, 15);
    expect(bytes[15]).toBe(crc & 0xff);
    expect(bytes[16]).toBe(crc >>> 8);
  });

  it('decode back within one resolution step for every value inside the safe ranges', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 5000; i += 1) {
      const motorId = 1 + Math.floor(random() * 7);
      const limit = A1_MOTOR_LIMITS[motorId - 1]!;
      const command = {
        motorId,
        posRad: uniform(random, limit.lowerRad, limit.upperRad),
        velRadS: uniform(random, -limit.velocityRadS, limit.velocityRadS),
        tauNm: uniform(random, -limit.effortNm, limit.effortNm),
        kp: uniform(random, 0, MAX_KP),
        kd: uniform(random, 0, MAX_KD),
      };
      const decoded = decodeCommand(encodeJointCommand(command));
      expect(decoded.motorId).toBe(motorId);
      for (const field of ['posRad', 'velRadS', 'tauNm', 'kp', 'kd'] as const) {
        const step = resolution(field);
        // trunc moves values toward the offset origin by less than one step (float error allowed)
        expect(Math.abs(decoded[field] - command[field])).toBeLessThan(step + 1e-9);
      }
    }
  });

  it('clamps to the joint, velocity, effort and gain limits and says which fields it moved', () => {
    const { command, clampedFields } = clampJointCommand({
      motorId: 2,
      posRad: 5,
      velRadS: -100,
      tauNm: 3,
      kp: 10_000,
      kd: -1,
    });
    expect(command).toEqual({ motorId: 2, posRad: 3.1415, velRadS: -20.944, tauNm: 3, kp: MAX_KP, kd: 0 });
    expect(clampedFields).toEqual(['posRad', 'velRadS', 'kp', 'kd']);
    // J6 is narrowed to ±105° by the hardware guide.
    expect(
      clampJointCommand({ motorId: 6, posRad: 2.5, velRadS: 0, tauNm: 0, kp: 1, kd: 1 }).command.posRad,
    ).toBeCloseTo((105 * Math.PI) / 180, 9);
  });

  it('can never wrap around, whatever the input', () => {
    const random = seededRandom(99);
    for (let i = 0; i < 2000; i += 1) {
      const motorId = 1 + Math.floor(random() * 7);
      const limit = A1_MOTOR_LIMITS[motorId - 1]!;
      const huge = () => (random() < 0.5 ? -1 : 1) * 10 ** uniform(random, 0, 12);
      const decoded = decodeCommand(
        encodeJointCommand({ motorId, posRad: huge(), velRadS: huge(), tauNm: huge(), kp: huge(), kd: huge() }),
      );
      expect(decoded.posRad).toBeGreaterThanOrEqual(limit.lowerRad - resolution('posRad'));
      expect(decoded.posRad).toBeLessThanOrEqual(limit.upperRad + resolution('posRad'));
      expect(Math.abs(decoded.velRadS)).toBeLessThanOrEqual(limit.velocityRadS + resolution('velRadS'));
      expect(Math.abs(decoded.tauNm)).toBeLessThanOrEqual(limit.effortNm + resolution('tauNm'));
      expect(decoded.kp).toBeLessThanOrEqual(MAX_KP + resolution('kp'));
      expect(decoded.kd).toBeGreaterThanOrEqual(-resolution('kd'));
    }
  });

  it('refuses NaN, Inf and unknown motors', () => {
    const good = { motorId: 1, posRad: 0, velRadS: 0, tauNm: 0, kp: 10, kd: 1 };
    expect(() => encodeJointCommand({ ...good, posRad: NaN })).toThrow(WireValueError);
    expect(() => encodeJointCommand({ ...good, kd: Infinity })).toThrow(/kd is Infinity/);
    expect(() => encodeJointCommand({ ...good, motorId: 8 })).toThrow(/motor id/);
    expect(() => encodeJointCommand({ ...good, motorId: 0 })).toThrow(/motor id/);
  });
});

describe('function frames (cmd 0x11)', () => {
  it('encode enable, disable and clear-error', () => {
    expect(hex(encodeFunctionFrame(FUNCTION_CODES.enable)).slice(0, 10)).toBe('a511010001');
    expect(hex(encodeFunctionFrame(FUNCTION_CODES.disable)).slice(0, 10)).toBe('a511010002');
    expect(hex(encodeFunctionFrame(FUNCTION_CODES.clearError)).slice(0, 10)).toBe('a511010004');
    expect(encodeFunctionFrame(1).length).toBe(7);
  });
});

describe('feedback packets (cmd 0x01)', () => {
  it('round-trip positions, velocities, torques and 17-bit fault masks', () => {
    const motors = [
      { motorId: 4, posRad: 1.234, velRadS: -0.5, tauNm: 2.25, faultMask: (1 << 16) | (1 << 12) | 2 },
      { motorId: 5, posRad: -1.5, velRadS: 3, tauNm: -6, faultMask: 64 },
      { motorId: 6, posRad: 0, velRadS: 0, tauNm: 0, faultMask: 0 },
      { motorId: 7, posRad: 1.9, velRadS: 0.1, tauNm: 0, faultMask: 8 },
    ];
    const reader = new FrameReader();
    const [decoded] = reader.push(encodeFeedbackPacket(motors));
    expect(decoded?.kind).toBe('feedback');
    if (decoded?.kind !== 'feedback') return;
    decoded.motors.forEach((motor, i) => {
      expect(motor.motorId).toBe(motors[i]!.motorId);
      expect(motor.faultMask).toBe(motors[i]!.faultMask);
      expect(motor.posRad).toBeCloseTo(motors[i]!.posRad, 2);
      expect(motor.velRadS).toBeCloseTo(motors[i]!.velRadS, 2);
      expect(motor.tauNm).toBeCloseTo(motors[i]!.tauNm, 2);
    });
  });
});
