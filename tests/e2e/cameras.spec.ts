import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startCoachServe, type ServedCoach } from './serveProcess';
import { artifactsDir, saveScreenshot, watchPageProblems } from './pageChecks';

/** The simulated cameras run at 30 fps; the view must show at least this (lower it only to debug on a starved machine). */
const MIN_DISPLAY_FPS = Number(process.env.COACH_E2E_MIN_FPS ?? 20);

let served: ServedCoach;
let problems: string[];

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
});

test.afterEach(async () => {
  await served.stop();
});

async function framesDrawn(page: Page, camera: string): Promise<number> {
  return Number((await page.getByTestId(`camera-view-${camera}`).getAttribute('data-frames-drawn')) ?? 'NaN');
}

async function displayFps(page: Page, camera: string): Promise<number> {
  return Number.parseFloat((await page.getByTestId(`camera-fps-${camera}`).textContent()) ?? '');
}

/** The fps main measures at the source (camera.stats), as the view's caption shows it. */
async function sourceFps(page: Page, camera: string): Promise<string> {
  return (await page.getByTestId(`camera-view-${camera}`).getAttribute('data-source-fps')) ?? '?';
}

/** Waits until the view drew at least `count` more frames than it had. */
async function waitForNewFrames(page: Page, camera: string, count: number): Promise<void> {
  const before = await framesDrawn(page, camera);
  await expect
    .poll(() => framesDrawn(page, camera), { message: `${camera} draws ${count} new frames`, timeout: 5000 })
    .toBeGreaterThanOrEqual(before + count);
}

interface PixelContext {
  drawImage(image: unknown, x: number, y: number): void;
  getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> };
}

interface PixelCanvas {
  width: number;
  height: number;
  getContext(kind: '2d', options?: { willReadFrequently: boolean }): PixelContext | null;
}

/**
 * The canvas's pixels, RGBA, as a plain array. Copied onto a fresh read-back canvas, so that the view's own
 * canvas is never read back (Chromium warns about repeated getImageData on a canvas not made for it).
 */
async function canvasPixels(page: Page, camera: string): Promise<number[]> {
  return page.getByTestId(`camera-canvas-${camera}`).evaluate((element) => {
    // The Node-side type check has no DOM library: the canvas as far as this needs it.
    const source = element as unknown as PixelCanvas;
    if (!source.width || !source.height) return [];
    const { document } = globalThis as unknown as { document: { createElement(tag: 'canvas'): PixelCanvas } };
    const copy = document.createElement('canvas');
    copy.width = source.width;
    copy.height = source.height;
    const context = copy.getContext('2d', { willReadFrequently: true });
    if (!context) return [];
    context.drawImage(source, 0, 0);
    return Array.from(context.getImageData(0, 0, copy.width, copy.height).data);
  });
}

/** Fraction of pixels whose colour moved by more than `threshold` in some channel. */
function changedFraction(before: number[], after: number[], threshold = 8): number {
  expect(after.length, 'both captures have the same size').toBe(before.length);
  let changed = 0;
  for (let index = 0; index < before.length; index += 4) {
    for (let channel = 0; channel < 3; channel += 1) {
      if (Math.abs(before[index + channel]! - after[index + channel]!) > threshold) {
        changed += 1;
        break;
      }
    }
  }
  return changed / (before.length / 4);
}

async function jointPos(page: Page, motorId: number): Promise<number> {
  return Number.parseFloat((await page.getByTestId(`joint-pos-${motorId}`).textContent()) ?? '');
}

test('the scene and wrist cameras stream live, the wrist view follows the arm, and cameras can be added', async ({
  page,
}) => {
  // Rendering two cameras, the arm and this browser share the machine's CPUs: allow time on a busy one.
  test.setTimeout(120_000);
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });

  // Both simulated cameras draw live frames at about the default 30 fps.
  for (const camera of ['scene', 'wrist']) {
    await expect(page.getByTestId(`camera-view-${camera}`)).toBeVisible({ timeout: 15_000 });
    await waitForNewFrames(page, camera, 10);
    await expect
      .poll(() => displayFps(page, camera), {
        message: `${camera} shows ≥ ${MIN_DISPLAY_FPS} fps (source: ${await sourceFps(page, camera)} fps)`,
        timeout: 20_000,
      })
      .toBeGreaterThanOrEqual(MIN_DISPLAY_FPS);
    await expect(page.getByTestId(`camera-age-${camera}`)).toHaveText(/^\d+ ms$/);
  }
  await expect(page.getByTestId('camera-view-scene').or(page.getByTestId('camera-view-wrist'))).toHaveCount(2);
  await expect(page.locator('[data-testid^="camera-policy-"]')).toHaveCount(1);
  await saveScreenshot(page, 'cameras.png');

  // Jogging joint 1 turns the wrist camera with the arm: its picture changes noticeably.
  await page.getByTestId('arm-enable').click();
  await expect(page.getByTestId('motors-enabled')).toHaveText('enabled');
  await page.getByTestId('jog-step-0.1').click();
  await waitForNewFrames(page, 'wrist', 3);
  const still = await canvasPixels(page, 'wrist');
  await waitForNewFrames(page, 'wrist', 5);
  const before = await canvasPixels(page, 'wrist');
  expect(before.length, 'the wrist canvas holds a picture').toBeGreaterThan(0);
  const start = await jointPos(page, 1);
  await page.getByTestId('jog-plus-1').click();
  await page.getByTestId('jog-plus-1').click();
  await expect
    .poll(async () => Math.abs((await jointPos(page, 1)) - (start + 0.2)), { timeout: 5000 })
    .toBeLessThanOrEqual(0.03);
  await expect(page.getByTestId('arm-error')).toBeHidden();
  await waitForNewFrames(page, 'wrist', 5);
  const after = await canvasPixels(page, 'wrist');
  // Without motion consecutive frames barely differ (the render is deterministic); the jog must change far more.
  const noise = changedFraction(still, before);
  const changed = changedFraction(before, after);
  expect(
    changed,
    `fraction of wrist pixels changed by the jog (${changed.toFixed(3)}; without motion ${noise.toFixed(3)})`,
  ).toBeGreaterThan(Math.max(0.02, 5 * noise));

  // A camera from a video file that does not exist: a clear error, in words.
  await page.getByTestId('camera-add-open').click();
  await page.getByTestId('camera-add-kind-file').click();
  await page.getByTestId('camera-add-name').fill('missing');
  await page.getByTestId('camera-add-path').fill('/nonexistent/coach-e2e/missing-video.mp4');
  await page.getByTestId('camera-add-submit').click();
  // Main may refuse the camera at once, or accept it and fail to start it: either way the bar says why.
  const addError = page.getByTestId('camera-add-error');
  await expect(addError).toBeVisible({ timeout: 10_000 });
  await expect(addError).toContainText(/no such file|not found|does not exist|cannot open|could not open/i);
  await expect(addError).toContainText('missing-video.mp4');
  await saveScreenshot(page, 'camera-add-error.png');

  // If main kept the failed camera, it can be removed again.
  if (await page.getByTestId('camera-view-missing').isVisible()) {
    await page.getByTestId('camera-remove-missing').click();
    await page.getByTestId('camera-remove-confirm-missing').click();
    await expect(page.getByTestId('camera-view-missing')).toBeHidden();
  }
  // The live cameras keep streaming.
  await waitForNewFrames(page, 'scene', 5);

  expect(problems).toEqual([]);
});

test('the world panel shows the simulated scene and lays out a new one from a seed and an instruction', async ({
  page,
}) => {
  await page.goto(served.url);
  const world = page.locator('[data-panel="world"]');
  await expect(world).toBeVisible({ timeout: 15_000 });

  await expect(page.getByTestId('scene-instruction')).toHaveText(/\w+ \w+/);
  await expect(page.getByTestId('scene-instruction')).not.toHaveText('no task');
  await expect(page.getByTestId('scene-objects').locator('[data-kind]').first()).toBeVisible();
  await expect(page.getByTestId('scene-grasps')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('scene-distractor-grasps')).toHaveText(/^\d+$/);

  await page.getByTestId('scene-seed-input').fill('42');
  await page.getByTestId('scene-instruction-input').fill('pick up the orange');
  await page.getByTestId('scene-reset').click();
  await expect(page.getByTestId('scene-reset-error')).toBeHidden();
  await expect(page.getByTestId('scene-instruction')).toHaveText('pick up the orange');
  await expect(page.getByTestId('scene-seed')).toHaveText('seed 42');
  await expect(page.getByTestId('scene-objects').locator('[data-kind="orange"]').first()).toBeVisible();
  await expect(page.getByTestId('scene-task')).toHaveText(/not yet|success/);

  // The summary refreshes every second and still shows the new scene.
  await page.waitForTimeout(1500);
  await expect(page.getByTestId('scene-instruction')).toHaveText('pick up the orange');

  fs.mkdirSync(artifactsDir, { recursive: true });
  await world.screenshot({ path: path.join(artifactsDir, 'world.png') });

  expect(problems).toEqual([]);
});
