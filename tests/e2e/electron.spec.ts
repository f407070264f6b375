import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { repoRoot } from './serveProcess';
import { electronBinary } from './electronBinary';

const binary = electronBinary();
if (!binary.path) console.log(`[electron e2e] skipped: ${binary.reason}`);

test.describe('Electron shell', () => {
  test.skip(!binary.path, binary.reason);

  test('the window shows versions from main over IPC, with the page sandboxed', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-electron-'));
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [path.join(repoRoot, 'out/main/index.js'), '--data', dataDir, '--no-sandbox'],
      cwd: repoRoot,
    });
    try {
      const page = await app.firstWindow();
      await expect(page.getByTestId('connection-state')).toHaveText(/Connected to main · Electron IPC/);
      await expect(page.getByTestId('version-electron')).toHaveText(/^\d+\.\d+\.\d+/);
      await expect(page.getByTestId('data-dir')).toHaveText(dataDir);
      await expect(page.getByTestId('health-uptime')).toHaveText(/\d+ s/);
      // The page has no Node: contextIsolation and sandbox are on.
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
      // New windows are denied.
      await page.evaluate(() => (globalThis as unknown as { open(url: string): unknown }).open('https://example.com'));
      expect(app.windows()).toHaveLength(1);
      fs.mkdirSync(path.join(repoRoot, 'tests/e2e/artifacts'), { recursive: true });
      await page.screenshot({ path: path.join(repoRoot, 'tests/e2e/artifacts/electron.png') });
    } finally {
      await app.close();
    }
  });
});
