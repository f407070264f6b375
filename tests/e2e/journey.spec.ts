import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startCoachServe, type ServedCoach } from './serveProcess';
import { watchPageProblems } from './pageChecks';
import {
  attemptWithPromoted,
  buildPairsRefineComparePromote,
  exportLeRobotV21,
  firstRun,
  replay,
  runAndLabelTwoTasks,
  type JourneyContext,
} from './journeySteps';

let served: ServedCoach;
let problems: string[];
let scratchDir: string;

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
  scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-journey-'));
});

// eslint-disable-next-line no-empty-pattern -- Playwright reads the fixtures a hook uses from this pattern
test.afterEach(async ({}, testInfo) => {
  // What main printed is the first thing to read when a step fails (a crash shows here, not in the page).
  if (testInfo.status !== testInfo.expectedStatus)
    await testInfo.attach('coach serve output', { body: served.output(), contentType: 'text/plain' });
  const { exitCode, signalCode } = served.process;
  if (exitCode !== null || signalCode !== null)
    console.log(`coach serve exited with ${exitCode ?? signalCode}:\n${served.output()}`);
  await served.stop();
  fs.rmSync(scratchDir, { recursive: true, force: true });
});

test.use({ viewport: { width: 1920, height: 1080 } });

test("the operator's day in the browser: first run → task → labels → replay → pairs → refine → compare → promote → second task → export LeRobot v2.1", async ({
  page,
}) => {
  // Three attempts with inference, a DPO refinement with its evaluation, an export with video encoding, and
  // this browser share two CPUs.
  test.setTimeout(480_000);
  const context: JourneyContext = { page, shotPrefix: 'journey-chromium', scratchDir };
  await page.goto(served.url);

  await firstRun(context);
  const [first] = await runAndLabelTwoTasks(context);
  await replay(context, first);
  const promoted = await buildPairsRefineComparePromote(context);
  await attemptWithPromoted(context, promoted);
  await exportLeRobotV21(context, 3);

  // The guide stays gone for this data folder.
  await page.reload();
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 20_000 });
  await expect(page.getByTestId('episodes-count-total')).toHaveText('3', { timeout: 15_000 });
  await expect(page.getByTestId('first-run-guide')).toHaveCount(0);
  expect(problems, 'console errors and failed requests').toEqual([]);
});
