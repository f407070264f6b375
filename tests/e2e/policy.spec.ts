import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { repoRoot, startCoachServe, type ServedCoach } from './serveProcess';
import { saveScreenshot, watchPageProblems } from './pageChecks';
import { stopIfRunning } from './attempts';

/** The package `coach serve` loads at start. */
const TEST_MODEL_DIR = path.join(repoRoot, 'resources/models/coach-test');
const INSTRUCTION = 'put the grape in the plate';

let served: ServedCoach;
let problems: string[];
let scratch: string;

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-e2e-policy-'));
});

test.afterEach(async () => {
  await served.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function numberIn(page: Page, testid: string): Promise<number> {
  return Number.parseFloat((await page.getByTestId(testid).textContent()) ?? '');
}

async function framesDrawn(page: Page, camera: string): Promise<number> {
  return Number((await page.getByTestId(`camera-view-${camera}`).getAttribute('data-frames-drawn')) ?? 'NaN');
}

/** The overlay polyline's points, parsed from its SVG `points` attribute. */
async function overlayPoints(page: Page, camera: string): Promise<[number, number][]> {
  const line = page.getByTestId(`chunk-overlay-line-${camera}`);
  if ((await line.count()) === 0) return [];
  const text = (await line.getAttribute('points')) ?? '';
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((pair) => pair.split(',').map(Number) as [number, number]);
}

/** Scrolls the panel area back to the top (clicks further down scroll it), so a screenshot shows cameras and run. */
async function scrollPanelsToTop(page: Page): Promise<void> {
  await page.getByTestId('panel-area').evaluate((element) => element.scrollTo(0, 0));
}

/** A copy of the test package whose manifest names 6 action dims for a 7-dim action. */
function brokenPackage(): string {
  const dir = path.join(scratch, 'six-names');
  fs.cpSync(TEST_MODEL_DIR, dir, { recursive: true });
  const manifestPath = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as { action: { names: string[] } };
  expect(manifest.action.names, 'the test package has 7 action names').toHaveLength(7);
  manifest.action.names = manifest.action.names.slice(0, 6);
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
  return dir;
}

test('the policy panel shows the shipped policy, loads the test model, refuses broken packages, and a typed task runs until Space holds', async ({
  page,
}) => {
  // Inference, the sim, two cameras and this browser share the machine's CPUs: allow time on a busy one.
  test.setTimeout(180_000);
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 15_000 });

  // coach serve loads the shipped default policy at start: trained, no warning.
  await expect(page.getByTestId('policy-name')).toHaveText('coach-tiny', { timeout: 60_000 });
  await expect(page.getByTestId('policy-trained')).toBeVisible();
  await expect(page.getByTestId('policy-untrained')).toHaveCount(0);

  // The untrained test package, loaded from the path field: its facts and an unmissable warning.
  await page.getByTestId('policy-path').fill(TEST_MODEL_DIR);
  await page.getByTestId('policy-load').click();
  const manifest = JSON.parse(fs.readFileSync(path.join(TEST_MODEL_DIR, 'manifest.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  await expect(page.getByTestId('policy-name')).toHaveText(manifest.name, { timeout: 60_000 });
  await expect(page.getByTestId('policy-version')).toHaveText(`v${manifest.version}`);
  const untrained = page.getByTestId('policy-untrained');
  await expect(untrained).toBeVisible();
  await expect(untrained).toContainText(/untrained test model: its actions are random, not a skill/i);
  await expect(page.getByTestId('policy-trained')).toHaveCount(0);
  await expect(page.getByTestId('policy-provider')).toHaveText('CPU');
  await expect(page.getByTestId('policy-provider')).toHaveAttribute('title', /\w+/);
  await expect(page.getByTestId('policy-action-space')).toContainText('ee_delta');
  await expect(page.getByTestId('policy-chunk')).toHaveText(/^\d+ × 7 actions × dims$/);
  await expect(page.getByTestId('policy-action-names')).toHaveText('dx, dy, dz, droll, dpitch, dyaw, gripper');
  await expect(page.getByTestId('policy-flow-steps')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('policy-control-rate')).toHaveText(/^\d+(\.\d+)? Hz$/);
  await expect(page.getByTestId('policy-parameters')).toHaveText(/^\d+(\.\d+)?( [kMB])?$/);
  await expect(page.getByTestId('policy-load-time')).toHaveText(/\d+ m?s · warm-up \d/);
  await expect(page.getByTestId('policy-path-loaded')).toHaveText(TEST_MODEL_DIR);
  // No desktop dialog in a browser: a path field, no Browse button.
  await expect(page.getByTestId('policy-path')).toBeVisible();
  await expect(page.getByTestId('policy-browse')).toHaveCount(0);
  // The manifest is there, folded.
  const manifestView = page.getByTestId('policy-manifest');
  await expect(manifestView.locator('pre')).toBeHidden();
  await manifestView.locator('summary').click();
  await expect(manifestView.locator('pre')).toContainText('"chunkLength"');
  await manifestView.locator('summary').click();

  // A folder that does not exist: refused in words that name it; the old model stays.
  const missing = '/nonexistent/coach-e2e/no-such-model';
  await page.getByTestId('policy-path').fill(missing);
  await page.getByTestId('policy-load').click();
  const loadError = page.getByTestId('policy-load-error');
  await expect(loadError).toBeVisible({ timeout: 30_000 });
  await expect(loadError).toContainText(/does not exist|no such|not found|cannot be read|is not a folder/i);
  await expect(loadError).toContainText(`Still loaded: ${manifest.name}`);
  await expect(page.getByTestId('policy-name')).toHaveText(manifest.name);
  await expect(page.getByTestId('policy-untrained')).toBeVisible();

  // A package whose manifest disagrees with itself: the file and the problem, in full.
  await page.getByTestId('policy-path').fill(brokenPackage());
  await page.getByTestId('policy-load').click();
  await expect(loadError).toContainText('manifest.json', { timeout: 30_000 });
  await expect(loadError).toContainText('action.names has 6 values but the action has 7 dims');
  await expect(page.getByTestId('policy-name')).toHaveText(manifest.name);
  await expect(page.getByTestId('policy-path-loaded')).toHaveText(TEST_MODEL_DIR);

  // Type a task and press Enter: the attempt starts.
  await expect(page.getByTestId('run-phase')).toHaveText('idle');
  await expect(page.getByTestId('command-run')).toBeEnabled();
  const input = page.getByTestId('command-input');
  await expect(input).toHaveAttribute('placeholder', /Type a task, e\.g\. put the grape in the plate — Enter runs/);
  await input.fill(INSTRUCTION);
  await input.press('Enter');
  await expect(page.getByTestId('run-phase')).not.toHaveText('idle', { timeout: 10_000 });
  await expect(page.getByTestId('run-phase')).toHaveText(/^(starting|inferring|executing)$/);
  await expect(page.getByTestId('run-instruction')).toHaveText(`“${INSTRUCTION}”`);
  await expect(page.getByTestId('command-run')).toHaveAttribute('data-action', 'stop');
  await expect(page.getByTestId('command-run')).toHaveText(/Stop/);

  // Stop first, while the attempt is young: an untrained policy's random walk ends on its own within
  // seconds (the governor refuses the table), and that must not race the keys under test.
  await expect
    .poll(() => numberIn(page, 'run-actions'), { message: 'actions sent', timeout: 30_000 })
    .toBeGreaterThanOrEqual(1);
  // A space typed into the instruction field is text: it neither holds the arm nor stops the attempt.
  await input.press('End');
  await input.press('Space');
  await expect(input).toHaveValue(`${INSTRUCTION} `);
  await page.waitForTimeout(300);
  await expect(page.getByTestId('governor-mode')).not.toHaveText('held');
  await expect(page.getByTestId('run-phase')).toHaveText(/^(inferring|executing)$/);

  // Space outside the field: Stop (hold) ends the attempt and holds the arm.
  await input.blur();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 10_000 });
  const strokesAtStop = await numberIn(page, 'run-strokes');
  await expect(page.getByTestId('run-outcome')).toHaveText('stopped');
  await expect(page.getByTestId('run-reason')).toHaveText(/\w+/);
  await expect(page.getByTestId('governor-mode')).toHaveText('held');
  await expect(page.getByTestId('command-run')).toHaveAttribute('data-action', 'run');
  await expect(page.getByTestId('chunk-overlay-scene')).toHaveCount(0);
  // Nothing more is executed once stopped.
  await page.waitForTimeout(1000);
  expect(await numberIn(page, 'run-strokes'), 'no strokes after the stop').toBe(strokesAtStop);
  await scrollPanelsToTop(page);
  await saveScreenshot(page, 'policy-stopped.png');

  // While held, a new attempt is refused in words that say what to do.
  await input.fill(INSTRUCTION);
  await input.press('Enter');
  await expect(page.getByTestId('run-outcome')).toHaveText('refused', { timeout: 10_000 });
  await expect(page.getByTestId('run-reason')).toContainText('release the hold first');

  // Release, then ↑ in the empty field recalls the instruction and Enter runs it again.
  await page.getByTestId('arm-release').click();
  await expect(page.getByTestId('governor-mode')).not.toHaveText('held', { timeout: 10_000 });
  await input.fill('');
  await input.press('ArrowUp');
  await expect(input).toHaveValue(INSTRUCTION);
  await input.press('Enter');
  await expect(page.getByTestId('run-phase')).toHaveText(/^(starting|inferring|executing)$/, { timeout: 10_000 });

  // The predicted chunk is drawn over the scene camera, inside the picture.
  await expect
    .poll(async () => (await overlayPoints(page, 'scene')).length, {
      message: 'overlay points on the scene camera',
      timeout: 60_000,
    })
    .toBeGreaterThanOrEqual(2);
  const overlay = page.getByTestId('chunk-overlay-scene');
  const viewBox = ((await overlay.locator('svg').getAttribute('viewBox', { timeout: 5000 })) ?? '')
    .split(' ')
    .map(Number);
  const [width, height] = [viewBox[2]!, viewBox[3]!];
  expect(width, 'overlay viewBox width').toBeGreaterThan(0);
  const points = await overlayPoints(page, 'scene');
  for (const [x, y] of points) {
    expect(Number.isFinite(x) && Number.isFinite(y), `point ${x},${y} is a number`).toBe(true);
  }
  // The tool centre point now is in the picture (the predicted ones may leave it).
  const [nowX, nowY] = points[0]!;
  expect(nowX).toBeGreaterThanOrEqual(0);
  expect(nowX).toBeLessThanOrEqual(width);
  expect(nowY).toBeGreaterThanOrEqual(0);
  expect(nowY).toBeLessThanOrEqual(height);
  // The overlay box covers the picture.
  const frameBox = await page.getByTestId('camera-canvas-scene').boundingBox({ timeout: 5000 });
  const overlayBox = await overlay.boundingBox({ timeout: 5000 });
  expect(Math.abs(frameBox!.width - overlayBox!.width), 'overlay spans the picture').toBeLessThan(2);
  expect(Math.abs(frameBox!.height - overlayBox!.height), 'overlay spans the picture').toBeLessThan(2);
  // The wrist camera gets no overlay.
  await expect(page.getByTestId('chunk-overlay-wrist')).toHaveCount(0);
  await scrollPanelsToTop(page);
  await saveScreenshot(page, 'policy-running.png');

  // The scene camera keeps drawing new frames while the policy runs.
  const drawn = await framesDrawn(page, 'scene');
  await expect
    .poll(() => framesDrawn(page, 'scene'), { message: 'scene draws new frames', timeout: 5000 })
    .toBeGreaterThanOrEqual(drawn + 5);

  // Chunk after chunk: strokes, actions and inference times count up (whether or not the attempt has
  // since ended on its own).
  await expect
    .poll(() => numberIn(page, 'run-strokes'), { message: 'strokes executed', timeout: 60_000 })
    .toBeGreaterThanOrEqual(2);
  expect(await numberIn(page, 'run-actions'), 'actions sent').toBeGreaterThanOrEqual(2);
  await expect(page.getByTestId('run-inference-ms')).toHaveText(/^\d+(\.\d+)? ms$/);
  await expect(page.getByTestId('run-inference-mean-ms')).toHaveText(/^\d+(\.\d+)? ms$/);
  await expect(page.getByTestId('run-elapsed')).toHaveText(/^\d+\.\d s$/);
  await expect(page.getByTestId('run-chunk')).toHaveAttribute('data-dims', '7');

  // The Stop button ends it too (if the random walk has not ended it already).
  if (await stopIfRunning(page))
    await expect(page.getByTestId('run-outcome')).toHaveText('stopped', { timeout: 10_000 });
  await expect(page.getByTestId('run-phase')).toHaveText('finished', { timeout: 10_000 });

  expect(problems).toEqual([]);
});

test('without a model the command bar says why it cannot run', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('policy-name')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('policy-unload').click();
  await expect(page.getByTestId('policy-none')).toBeVisible({ timeout: 10_000 });
  await expect(page.getByTestId('policy-untrained')).toHaveCount(0);
  await expect(page.getByTestId('command-run')).toBeDisabled();
  await expect(page.getByTestId('command-disabled-reason')).toContainText('No model loaded');

  // Loading the package again by its path brings it back.
  await page.getByTestId('policy-path').fill(TEST_MODEL_DIR);
  await page.getByTestId('policy-load').click();
  await expect(page.getByTestId('policy-untrained')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('policy-load-error')).toBeHidden();
  await expect(page.getByTestId('command-run')).toBeEnabled();
  await expect(page.getByTestId('command-disabled-reason')).toHaveCount(0);

  expect(problems).toEqual([]);
});
