import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeCheckpoint,
  encodeCheckpoint,
  readCheckpoint,
  writeCheckpoint,
} from '../../../../../src/main/training/checkpoint';

describe('training checkpoint files', () => {
  const checkpoint = {
    meta: { step: 12, note: 'ünïcode', nested: { seed: 3 } },
    groups: {
      params: { 'expert/a.weight': Float32Array.from([1, 2.5, -3]), 'prefix/b': Float32Array.from([Math.PI]) },
      m: { 'expert/a.weight': Float32Array.from([0, 1e-30, 7]), 'prefix/b': new Float32Array(1) },
    },
  };

  it('round-trip metadata and every value bit for bit', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-ckpt-'));
    const file = path.join(dir, 'run.ckpt');
    await writeCheckpoint(file, checkpoint);
    const read = await readCheckpoint(file);
    expect(read).toEqual(checkpoint);
    expect(await fs.readdir(dir)).toEqual(['run.ckpt']);
    await fs.rm(dir, { recursive: true });
  });

  it('refuses other files and truncated ones', () => {
    const bytes = encodeCheckpoint(checkpoint);
    expect(() => decodeCheckpoint(new TextEncoder().encode('hello world, not a checkpoint'), 'x.ckpt')).toThrow(
      'x.ckpt: is not a Coach training checkpoint',
    );
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'x.ckpt')).toThrow(/truncated/);
  });
});
