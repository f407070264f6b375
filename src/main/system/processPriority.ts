import { execFile } from 'node:child_process';
import os from 'node:os';

/** How a process's scheduling was raised: real-time (SCHED_FIFO), a higher nice priority, or not at all. */
export type RaisedPriority =
  | { kind: 'realtime'; fifoPriority: number }
  | { kind: 'nice'; nice: number; realtimeRefused: string }
  | { kind: 'none'; why: string };

/**
 * Raises a control process's scheduling so a busy desktop (drawing, encoding,
 * the browser) cannot delay its ticks: SCHED_FIFO on its main thread through
 * util-linux `chrt` where allowed (root, CAP_SYS_NICE or an rtprio limit),
 * else a higher nice priority, else nothing. Only the main thread is raised:
 * its event loop sleeps between ticks, so it cannot starve the rest, and the
 * kernel's real-time throttling still bounds a runaway.
 */
export function raiseProcessPriority(pid: number, fifoPriority: number, fallbackNice: number): Promise<RaisedPriority> {
  if (process.platform !== 'linux') return Promise.resolve(niceOnly(pid, fallbackNice, 'SCHED_FIFO is Linux-only'));
  return new Promise((resolve) => {
    execFile('chrt', ['--fifo', '--pid', String(fifoPriority), String(pid)], { timeout: 2000 }, (error, _out, err) => {
      if (!error) {
        resolve({ kind: 'realtime', fifoPriority });
        return;
      }
      const why = (err || error.message).trim().split('\n')[0] ?? 'refused';
      resolve(niceOnly(pid, fallbackNice, why));
    });
  });
}

function niceOnly(pid: number, nice: number, realtimeRefused: string): RaisedPriority {
  try {
    os.setPriority(pid, nice);
    return { kind: 'nice', nice, realtimeRefused };
  } catch (error) {
    return { kind: 'none', why: `${realtimeRefused}; nice ${nice}: ${(error as Error).message}` };
  }
}

export function describePriority(priority: RaisedPriority): string {
  switch (priority.kind) {
    case 'realtime':
      return `real-time (SCHED_FIFO ${priority.fifoPriority})`;
    case 'nice':
      return `nice ${priority.nice} (real-time refused: ${priority.realtimeRefused})`;
    case 'none':
      return `normal (${priority.why})`;
  }
}
