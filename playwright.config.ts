import fs from 'node:fs';
import { defineConfig } from '@playwright/test';

/** Debian's Chromium where present (CI, this lab's machines); else Playwright's own browser if one is installed. */
const chromiumPath =
  process.env.COACH_CHROMIUM ?? (fs.existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'test-results',
  globalSetup: './tests/e2e/globalSetup.ts',
  fullyParallel: false,
  workers: 1,
  timeout: 60_000,
  reporter: [['list']],
  use: {
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-gpu'],
    },
    viewport: { width: 1600, height: 900 },
  },
});
