import { describe, expect, it } from 'vitest';
import {
  describeMotorFault,
  encodeFeedbackPacket,
  encodeFunctionFrame,
  encodeJointCommand,
  FeedbackAssembler,
  faultBitNames,
  FrameReader,
  type DecodedFrame,
  type MotorFeedback,
} from '../../../../src/shared/robot/wire';
import { seededRandom } from '../../../helpers/prng';

function motor(motorId: number, posRad = 0.1 * motorId, faultMask = 2): MotorFeedback {
  return { motorId, posRad, velRadS: 0, tauNm: 0, faultMask };
}

function sampleFrames(count: number, random: () => number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => {
    switch (i % 3) {
      case 0:
        return encodeFeedbackPacket([motor(1, random()), motor(2), motor(3)]);
      case 1:
        return encodeJointCommand({ motorId: 1 + (i % 7), posRad: 0.5, velRadS: 0, tauNm: 0, kp: 10, kd: 1 });
      default:
        return encodeFunctionFrame(1 + (i % 4));
    }
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function feedInChunks(reader: FrameReader, bytes: Uint8Array, random: () => number): DecodedFrame[] {
  const frames: DecodedFrame[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * 40);
    frames.push(...reader.push(bytes.subarray(at, at + size)));
    at += size;
  }
  return frames;
}

describe('FrameReader', () => {
  it('recovers every frame from random chunk splits and merges', () => {
    const random = seededRandom(1);
    const frames = sampleFrames(300, random);
    const reference = new FrameReader().push(concat(frames));
    expect(reference).toHaveLength(300);
    const reader = new FrameReader();
    expect(feedInChunks(reader, concat(frames), random)).toEqual(reference);
    expect(reader.stats).toMatchObject({ frames: 300, crcErrors: 0, garbageBytes: 0 });
  });

  it('resynchronises on random garbage (including stray 0xA5 bytes) without losing a good frame', () => {
    const random = seededRandom(2);
    const frames = sampleFrames(200, random);
    const reference = new FrameReader().push(concat(frames));
    const noisy: Uint8Array[] = [];
    for (const frame of frames) {
      const garbage = Array.from({ length: Math.floor(random() * 12) }, () =>
        random() < 0.3 ? 0xa5 : Math.floor(random() * 256),
      );
      noisy.push(new Uint8Array(garbage), frame);
    }
    const reader = new FrameReader();
    const decoded = feedInChunks(reader, concat(noisy), random);
    // Garbage can, rarely, form a valid frame of its own; every real frame must still arrive in order.
    let next = 0;
    for (const frame of decoded)
      if (next < reference.length && JSON.stringify(frame) === JSON.stringify(reference[next])) next += 1;
    expect(next).toBe(reference.length);
    expect(reader.stats.garbageBytes).toBeGreaterThan(0);
  });

  it('drops frames with a bad CRC, counts them, and keeps the next good one', () => {
    const good = encodeFunctionFrame(1);
    const corrupt = encodeJointCommand({ motorId: 2, posRad: 1, velRadS: 0, tauNm: 0, kp: 5, kd: 1 });
    corrupt[8] = corrupt[8]! ^ 0xff;
    const reader = new FrameReader();
    const frames = reader.push(concat([corrupt, good]));
    expect(frames).toEqual([{ kind: 'function', code: 1 }]);
    expect(reader.stats.crcErrors).toBe(1);
  });

  it('finds a good frame that starts inside a truncated one', () => {
    const truncated = encodeJointCommand({ motorId: 2, posRad: 1, velRadS: 0, tauNm: 0, kp: 5, kd: 1 }).subarray(0, 9);
    const good = encodeFeedbackPacket([motor(4), motor(5), motor(6), motor(7)]);
    const reader = new FrameReader();
    const frames = reader.push(concat([truncated, good]));
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ kind: 'feedback' });
    expect(reader.stats.crcErrors).toBe(1);
  });

  it('keeps its buffer bounded under endless garbage', () => {
    const reader = new FrameReader();
    const random = seededRandom(3);
    for (let i = 0; i < 2000; i += 1) {
      reader.push(new Uint8Array(Array.from({ length: 64 }, () => (random() < 0.5 ? 0xa5 : 0x01))));
    }
    const frames = reader.push(encodeFunctionFrame(4));
    expect(frames.at(-1)).toEqual({ kind: 'function', code: 4 });
  });
});

describe('FeedbackAssembler', () => {
  it('merges the 3- and 4-motor packets into one 7-motor state', () => {
    const assembler = new FeedbackAssembler();
    expect(assembler.push([motor(1), motor(2), motor(3)])).toBeNull();
    const state = assembler.push([motor(4), motor(5), motor(6), motor(7)]);
    expect(state?.map((m) => m.motorId)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('counts a lost packet and uses the newest values', () => {
    const assembler = new FeedbackAssembler();
    assembler.push([motor(1, 0.1), motor(2), motor(3)]);
    assembler.push([motor(1, 0.9), motor(2), motor(3)]);
    const state = assembler.push([motor(4), motor(5), motor(6), motor(7)]);
    expect(assembler.incompleteCycles).toBe(1);
    expect(state?.[0]?.posRad).toBe(0.9);
  });
});

describe('fault masks', () => {
  it('decode to names', () => {
    expect(faultBitNames((1 << 1) | (1 << 12) | (1 << 16))).toEqual(['enabled', 'overcurrent', 'overload']);
  });

  it('treat status bits, bit 6 alone and the gripper position jump as no fault', () => {
    expect(describeMotorFault(1, 2)).toBeNull();
    expect(describeMotorFault(1, 64)).toBeNull();
    expect(describeMotorFault(7, 8 | 2)).toBeNull();
    expect(describeMotorFault(3, 8 | 2)).toEqual({
      motorId: 3,
      motor: 'arm_joint3',
      bits: [3],
      names: ['position jump'],
    });
    expect(describeMotorFault(2, 64 | (1 << 13))?.names).toEqual(['ECU→ACU timeout', 'MOS over temperature']);
  });
});
