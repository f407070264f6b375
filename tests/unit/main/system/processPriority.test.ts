import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { describePriority, raiseProcessPriority } from '../../../../src/main/system/processPriority';

/** The scheduling policy the kernel reports for a process (field 41 of /proc/PID/stat: 0 other, 1 FIFO). */
function schedulingPolicy(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[38]);
}

function canUseRealtime(): boolean {
  try {
    execFileSync('chrt', ['--fifo', '1', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('raiseProcessPriority', () => {
  const children: ReturnType<typeof spawn>[] = [];
  afterEach(() => children.splice(0).forEach((child) => child.kill()));

  it.runIf(process.platform === 'linux')('gives the process SCHED_FIFO where allowed, and says so', async () => {
    const child = spawn('sleep', ['30']);
    children.push(child);
    const raised = await raiseProcessPriority(child.pid!, 7, -3);
    if (canUseRealtime()) {
      expect(raised).toEqual({ kind: 'realtime', fifoPriority: 7 });
      expect(schedulingPolicy(child.pid!)).toBe(1);
      expect(describePriority(raised)).toBe('real-time (SCHED_FIFO 7)');
    } else {
      expect(raised.kind).not.toBe('realtime');
      expect(schedulingPolicy(child.pid!)).toBe(0);
      expect(describePriority(raised)).toMatch(/refused|normal/);
    }
  });

  it('falls back to nice and explains why real-time was refused', async () => {
    const raised = await raiseProcessPriority(2 ** 22 + 12345, 7, -3);
    expect(raised.kind).toBe('none');
    expect(describePriority(raised)).toMatch(/^normal \(.+\)$/);
  });
});
