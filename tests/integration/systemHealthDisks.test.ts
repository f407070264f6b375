import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../src/main/coach';
import type { SystemHealth } from '../../src/shared/system';

let coach: Coach | null = null;
let dataDir: string;

afterEach(async () => {
  await coach?.close();
  coach = null;
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('createCoach: system.health disks', () => {
  it('reports the free space of the data and recordings folders’ disk (real statfs)', async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-disks-'));
    coach = createCoach({
      dataDir,
      host: 'test',
      healthIntervalMs: 50,
      arm: { autoConnect: false },
      policy: { autoLoad: false },
    });
    const samples: SystemHealth[] = [];
    const outcome = coach.server.subscribe('system.health', {}, (sample) => samples.push(sample as SystemHealth));
    expect(outcome.ok).toBe(true);
    await expect.poll(() => samples.some((sample) => sample.disks), { timeout: 5000 }).toBe(true);
    if (outcome.ok) outcome.unsubscribe();
    const disks = samples.find((sample) => sample.disks)!.disks!;
    expect(disks.map((disk) => [disk.role, disk.path])).toEqual([
      ['data', coach.dataDir],
      ['recordings', path.join(coach.dataDir, 'episodes')],
    ]);
    const stats = fs.statfsSync(dataDir);
    for (const disk of disks) {
      expect(disk.error).toBeNull();
      expect(disk.totalBytes).toBe(stats.blocks * stats.bsize);
      expect(disk.freeBytes).toBeGreaterThan(0);
    }
  });
});
