import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import sharp from 'sharp';
import { repoRoot, startCoachServe, type ServedCoach } from './serveProcess';
import { artifactsDir, watchPageProblems } from './pageChecks';
import { ATTEMPT_INSTRUCTION, numberIn, stopIfRunning } from './attempts';

let served: ServedCoach;
let problems: string[];

const resultsDir = path.join(repoRoot, 'test-results');

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
});

test.afterEach(async () => {
  await served.stop();
});

/** The joint values the 3D view last drew (data-joints: six joints in rad, then the gripper in mm). */
async function drawnJoints(view: Locator): Promise<number[]> {
  const text = (await view.getAttribute('data-joints')) ?? '';
  return text.split(',').map(Number);
}

/** How many pixels of two same-sized PNG screenshots differ noticeably (any channel by more than 16). */
async function differingPixels(a: Buffer, b: Buffer): Promise<number> {
  const [left, right] = await Promise.all([a, b].map((png) => sharp(png).removeAlpha().raw().toBuffer()));
  expect(left!.length, 'screenshots of the same size').toBe(right!.length);
  let count = 0;
  for (let i = 0; i < left!.length; i += 3) {
    if (
      Math.abs(left![i]! - right![i]!) > 16 ||
      Math.abs(left![i + 1]! - right![i + 1]!) > 16 ||
      Math.abs(left![i + 2]! - right![i + 2]!) > 16
    )
      count += 1;
  }
  return count;
}

/** Waits until the view has drawn no new frame for half a second (the arm has come to rest). */
async function waitForStillFrames(view: Locator): Promise<void> {
  let last = -1;
  await expect
    .poll(
      async () => {
        const frames = Number(await view.getAttribute('data-frames'));
        const still = frames === last;
        last = frames;
        return still;
      },
      { message: 'the view stops drawing once the arm is at rest', intervals: [500], timeout: 10_000 },
    )
    .toBe(true);
}

/** The panel's picture, in test-results/ and (kept across other specs' runs) tests/e2e/artifacts/. */
async function savePanelShot(panel: Locator, name: string): Promise<void> {
  const png = await panel.screenshot();
  for (const dir of [resultsDir, artifactsDir]) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, name), png);
  }
}

async function openConsole(page: Page): Promise<{ panel: Locator; view: Locator; canvas: Locator }> {
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await expect(page.getByTestId('governor-mode')).toHaveText('holding', { timeout: 15_000 });
  const panel = page.locator('[data-panel="arm3d"]');
  await panel.scrollIntoViewIfNeeded();
  const view = panel.getByTestId('arm3d-view');
  await expect(view).toHaveAttribute('data-webgl', 'ok');
  const canvas = view.getByTestId('arm3d-canvas');
  await expect(canvas).toBeVisible();
  return { panel, view, canvas };
}

test('the 3D view draws the live simulated arm and its scene, follows a jog, and orbits and resets', async ({
  page,
}) => {
  const { panel, view, canvas } = await openConsole(page);

  // The measured pose is drawn, with the sim's objects on its table.
  await expect(view).toHaveAttribute('data-joints', /^-?\d+\.\d{3}(,-?\d+\.\d{3}){5},\d+\.\d$/, { timeout: 10_000 });
  await expect.poll(async () => Number(await view.getAttribute('data-objects')), { timeout: 5000 }).toBeGreaterThan(0);
  await expect(view).toHaveAttribute('data-ghost', '');
  await expect(panel.getByTestId('arm3d-ghost-key')).toBeHidden();

  // Drawn on demand: an arm holding still and an unchanged scene draw no frames.
  await page.waitForTimeout(500);
  const idleFrames = Number(await view.getAttribute('data-frames'));
  await page.waitForTimeout(1500);
  expect(Number(await view.getAttribute('data-frames')), 'frames drawn while nothing changed').toBe(idleFrames);
  await savePanelShot(panel, 'arm3d-home.png');
  const before = await canvas.screenshot();

  // Jog joint 2 (shoulder) by +0.2 rad through the Arm panel: the drawn joint follows, the picture changes.
  const start = (await drawnJoints(view))[1]!;
  await page.getByTestId('arm-enable').click();
  await expect(page.getByTestId('motors-enabled')).toHaveText('enabled');
  await page.getByTestId('jog-step-0.1').click();
  await page.getByTestId('jog-plus-2').click();
  await page.getByTestId('jog-plus-2').click();
  // The view draws nothing while off screen (the jog buttons may have scrolled it away).
  await panel.scrollIntoViewIfNeeded();
  await expect
    .poll(async () => Math.abs((await drawnJoints(view))[1]! - (start + 0.2)), {
      message: 'the 3D view draws joint 2 at its jogged angle',
      timeout: 5000,
    })
    .toBeLessThan(0.01);
  await waitForStillFrames(view);
  const jogged = await canvas.screenshot();
  expect(await differingPixels(before, jogged), 'pixels changed by a 0.2 rad shoulder jog').toBeGreaterThan(800);
  await savePanelShot(panel, 'arm3d-jogged.png');

  // Orbit by dragging, then Reset view brings the default camera back (the same picture as before the drag).
  const box = (await canvas.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 160, box.y + box.height / 2 - 40, { steps: 8 });
  await page.mouse.up();
  await page.waitForTimeout(200);
  const orbited = await canvas.screenshot();
  expect(await differingPixels(jogged, orbited), 'pixels changed by orbiting').toBeGreaterThan(2000);
  await panel.getByTestId('arm3d-reset-view').click();
  await page.waitForTimeout(200);
  const reset = await canvas.screenshot();
  // Antialiased edges may land a hair differently; anything beyond a sliver means another camera.
  const { width, height } = (await canvas.boundingBox())!;
  expect(await differingPixels(jogged, reset), 'pixels left different after Reset view').toBeLessThan(
    width * height * 0.002,
  );

  expect(problems).toEqual([]);
});

test('the 3D view shows the ghost of the chunk target while an attempt runs, and hides it after', async ({ page }) => {
  const { panel, view } = await openConsole(page);
  await expect(view).toHaveAttribute('data-joints', /\d/, { timeout: 10_000 });

  const runPanel = page.getByTestId('run-panel');
  const input = page.getByTestId('command-input');
  await input.fill(ATTEMPT_INSTRUCTION);
  await input.press('Enter');
  await expect
    .poll(async () => (await view.getAttribute('data-ghost')) ?? '', {
      message: 'a ghost at the chunk target',
      timeout: 30_000,
    })
    .toMatch(/^-?\d+\.\d{3}(,-?\d+\.\d{3}){5},/);
  await expect(panel.getByTestId('arm3d-ghost-key')).toBeVisible();
  await expect.poll(() => numberIn(page.getByTestId('run-actions')), { timeout: 30_000 }).toBeGreaterThanOrEqual(3);
  await savePanelShot(panel, 'arm3d-ghost.png');

  await stopIfRunning(page);
  await expect(runPanel).toHaveAttribute('data-phase', 'finished', { timeout: 15_000 });
  await expect(view).toHaveAttribute('data-ghost', '');
  await expect(panel.getByTestId('arm3d-ghost-key')).toBeHidden();

  expect(problems).toEqual([]);
});

test('without WebGL the 3D view says so and the rest of the console works', async ({ page }) => {
  // A browser without WebGL: canvases give no WebGL context (2D still works).
  await page.addInitScript(`{
    const original = HTMLCanvasElement.prototype.getContext;
    HTMLCanvasElement.prototype.getContext = function (type, ...rest) {
      if (type === 'webgl2' || type === 'webgl') return null;
      return original.call(this, type, ...rest);
    };
  }`);
  await page.goto(served.url);
  const panel = page.locator('[data-panel="arm3d"]');
  await expect(panel.getByTestId('arm3d-error')).toContainText('3D view needs WebGL: ');
  await expect(panel.getByTestId('arm3d-view')).toHaveAttribute('data-webgl', 'unavailable');
  await expect(panel.getByTestId('arm3d-canvas')).toHaveCount(0);
  // The arm panel beside it is live.
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await expect(page.getByTestId('joint-pos-1')).toHaveText(/^-?\d+\.\d{3}$/);
  await savePanelShot(panel, 'arm3d-no-webgl.png');
  expect(problems).toEqual([]);
});
