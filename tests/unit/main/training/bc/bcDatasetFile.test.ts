import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBcDatasetFile, writeBcDatasetFile } from '../../../../../src/main/training/bc/bcDatasetFile';
import { syntheticDataset } from './syntheticDataset';

describe('BC dataset files', () => {
  it('hold every sample as it was, with or without the robot state', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-bcdata-'));
    for (const robotState of [false, true]) {
      const source = syntheticDataset({ size: 5, widthPx: 9, heightPx: 7, robotState });
      const file = path.join(dir, `data-${robotState}.bc`);
      const header = writeBcDatasetFile(file, source, { widthPx: 9, heightPx: 7 });
      expect(header.instructions).toHaveLength(4);
      const read = openBcDatasetFile(file);
      expect(read.size).toBe(5);
      for (let i = 0; i < 5; i += 1) {
        const expected = source.get(i);
        if (expected.robotState) expected.robotState = Array.from(Float32Array.from(expected.robotState));
        expect(read.get(i)).toEqual(expected);
      }
      expect(() => read.get(5)).toThrow(RangeError);
      read.close();
    }
    expect((await fs.readdir(dir)).sort()).toEqual(['data-false.bc', 'data-true.bc']);
    await fs.rm(dir, { recursive: true });
  });

  it("hold the other cameras' pictures after the first, and refuse a sample missing one", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-bcdata-'));
    const base = syntheticDataset({ size: 3, widthPx: 9, heightPx: 7, robotState: true });
    const wristOf = (i: number) => Uint8Array.from({ length: 5 * 3 * 3 }, (_, k) => (k * 11 + i * 31) % 256);
    const source = { size: 3, get: (i: number) => ({ ...base.get(i), moreImages: { wrist: wristOf(i) } }) };
    const file = path.join(dir, 'data.bc');
    const wrist = { name: 'wrist', widthPx: 5, heightPx: 3 };
    const header = writeBcDatasetFile(file, source, { widthPx: 9, heightPx: 7 }, [wrist]);
    expect(header.moreCameras).toEqual([wrist]);
    const read = openBcDatasetFile(file);
    for (let i = 0; i < 3; i += 1) {
      expect(Array.from(read.get(i).moreImages!.wrist!)).toEqual(Array.from(wristOf(i)));
      expect(Array.from(read.get(i).image)).toEqual(Array.from(base.get(i).image));
    }
    read.close();
    expect(() => writeBcDatasetFile(path.join(dir, 'bad.bc'), base, { widthPx: 9, heightPx: 7 }, [wrist])).toThrow(
      `sample 0's "wrist" picture has no bytes (missing), 5×3 RGB needs 45`,
    );
    await fs.rm(dir, { recursive: true });
  });

  it('refuses a truncated file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-bcdata-'));
    const file = path.join(dir, 'data.bc');
    writeBcDatasetFile(file, syntheticDataset({ size: 2, widthPx: 4, heightPx: 4 }), { widthPx: 4, heightPx: 4 });
    await fs.truncate(file, (await fs.stat(file)).size - 8);
    expect(() => openBcDatasetFile(file)).toThrow(/truncated/);
    await fs.rm(dir, { recursive: true });
  });
});
