import { expect, test, type Locator, type Page } from '@playwright/test';
import { startCoachServe, type ServedCoach } from './serveProcess';
import { saveScreenshot, watchPageProblems } from './pageChecks';
import { runAttempt } from './attempts';

let served: ServedCoach;
let problems: string[];

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
});

test.afterEach(async () => {
  await served.stop();
  expect(problems, 'console errors and failed requests').toEqual([]);
});

async function scrollTo(locator: Locator): Promise<void> {
  await locator.evaluate((element) => element.scrollIntoView({ block: 'start' }));
}

async function label(page: Page, key: 'g' | 'b'): Promise<void> {
  await page.keyboard.press(key);
  await expect(page.getByTestId('label-prompt-saved').first()).toBeVisible({ timeout: 10_000 });
}

test('run and label attempts, Refine policy, watch it, compare, promote: the next attempt uses the new version', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 15_000 });
  await expect(page.getByTestId('policy-name')).toBeVisible({ timeout: 60_000 });
  const baseVersion = (await page.getByTestId('policy-version').textContent())!.trim();

  const first = await runAttempt(page, null);
  await label(page, 'g');
  await runAttempt(page, first);
  await label(page, 'b');

  const panel = page.locator('[data-panel="training"]');
  await scrollTo(panel);
  await page.getByTestId('refine-summary-refresh').click();
  await page.getByTestId('refine-settings-toggle').click();
  await page.getByTestId('refine-steps').fill('10');
  await page.getByTestId('refine-eval-episodes').fill('1');
  // NORA-1.5's combined reward: the shipped world model's energy + 0.1 · GTA (the good attempt is its own goal).
  await page.getByTestId('refine-reward-wm+gta').click();
  const start = page.getByTestId('refine-start');
  await expect(start).toBeEnabled();
  await start.click();

  const job = page.getByTestId('refine-job');
  await expect(job).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('refine-progress')).toBeVisible();
  await expect(job).toHaveAttribute('data-phase', /pairs|training|evaluating|ready/);
  await expect(job).toHaveAttribute('data-phase', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('refine-pairs-used')).toHaveText(/[1-9]/);
  const comparison = page.getByTestId('refine-comparison');
  await expect(comparison).toBeVisible();
  await expect(page.getByTestId('refine-deltas')).toBeVisible();
  await scrollTo(comparison);
  await saveScreenshot(page, 'refine-comparison.png');

  // The pairs the combined reward built show both scores per side and the goal frame.
  await page.getByTestId('pairs-refresh').click();
  await page.getByTestId('pairs-filter-source-wm').click();
  const wmRow = page.locator('[data-testid^="pairs-row-"]').first();
  await expect(wmRow).toBeVisible({ timeout: 15_000 });
  const pairId = (await wmRow.getAttribute('data-testid'))!.replace('pairs-row-', '');
  await expect(page.getByTestId(`pairs-scores-${pairId}`)).toContainText('wm+0.1*gta');
  await page.getByTestId(`pairs-expand-${pairId}`).click();
  const table = page.getByTestId(`pairs-score-table-${pairId}`);
  for (const row of ['wm', 'gta', 'reward']) {
    await expect(table.getByTestId(`pairs-score-table-${pairId}-${row}-chosen`)).toHaveText(/\d/);
    await expect(table.getByTestId(`pairs-score-table-${pairId}-${row}-rejected`)).toHaveText(/\d/);
  }
  await expect(page.getByTestId(`pairs-goal-frame-${pairId}-image`)).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId(`pairs-goal-frame-${pairId}-label`)).toContainText('Goal frame');
  await page.getByTestId(`pairs-detail-${pairId}`).scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'refine-pair-scores.png');

  await page.getByTestId('refine-promote').click();
  await expect(page.getByTestId('refine-promoted')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('policy-version')).toContainText('+dpo.', { timeout: 60_000 });
  const refinedVersion = (await page.getByTestId('policy-version').textContent())!.trim().replace(/^v/, '');
  expect(refinedVersion).not.toBe(baseVersion);
  await expect(page.locator('[data-testid^="models-row-"][data-in-use="true"]')).toHaveCount(1);
  await saveScreenshot(page, 'refine-promoted.png');

  // The next attempt is recorded with the promoted version.
  await runAttempt(page, null);
  await expect(page.locator('[data-testid^="episode-row-"]').first()).toContainText(refinedVersion, {
    timeout: 15_000,
  });
});
