import { describe, expect, it } from 'vitest';
import {
  containsBinary,
  decodeBinaryEnvelope,
  encodeBinaryEnvelope,
} from '../../../src/shared/contract/binaryEnvelope';

describe('binary envelope', () => {
  it('round-trips typed arrays of several kinds inside nested values', () => {
    const pixels = new Uint8Array([1, 2, 3, 250]);
    const joints = new Float32Array([0.5, -1.25, 3.5]);
    const offsetView = new Float64Array(new Float64Array([9, 8, 7, 6]).buffer, 8, 2);
    const message = { op: 'event', sub: 3, value: { pixels, nested: [{ joints }, offsetView], label: 'scene' } };
    expect(containsBinary(message)).toBe(true);
    const decoded = decodeBinaryEnvelope(encodeBinaryEnvelope(message));
    expect(decoded).toEqual(message);
    const value = decoded.value as { nested: [{ joints: Float32Array }, Float64Array] };
    expect(value.nested[0].joints).toBeInstanceOf(Float32Array);
    expect(Array.from(value.nested[1])).toEqual([8, 7]);
  });

  it('carries Node Buffers as bytes, not as their JSON form', () => {
    const decoded = decodeBinaryEnvelope(encodeBinaryEnvelope({ value: { jpeg: Buffer.from([0xff, 0xd8, 0xff]) } }));
    const jpeg = (decoded.value as { jpeg: Uint8Array }).jpeg;
    expect(jpeg).toBeInstanceOf(Uint8Array);
    expect(Array.from(jpeg)).toEqual([0xff, 0xd8, 0xff]);
  });

  it('says a plain value holds no binary', () => {
    expect(containsBinary({ a: [1, { b: 'c' }], d: null })).toBe(false);
  });

  it('refuses truncated and corrupt messages with a reason', () => {
    const bytes = encodeBinaryEnvelope({ value: { pixels: new Uint8Array(64) } });
    expect(() => decodeBinaryEnvelope(bytes.subarray(0, 2))).toThrow(/shorter/);
    expect(() => decodeBinaryEnvelope(bytes.subarray(0, bytes.byteLength - 1))).toThrow(/past the end/);
    const lying = bytes.slice();
    new DataView(lying.buffer).setUint32(0, 1e9, true);
    expect(() => decodeBinaryEnvelope(lying)).toThrow(/header runs past/);
  });
});
