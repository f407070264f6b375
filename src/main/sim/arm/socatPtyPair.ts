import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SOCAT_PRIORITY = -5;

export interface PtyPair {
  /** The end Coach opens, as it would open /dev/ttyACM0. */
  hostPath: string;
  /** The end the simulated firmware opens. */
  devicePath: string;
  close(): void;
}

/** Starts `socat` joining two pseudo-terminals, so the real serialport code path can be exercised. */
export async function startSocatPtyPair(timeoutMs = 5000): Promise<PtyPair> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-pty-'));
  const hostPath = path.join(dir, 'a1-host');
  const devicePath = path.join(dir, 'a1-device');
  let child: ChildProcess;
  try {
    child = spawn('socat', [`pty,raw,echo=0,link=${hostPath}`, `pty,raw,echo=0,link=${devicePath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw new Error(`cannot start socat (${(error as Error).message}); install it with "apt-get install socat"`);
  }
  try {
    // socat stands in for the USB cable and kernel driver; keep it from being starved on a busy machine.
    if (child.pid) os.setPriority(child.pid, SOCAT_PRIORITY);
  } catch {
    // Not permitted for this user: fine, just less steady latency.
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const spawnError = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`cannot start socat (${error.message}); install it with "apt-get install socat"`)),
    ),
  );
  const ready = (async () => {
    const deadline = Date.now() + timeoutMs;
    while (!(fs.existsSync(hostPath) && fs.existsSync(devicePath))) {
      if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`socat made no pty pair within ${timeoutMs} ms: ${stderr.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  try {
    await Promise.race([ready, spawnError]);
  } catch (error) {
    child.kill();
    throw error;
  }
  // socat must not outlive the process that started it.
  const killOnExit = () => child.kill();
  process.once('exit', killOnExit);
  return {
    hostPath,
    devicePath,
    close: () => {
      process.removeListener('exit', killOnExit);
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
