import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readDisks, readDiskSpace } from '../../../../src/main/system/diskSpace';
import { HealthMonitor } from '../../../../src/main/system/healthMonitor';
import { systemHealthSchema, type SystemHealth } from '../../../../src/shared/system';

let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-disk-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Other processes write to the same disk while the test runs: free space may move by this much. */
const DRIFT_BYTES = 512 * 1024 ** 2;

describe('readDiskSpace', () => {
  it('reads the real free and total bytes of the disk holding a folder', async () => {
    const space = await readDiskSpace(dir);
    const stats = fs.statfsSync(dir);
    expect(space.totalBytes).toBe(stats.blocks * stats.bsize);
    expect(space.totalBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.totalBytes);
    expect(Math.abs(space.freeBytes - stats.bavail * stats.bsize)).toBeLessThan(DRIFT_BYTES);
  });

  it('measures a folder that does not exist yet at its nearest existing parent', async () => {
    const missing = path.join(dir, 'episodes', 'not', 'yet');
    const space = await readDiskSpace(missing);
    const parent = await readDiskSpace(dir);
    expect(space.totalBytes).toBe(parent.totalBytes);
    expect(Math.abs(space.freeBytes - parent.freeBytes)).toBeLessThan(DRIFT_BYTES);
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('fails for a path under a file, and readDisks keeps that as the folder’s error', async () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'x');
    await expect(readDiskSpace(path.join(file, 'below'))).rejects.toThrow(/ENOTDIR/);
    const [good, bad] = await readDisks([
      { role: 'data', path: dir },
      { role: 'recordings', path: path.join(file, 'below') },
    ]);
    expect(good).toMatchObject({ role: 'data', path: dir, error: null });
    expect(good!.freeBytes).toBeGreaterThan(0);
    expect(bad).toMatchObject({ role: 'recordings', freeBytes: 0, totalBytes: 0 });
    expect(bad!.error).toMatch(/ENOTDIR/);
  });
});

describe('HealthMonitor disks', () => {
  it('publishes the disks of its folders in the health samples, valid under the contract schema', async () => {
    const recordings = path.join(dir, 'episodes');
    const monitor = new HealthMonitor(20, {
      folders: () => [
        { role: 'data', path: dir },
        { role: 'recordings', path: recordings },
      ],
      diskIntervalMs: 50,
    });
    const samples: SystemHealth[] = [];
    const unsubscribe = monitor.topic.subscribe((sample) => samples.push(sample));
    try {
      monitor.start();
      await expect.poll(() => samples.find((sample) => sample.disks), { timeout: 5000 }).toBeTruthy();
      const sample = samples.find((one) => one.disks)!;
      expect(systemHealthSchema.parse(sample)).toEqual(sample);
      expect(sample.disks!.map((disk) => disk.role)).toEqual(['data', 'recordings']);
      expect(sample.disks![1]!.path).toBe(recordings);
      const stats = fs.statfsSync(dir);
      for (const disk of sample.disks!) {
        expect(disk.error).toBeNull();
        expect(disk.totalBytes).toBe(stats.blocks * stats.bsize);
      }
    } finally {
      unsubscribe();
      monitor.stop();
    }
  });

  it('leaves disks out when it watches no folders', () => {
    const monitor = new HealthMonitor(1000);
    expect(monitor.sample().disks).toBeUndefined();
  });
});
