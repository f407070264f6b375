// Starts the real `coach serve` (bin/coach.js on the built app) with a fresh data folder, as the e2e tests do, and
// keeps only the tail of its output (a soak runs for half an hour).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.join(__dirname, '..', '..');
const OUTPUT_TAIL_CHARS = 64 * 1024;

export interface SoakServe {
  /** The console's URL with its token. */
  url: string;
  /** The contract's WebSocket address with the token. */
  wsUrl: string;
  dataDir: string;
  process: ChildProcess;
  outputTail: () => string;
  /** Stops the server; removes the data folder unless asked to keep it. */
  stop: (keepData: boolean) => Promise<void>;
}

/** Builds Coach (electron-vite) when the built app is missing, as the e2e global setup does. */
export function ensureBuilt(): void {
  const built = ['out/renderer/index.html', 'out/main/cli.js', 'out/main/armProcess.js'];
  if (built.every((file) => fs.existsSync(path.join(repoRoot, file)))) return;
  console.log('soak: building Coach (electron-vite build)…');
  execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}

export async function startSoakServe(): Promise<SoakServe> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-soak-'));
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, 'bin/coach.js'), 'serve', '--port', '0', '--data', dataDir],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`coach serve printed no URL in 60 s:\n${output}`)), 60_000);
    const check = () => {
      const match = /Coach console: (http:\/\/\S+)/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(match[1]!);
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`coach serve exited with ${code}:\n${output}`)));
  });
  const address = new URL(url);
  const wsUrl = `ws://${address.host}/ws?token=${address.searchParams.get('token') ?? ''}`;
  return {
    url,
    wsUrl,
    dataDir,
    process: child,
    outputTail: () => output,
    stop: async (keepData) => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (!keepData) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
