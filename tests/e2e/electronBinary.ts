import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './serveProcess';

/** Where the electron package keeps its binary; it is downloaded on first use and may be absent (no network). */
export function electronBinary(): { path: string | null; reason: string } {
  const packageDir = path.join(repoRoot, 'node_modules/electron');
  const pathFile = path.join(packageDir, 'path.txt');
  if (!fs.existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'no Electron binary: node_modules/electron has not downloaded it (it fetches from GitHub on first run, which this machine cannot reach). Run "npx electron --version" on a networked machine to get it.',
    };
  }
  const binary = path.join(packageDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  if (!fs.existsSync(binary)) return { path: null, reason: `Electron binary listed in path.txt is missing: ${binary}` };
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { path: null, reason: 'no display for Electron (set DISPLAY, e.g. run under xvfb-run)' };
  }
  return { path: binary, reason: '' };
}
