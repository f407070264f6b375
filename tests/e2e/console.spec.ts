import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { repoRoot, startCoachServe, type ServedCoach } from './serveProcess';
import { saveScreenshot, watchPageProblems } from './pageChecks';

const appVersion = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
  .version;
const ortVersion = (
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules/onnxruntime-node/package.json'), 'utf8')) as {
    version: string;
  }
).version;

let served: ServedCoach;

test.beforeEach(async () => {
  served = await startCoachServe();
});

test.afterEach(async () => {
  await served.stop();
});

test('coach serve prints a tokened loopback URL and refuses the page without the token', async ({ page }) => {
  const url = new URL(served.url);
  expect(url.hostname).toBe('127.0.0.1');
  expect(url.searchParams.get('token')).toMatch(/^[A-Za-z0-9_-]{32,}$/);

  const response = await page.goto(`${url.origin}/`);
  expect(response?.status()).toBe(401);
  await expect(page.locator('body')).toContainText('needs the token');
});

test('the console shows versions from main and live health numbers', async ({ page }) => {
  const problems = watchPageProblems(page);

  await page.goto(served.url);
  await expect(page.getByTestId('connection-state')).toHaveText(/Connected to main · WebSocket/);
  await expect(page.getByTestId('version-app')).toHaveText(appVersion);
  await expect(page.getByTestId('version-node')).toHaveText(process.versions.node);
  await expect(page.getByTestId('version-ort')).toHaveText(ortVersion);
  await expect(page.getByTestId('version-chromium')).toContainText('this page runs in Chromium');
  await expect(page.getByTestId('providers')).toContainText('CPU');
  await expect(page.getByTestId('status-provider')).toHaveText(/^(CPU|CUDA)$/);
  await expect(page.getByTestId('data-dir')).toHaveText(served.dataDir);

  // Live: the uptime shown must change as 1 Hz samples arrive from main.
  const uptime = page.getByTestId('health-uptime');
  await expect(uptime).toHaveText(/\d+ s/);
  const first = await uptime.textContent();
  await expect(uptime).not.toHaveText(first!, { timeout: 5000 });
  await expect(page.getByTestId('health-rss')).toContainText('MiB');
  await expect(page.getByTestId('health-loop')).toContainText('ms');

  await saveScreenshot(page, 'console.png');

  // No CSP violations, no script errors.
  expect(problems).toEqual([]);
});

test('the console says so when main goes away, and the CLI stops cleanly', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('connection-state')).toHaveText(/Connected/);
  const exitCode = await served.stop();
  expect(exitCode).toBe(0);
  expect(served.output()).toContain('stopping Coach');
  await expect(page.getByTestId('connection-state')).toHaveText(/reconnecting/);
  await saveScreenshot(page, 'console-disconnected.png');
});
