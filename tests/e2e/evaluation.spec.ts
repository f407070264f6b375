import { expect, test, type Locator, type Page } from '@playwright/test';
import { startCoachServe, type ServedCoach } from './serveProcess';
import { saveScreenshot, watchPageProblems } from './pageChecks';

let served: ServedCoach;
let problems: string[];

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
});

test.afterEach(async () => {
  await served.stop();
});

/** The console is up and the test model coach serve loads at start is in. */
async function openConsole(page: Page): Promise<void> {
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 15_000 });
  await expect(page.getByTestId('policy-name')).toBeVisible({ timeout: 60_000 });
}

async function scrollTo(locator: Locator): Promise<void> {
  await locator.evaluate((element) => element.scrollIntoView({ block: 'start' }));
}

async function setTemplates(page: Page, on: Record<string, boolean>): Promise<void> {
  for (const [template, checked] of Object.entries(on))
    await page.getByTestId(`eval-template-${template}`).setChecked(checked);
}

/** Starts an evaluation with the form's current settings and waits for it to finish; returns its job id. */
async function evaluateAndWait(page: Page, attempts: number): Promise<number> {
  const progress = page.getByTestId('eval-progress');
  const previousJob = (await progress.count()) ? Number(await progress.getAttribute('data-job')) : 0;
  await expect(page.getByTestId('eval-attempts')).toContainText(`${attempts} attempts`);
  await page.getByTestId('eval-start').click();
  await expect
    .poll(async () => Number((await progress.getAttribute('data-job')) ?? 0), { message: 'a new evaluation job' })
    .toBeGreaterThan(previousJob);
  // ~0.3 s an attempt with the untrained test model; allow a busy machine.
  await expect(progress).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('eval-counts')).toContainText(`${attempts} / ${attempts} attempts`);
  await expect(page.getByTestId('eval-progress-bar')).toHaveAttribute('aria-valuenow', '100');
  return Number(await progress.getAttribute('data-job'));
}

test('the evaluation view evaluates the current model, compares stored evaluations side by side, and cancels', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openConsole(page);
  const panel = page.locator('[data-panel="evaluation"]');
  await scrollTo(panel);
  await expect(page.getByTestId('eval-none-stored')).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('eval-model')).toHaveText(await page.getByTestId('policy-name').innerText());
  await expect(page.getByTestId('eval-episodes')).toHaveValue('20');
  await expect(page.getByTestId('eval-attempts')).toContainText('60 attempts');

  // A small evaluation: 2 held-out scenes per task, at most 5 strokes each.
  await page.getByTestId('eval-episodes').fill('2');
  await page.getByTestId('eval-max-strokes').fill('5');
  await evaluateAndWait(page, 6);
  const result = page.getByTestId('eval-result');
  await expect(result).toBeVisible();
  const overall = result.getByTestId('eval-summary-overall');
  await expect(overall.getByTestId('eval-summary-successes')).toHaveText(/^[0-6]\/6$/);
  await expect(overall.getByTestId('eval-summary-rate')).toHaveText(/^\d+(\.\d)? %$/);
  await expect(overall.getByTestId('eval-summary-interval')).toHaveText(/^\d+–\d+ %$/);
  for (const template of ['put_in', 'pick_up', 'move_near'])
    await expect(result.getByTestId(`eval-summary-${template}`).getByTestId('eval-summary-successes')).toHaveText(
      /^[0-2]\/2$/,
    );

  // Stored and compared: one column with its 6 attempts, a success rate and its interval.
  await expect(page.getByTestId('eval-stored-count')).toHaveText('1');
  const columns = page.getByTestId('eval-compare-column');
  await expect(columns).toHaveCount(1);
  await expect(columns.first().getByTestId('eval-compare-episodes')).toHaveText('6');
  const overallCells = page.locator('[data-testid="eval-compare-cell"][data-row="rate-overall"]');
  await expect(overallCells.first()).toHaveText(/\d+(\.\d)? %\s*\d+–\d+ % · [0-6]\/6/);
  await expect(page.getByTestId('eval-bars').getByTestId('eval-bar')).toHaveCount(4);

  // A second evaluation with other settings: two tasks, 2 scenes each, at most 3 strokes.
  await setTemplates(page, { move_near: false });
  await page.getByTestId('eval-max-strokes').fill('3');
  await evaluateAndWait(page, 4);
  await expect(page.getByTestId('eval-stored-count')).toHaveText('2');
  // Both side by side (the one just run joins the comparison), oldest first.
  await expect(columns).toHaveCount(2);
  await expect(columns.nth(0).getByTestId('eval-compare-episodes')).toHaveText('6');
  await expect(columns.nth(1).getByTestId('eval-compare-episodes')).toHaveText('4');
  await expect(overallCells).toHaveCount(2);
  await expect(overallCells.nth(1)).toHaveText(/\d+(\.\d)? %\s*\d+–\d+ % · [0-4]\/4/);
  // The second did not cover "move near": its cell says so.
  await expect(page.locator('[data-testid="eval-compare-cell"][data-row="rate-move_near"]').nth(1)).toContainText(
    'not evaluated',
  );
  await expect(page.locator('[data-testid="eval-compare-cell"][data-row="strokes"]').first()).toContainText('expert');
  // Bars: overall, put in and pick up for both, move near for the first only; each with its interval whisker.
  const bars = page.getByTestId('eval-bars').getByTestId('eval-bar');
  await expect(bars).toHaveCount(7);
  await expect(page.locator('[data-testid="eval-bar"][data-group="overall"]')).toHaveCount(2);
  await expect(bars.first().locator('line.whisker')).toHaveCount(3);

  // The operator picks: untick the first, then "newest per version" (one model version: the newest only).
  const firstKey = (await columns.nth(0).getAttribute('data-key'))!;
  const secondKey = (await columns.nth(1).getAttribute('data-key'))!;
  await page.getByTestId(`eval-pick-${firstKey}`).uncheck();
  await expect(columns).toHaveCount(1);
  await page.getByTestId('eval-compare-newest').click();
  await expect(columns).toHaveCount(1);
  await expect(columns.first()).toHaveAttribute('data-key', secondKey);
  await page.getByTestId(`eval-pick-${firstKey}`).check();
  await expect(columns).toHaveCount(2);
  await expect(columns.nth(0)).toHaveAttribute('data-key', firstKey);

  await scrollTo(page.getByTestId('eval-comparison'));
  await saveScreenshot(page, 'evaluation-compare.png');

  // A long evaluation (200 scenes per task) is cancelled part-way: nothing is stored.
  await setTemplates(page, { move_near: true });
  await page.getByTestId('eval-episodes').fill('200');
  await expect(page.getByTestId('eval-attempts')).toContainText('600 attempts');
  await page.getByTestId('eval-start').click();
  const progress = page.getByTestId('eval-progress');
  await expect(progress).toHaveAttribute('data-phase', /^(loading|running)$/, { timeout: 10_000 });
  await expect(page.getByTestId('eval-start')).toBeDisabled();
  await expect(page.getByTestId('eval-counts')).toContainText('/ 600 attempts');
  await expect(page.getByTestId('eval-counts')).toContainText(/^[1-9]\d* \/ 600 attempts/, { timeout: 30_000 });
  await scrollTo(panel);
  await saveScreenshot(page, 'evaluation-running.png');
  await page.getByTestId('eval-cancel').click();
  await expect(progress).toHaveAttribute('data-phase', 'cancelled', { timeout: 30_000 });
  await expect(page.getByTestId('eval-cancelled')).toContainText(/Cancelled after \d+ of 600 attempts/);
  await expect(page.getByTestId('eval-cancel')).toHaveCount(0);
  await expect(page.getByTestId('eval-start')).toBeEnabled();
  await page.getByTestId('eval-refresh').click();
  await expect(page.getByTestId('eval-stored-count')).toHaveText('2');
  await expect(columns).toHaveCount(2);

  expect(problems, 'console errors or warnings').toEqual([]);
});

test('the training view trains from demonstrations with a live loss curve, and cancels', async ({ page }) => {
  test.setTimeout(120_000);
  await openConsole(page);
  const panel = page.locator('[data-panel="training"]');
  await scrollTo(panel);
  await expect(page.getByTestId('training-no-jobs')).toHaveText('No training job in this session yet.');
  await expect(page.getByTestId('training-episodesPerTemplate')).toHaveValue('50');
  await expect(page.getByTestId('training-learningRate')).toHaveValue('0.001');

  // A bad value is refused before anything is sent.
  await page.getByTestId('training-batchSize').fill('0');
  await expect(page.getByTestId('training-start-demos')).toBeDisabled();
  await expect(page.getByTestId('training-disabled-reason')).toHaveText('Batch size: 1 to 1024');

  await page.getByTestId('training-episodesPerTemplate').fill('1');
  await page.getByTestId('training-steps').fill('40');
  await page.getByTestId('training-batchSize').fill('4');
  await page.getByTestId('training-start-demos').click();

  // A real job: demonstrations are generated, the trainer runs in its worker, a new package is written.
  const detail = page.getByTestId('training-job-detail');
  await expect(detail).toBeVisible({ timeout: 15_000 });
  await expect(page.getByTestId('training-job-1')).toBeVisible();
  await expect(page.getByTestId('training-job-count')).toHaveText('1');
  await expect(detail).toHaveAttribute('data-phase', 'done', { timeout: 90_000 });
  await expect(page.getByTestId('training-job-1').getByTestId('training-job-phase')).toHaveText('done');
  await expect(page.getByTestId('training-output')).toContainText('/models/coach-tiny-bc-');
  const curve = page.getByTestId('training-loss-curve');
  await expect(curve).toHaveAttribute('data-scale', 'log');
  expect(Number(await curve.getAttribute('data-points')), 'loss curve points').toBeGreaterThan(1);
  await expect(curve.locator('path.line')).toHaveAttribute('d', /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/);
  await expect(page.getByTestId('training-progress-bar')).toHaveAttribute('aria-valuenow', '100');
  await expect(page.getByTestId('training-cancel')).toHaveCount(0);

  // A long job is cancelled: it says so, and the model in use stays loaded.
  await page.getByTestId('training-steps').fill('100000');
  await page.getByTestId('training-start-demos').click();
  await expect(page.getByTestId('training-job-count')).toHaveText('2', { timeout: 15_000 });
  await expect(detail).toHaveAttribute('data-job', '2');
  await expect(page.getByTestId('training-cancel')).toBeVisible();
  await page.getByTestId('training-cancel').click();
  await expect(detail).toHaveAttribute('data-phase', 'cancelled', { timeout: 60_000 });
  await expect(page.getByTestId('training-cancelled')).toBeVisible();
  await expect(page.getByTestId('policy-name')).toHaveText('coach-tiny');

  await scrollTo(page.getByTestId('training-jobs'));
  await saveScreenshot(page, 'training.png');
  expect(problems, 'console errors or warnings').toEqual([]);
});
