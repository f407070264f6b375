import type { ChildProcess } from 'node:child_process';

/** Sends a signal to the child's whole process group (it was spawned detached), so its workers stop too. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

/**
 * Stops a child spawned with `detached: true`: SIGTERM to its process group, then SIGKILL after graceMs
 * if it has not exited. Resolves once the child has exited (at once if it already has).
 */
export function terminateProcessGroup(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      // Workers that ignored SIGTERM go with the group's SIGKILL.
      signalGroup(child, 'SIGKILL');
      resolve();
    });
    signalGroup(child, 'SIGTERM');
  });
}
