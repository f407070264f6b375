import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..');

export interface ServedCoach {
  url: string;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Runs the real `coach serve` command (bin/coach.js on the built app) and waits for its URL. */
export async function startCoachServe(extraArgs: string[] = []): Promise<ServedCoach> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-e2e-'));
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/coach.js'), 'serve', '--port', '0', '--data', dataDir, ...extraArgs],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coach serve printed no URL in 20 s:\n${output}`)), 20_000);
    const check = () => {
      const match = /Coach console: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`coach serve exited with ${code}:\n${output}`)));
  });
  return {
    url,
    dataDir,
    process: child,
    output: () => output,
    // The data folder (settings, recorded episodes) goes with the server.
    stop: () =>
      new Promise<number | null>((resolve) => {
        // A process a signal ended has no exit code, and its 'exit' has been heard already.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }).finally(() => fs.rmSync(dataDir, { recursive: true, force: true })),
  };
}
