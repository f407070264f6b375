import { spawn, type ChildProcess } from 'node:child_process';
import tty from 'node:tty';
import type { ByteChannel } from '../../robot/link/byteChannel';
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

/**
 * The simulated firmware's end of the pty pair. It stands in for the arm's
 * microcontroller, so it reads the tty through libuv's own tty handle (no
 * thread-pool hop, as serialport's reader takes) and writes straight to it;
 * Coach's end keeps using serialport, the code path a real arm exercises.
 */
export function openPtyDeviceEnd(devicePath: string): ByteChannel {
  const fd = fs.openSync(devicePath, fs.constants.O_RDWR | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  const stream = new tty.ReadStream(fd);
  stream.setRawMode(true);
  const closeListeners: ((reason: string) => void)[] = [];
  let closed: string | null = null;
  const finish = (reason: string) => {
    if (closed !== null) return;
    closed = reason;
    closeListeners.forEach((listener) => listener(reason));
  };
  stream.on('error', (error) => finish(error.message));
  stream.on('close', () => finish('pty closed'));
  return {
    description: `simulated firmware on ${devicePath}`,
    write: (bytes) => {
      if (closed !== null) return;
      try {
        fs.writeSync(fd, bytes);
      } catch (error) {
        // A full pty buffer (nobody reading): drop this feedback like firmware would; anything else ends the link.
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') finish((error as Error).message);
      }
    },
    onData: (listener) => stream.on('data', (chunk: Buffer) => listener(chunk)),
    onClose: (listener) => {
      if (closed !== null) listener(closed);
      else closeListeners.push(listener);
    },
    close: () => {
      stream.destroy();
      finish('closed');
    },
  };
}
