import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { repoRoot } from './serveProcess';

export const artifactsDir = path.join(repoRoot, 'tests/e2e/artifacts');

/**
 * Chromium's note that a WebGL canvas is read back to the CPU: with --disable-gpu (as here) every frame of the
 * 3D arm view is composited in software, so the driver reports it. A performance note of the test browser,
 * not a problem of the page.
 */
const SOFTWARE_COMPOSITING_NOTE = /GL Driver Message \(OpenGL, Performance, [^)]*\): GPU stall due to ReadPixels/;

/** Collects the page's console errors and warnings (CSP violations among them) and uncaught exceptions. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'warning' && SOFTWARE_COMPOSITING_NOTE.test(message.text())) return;
    if (message.type() === 'error' || message.type() === 'warning')
      problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  return problems;
}

/** Writes a screenshot under tests/e2e/artifacts/ (ignored by git) for a person to look at. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(artifactsDir, { recursive: true });
  await page.screenshot({ path: path.join(artifactsDir, name) });
}
