import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

/** The e2e tests drive the built app; build it once if the build is missing (CI builds before testing). */
export default function globalSetup(): void {
  const built = ['out/renderer/index.html', 'out/main/cli.js', 'out/main/index.js', 'out/preload/index.js'];
  if (built.every((file) => fs.existsSync(path.join(root, file)))) return;
  console.log('[e2e] building Coach (npm run build)…');
  execFileSync(process.execPath, [path.join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
}
