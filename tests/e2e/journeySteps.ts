import fs from 'node:fs';
import path from 'node:path';
import { expect, type Locator, type Page } from '@playwright/test';
import { ATTEMPT_INSTRUCTION, numberIn, runAttempt } from './attempts';
import { artifactsDir } from './pageChecks';

/**
 * The operator's whole day, step by step, on a console with a fresh data folder: first run → the guided task
 * twice → labels → replay → pairs → refine → compare → promote → a second task with the new version → export
 * LeRobot v2.1. The same steps drive the browser (coach serve) and the Electron window; each step leaves a
 * screenshot under tests/e2e/artifacts/.
 */
export interface JourneyContext {
  page: Page;
  /** Screenshot file prefix: journey-chromium, journey-electron. */
  shotPrefix: string;
  /** An empty folder the export may write into. */
  scratchDir: string;
}

const SECOND_INSTRUCTION = 'pick up the orange';

async function shot(context: JourneyContext, step: string, focus?: Locator): Promise<void> {
  if (focus) await focus.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  fs.mkdirSync(artifactsDir, { recursive: true });
  await context.page.screenshot({ path: path.join(artifactsDir, `${context.shotPrefix}-${step}.png`) });
}

async function labelWithKey(page: Page, key: 'g' | 'b', episodeId: number, label: string): Promise<void> {
  await page.keyboard.press(key);
  await expect(page.getByTestId('label-prompt-saved').first()).toHaveAttribute('data-label', label, {
    timeout: 10_000,
  });
  await expect(page.getByTestId(`episode-label-${episodeId}`)).toHaveAttribute('data-label', label, {
    timeout: 10_000,
  });
}

export async function firstRun(context: JourneyContext): Promise<void> {
  const { page } = context;
  // Nothing attached: the simulated bench, its cameras, and the shipped default policy.
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 20_000 });
  await expect(page.getByTestId('policy-name')).toHaveText(/coach-tiny/, { timeout: 60_000 });
  await expect(page.getByTestId('episodes-count-total')).toHaveText('0', { timeout: 15_000 });
  const guide = page.getByTestId('first-run-guide');
  await expect(guide).toBeVisible();
  await expect(guide).toContainText(ATTEMPT_INSTRUCTION);
  await shot(context, '01-first-run');
}

/** Runs the guided first task and the same task again; labels the first good, the second bad. Returns their ids. */
export async function runAndLabelTwoTasks(context: JourneyContext): Promise<[number, number]> {
  const { page } = context;
  const first = await runAttempt(page, null, ATTEMPT_INSTRUCTION);
  // No attempt of this task has shown it done yet, so the world model has no goal frame to read progress toward.
  await expect(page.getByTestId('run-goal-progress')).toHaveAttribute('data-state', 'off', { timeout: 10_000 });
  await expect(page.getByTestId('run-goal-progress-off')).toContainText('no successful attempt of');
  // The guide has done its job once the first attempt ended.
  await expect(page.getByTestId('first-run-guide')).toHaveCount(0, { timeout: 10_000 });
  await expect(page.getByTestId('label-prompt-task')).toHaveText(`“${ATTEMPT_INSTRUCTION}”`);
  await shot(context, '02-first-attempt-label-prompt');
  await labelWithKey(page, 'g', first, 'good');

  // The same task again: a good and a bad attempt at one task make a preference pair.
  const second = await runAttempt(page, first, ATTEMPT_INSTRUCTION);
  // The first, labelled good, now shows the task done: the world model reads progress toward its goal frame.
  const progress = page.getByTestId('run-goal-progress');
  await expect(progress).toHaveAttribute('data-state', 'on', { timeout: 10_000 });
  await expect(page.getByTestId('run-goal-frame')).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  await expect(page.getByTestId('run-goal-frame-label')).toHaveText(`goal · #${first}`);
  await expect(page.getByTestId('run-goal-progress-figure')).toHaveText(/^\d+ %/);
  await shot(context, '03a-second-attempt-goal-progress', page.getByTestId('run-panel'));
  await labelWithKey(page, 'b', second, 'bad');
  await expect(page.locator('[data-testid^="episode-row-"]')).toHaveCount(2);
  await expect(page.getByTestId('episodes-count-label-good').locator('b')).toHaveText('1');
  await expect(page.getByTestId('episodes-count-label-bad').locator('b')).toHaveText('1');
  await shot(context, '03-two-attempts-labelled', page.getByTestId('episodes-table'));
  return [first, second];
}

export async function replay(context: JourneyContext, episodeId: number): Promise<void> {
  const { page } = context;
  await page.getByTestId(`episode-replay-${episodeId}`).click();
  const view = page.getByTestId('replay-view');
  await expect(view).toHaveAttribute('data-episode-id', String(episodeId), { timeout: 15_000 });
  const scrubber = page.getByTestId('replay-scrubber');
  const durationS = Number(await scrubber.getAttribute('max'));
  expect(durationS, 'recorded duration').toBeGreaterThan(0);
  await scrubber.fill((durationS / 2).toFixed(2));
  await expect
    .poll(async () => Number(await view.getAttribute('data-time')), { message: 'replay time after scrubbing' })
    .toBeCloseTo(durationS / 2, 1);
  await expect(page.getByTestId('replay-frame-scene')).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  expect(Number(await page.getByTestId('replay-joint-plot').getAttribute('data-samples'))).toBeGreaterThan(0);
  await shot(context, '04-replay', view);
  await page.getByTestId('replay-close').click();
  await expect(view).toHaveCount(0);
}

/** Pairs from the labels, a short refinement, its comparison with the base, promotion. Returns the new version. */
export async function buildPairsRefineComparePromote(context: JourneyContext): Promise<string> {
  const { page } = context;
  const baseVersion = (await page.getByTestId('policy-version').textContent())!.trim();
  const training = page.locator('[data-panel="training"]');
  await training.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await page.getByTestId('refine-summary-refresh').click();
  // Pairs are built when the refinement starts: first the labels it will use.
  await expect(page.getByTestId('refine-build-note')).toContainText('1 good, 1 bad', { timeout: 15_000 });
  await page.getByTestId('refine-settings-toggle').click();
  await page.getByTestId('refine-steps').fill('10');
  await page.getByTestId('refine-eval-episodes').fill('1');
  // NORA-1.5's combined reward: the shipped world model's energy + 0.1 · GTA.
  await page.getByTestId('refine-reward-wm+gta').click();
  await shot(context, '05-pairs-summary', training);
  await expect(page.getByTestId('refine-start')).toBeEnabled();
  await page.getByTestId('refine-start').click();

  const job = page.getByTestId('refine-job');
  await expect(job).toBeVisible({ timeout: 15_000 });
  await expect(job).toHaveAttribute('data-phase', /pairs|training|evaluating|ready/);
  await expect(job).toHaveAttribute('data-phase', 'ready', { timeout: 240_000 });
  await expect(page.getByTestId('refine-pairs-used')).toHaveText(/[1-9]/);

  // The pairs built: both scores per side and the goal frame.
  await page.getByTestId('pairs-refresh').click();
  await page.getByTestId('pairs-filter-source-wm').click();
  // The filtered list replaces the whole one: wait for it before taking a row.
  await expect(page.locator('[data-testid^="pairs-row-"]:not([data-source="wm"])')).toHaveCount(0, { timeout: 15_000 });
  const row = page.locator('[data-testid^="pairs-row-"][data-source="wm"]').first();
  await expect(row).toBeVisible({ timeout: 15_000 });
  const pairId = (await row.getAttribute('data-testid'))!.replace('pairs-row-', '');
  await expect(page.getByTestId(`pairs-scores-${pairId}`)).toContainText('wm+0.1*gta');
  await page.getByTestId(`pairs-expand-${pairId}`).click();
  const table = page.getByTestId(`pairs-score-table-${pairId}`);
  for (const part of ['wm', 'gta', 'reward']) {
    await expect(table.getByTestId(`pairs-score-table-${pairId}-${part}-chosen`)).toHaveText(/\d/);
    await expect(table.getByTestId(`pairs-score-table-${pairId}-${part}-rejected`)).toHaveText(/\d/);
  }
  await expect(page.getByTestId(`pairs-goal-frame-${pairId}-image`)).toBeVisible({ timeout: 15_000 });
  await shot(context, '06-pairs-built', page.getByTestId(`pairs-detail-${pairId}`));

  // Compare: the candidate against its base on the same held-out seeds.
  const comparison = page.getByTestId('refine-comparison');
  await expect(comparison).toBeVisible();
  await expect(page.getByTestId('refine-deltas')).toBeVisible();
  const inUse = (await page.getByTestId('models-in-use').locator('b').textContent())!.trim();
  await expect(comparison).toContainText(`${inUse} (before)`);
  await expect(comparison).toContainText('the same seeds for both');
  await shot(context, '07-compare', comparison);

  await page.getByTestId('refine-promote').click();
  await expect(page.getByTestId('refine-promoted')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('policy-version')).toContainText('+dpo.', { timeout: 60_000 });
  const promoted = (await page.getByTestId('policy-version').textContent())!.trim().replace(/^v/, '');
  expect(promoted).not.toBe(baseVersion.replace(/^v/, ''));
  await expect(page.locator('[data-testid^="models-row-"][data-in-use="true"]')).toHaveCount(1);
  await shot(context, '08-promoted', page.getByTestId('models'));
  return promoted;
}

/** Another task runs with the promoted version and is recorded with it. */
export async function attemptWithPromoted(context: JourneyContext, promotedVersion: string): Promise<number> {
  const { page } = context;
  const id = await runAttempt(page, null, SECOND_INSTRUCTION);
  await expect(page.getByTestId('label-prompt-task')).toHaveText(`“${SECOND_INSTRUCTION}”`);
  await expect(page.getByTestId(`episode-row-${id}`)).toContainText(promotedVersion, { timeout: 15_000 });
  await page.getByTestId('label-prompt-good').click();
  await expect(page.getByTestId(`episode-label-${id}`)).toHaveAttribute('data-label', 'good', { timeout: 10_000 });
  return id;
}

/** Export everything as LeRobot v2.1 and check the folder a LeRobot user would load. */
export async function exportLeRobotV21(context: JourneyContext, episodeCount: number): Promise<string> {
  const { page } = context;
  const outDir = path.join(context.scratchDir, 'lerobot-v21');
  await page.getByTestId('episodes-export-open').click();
  await expect(page.getByTestId('export-dialog')).toBeVisible();
  await expect(page.getByTestId('export-matching')).toHaveAttribute('data-count', String(episodeCount));
  await page.getByTestId('export-format-lerobot-v2.1').click();
  await page.getByTestId('export-dir').fill(outDir);
  await page.getByTestId('export-start').click();
  const progress = page.getByTestId('export-progress');
  await expect(progress).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('export-result-episodes')).toHaveText(String(episodeCount));
  expect(await numberIn(page.getByTestId('export-result-videos')), 'videos written').toBeGreaterThan(0);
  await expect(page.getByTestId('export-result-no-skips')).toBeVisible();
  await shot(context, '09-exported', page.getByTestId('export-dialog'));

  const info = JSON.parse(fs.readFileSync(path.join(outDir, 'meta', 'info.json'), 'utf8')) as {
    codebase_version: string;
    total_episodes: number;
  };
  expect(info.codebase_version).toBe('v2.1');
  expect(info.total_episodes).toBe(episodeCount);
  for (let index = 0; index < episodeCount; index++) {
    const parquet = path.join(outDir, 'data', 'chunk-000', `episode_${String(index).padStart(6, '0')}.parquet`);
    expect(fs.statSync(parquet).size, `${parquet} written`).toBeGreaterThan(0);
  }
  const videoKeys = fs.readdirSync(path.join(outDir, 'videos', 'chunk-000'));
  expect(videoKeys, 'one video folder per camera').toEqual(expect.arrayContaining(['observation.images.scene']));
  await page.getByTestId('export-close').click();
  return outDir;
}
