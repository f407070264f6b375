import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'Coach';

/** The per-user app-data folder, where Electron's userData also points: settings and episodes live here. */
export function defaultDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), APP_DIR_NAME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', APP_DIR_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), APP_DIR_NAME);
}

export interface AppPackage {
  root: string;
  name: string;
  productName: string;
  version: string;
}

/** Finds Coach's own package.json walking up from a folder (works from src/ and from the built out/). */
export function findAppPackage(startDir: string): AppPackage {
  let dir = path.resolve(startDir);
  for (;;) {
    const candidate = path.join(dir, 'package.json');
    if (fs.existsSync(candidate)) {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8')) as {
        name?: string;
        productName?: string;
        version?: string;
      };
      if (pkg.name === 'coach') {
        return { root: dir, name: pkg.name, productName: pkg.productName ?? 'Coach', version: pkg.version ?? '0.0.0' };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find Coach's package.json above ${startDir}`);
    dir = parent;
  }
}

/** Creates the data folder, or explains why it cannot be used. */
export function ensureDataDir(dataDir: string): string {
  const resolved = path.resolve(dataDir);
  try {
    fs.mkdirSync(resolved, { recursive: true });
    fs.accessSync(resolved, fs.constants.W_OK);
  } catch (error) {
    throw new Error(
      `cannot use data folder ${resolved}: ${(error as Error).message}. Choose a writable folder with --data DIR.`,
    );
  }
  return resolved;
}
