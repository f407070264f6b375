import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { repoRoot, startCoachServe, type ServedCoach } from './serveProcess';
import { watchPageProblems } from './pageChecks';

let served: ServedCoach;
let problems: string[];

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
});

test.afterEach(async () => {
  await served.stop();
});

const panel = (page: Page) => page.getByTestId('plots-panel');

async function numberAttr(locator: Locator, name: string): Promise<number> {
  return Number((await locator.getAttribute(name)) ?? 'NaN');
}

/** The newest plotted value of a joint (1-based) from the panel's data attribute. */
async function latestRad(page: Page, kind: 'pos' | 'cmd', joint: number): Promise<number> {
  const values = ((await panel(page).getAttribute(`data-latest-${kind}-rad`)) ?? '').split(' ');
  return Number(values[joint - 1]);
}

type Rgb = [number, number, number];

/** Pixels of a chart's screenshot within a small distance of any of the colours. */
async function pixelsNear(chart: Locator, colors: Rgb[]): Promise<number> {
  const { data, info } = await sharp(await chart.screenshot())
    .raw()
    .toBuffer({ resolveWithObject: true });
  let count = 0;
  for (let i = 0; i < data.length; i += info.channels) {
    const near = colors.some(
      (rgb) => Math.abs(data[i]! - rgb[0]) + Math.abs(data[i + 1]! - rgb[1]) + Math.abs(data[i + 2]! - rgb[2]) < 40,
    );
    if (near) count += 1;
  }
  return count;
}

/** Joints 2 and 3, measured (solid) and commanded (light dashed): JOINT_COLORS and commandedColor in plotTheme.ts. */
const J2_GREENS: Rgb[] = [
  [0x3f, 0xcf, 0x8e],
  [159, 231, 199],
];
const J3_AMBERS: Rgb[] = [
  [0xf5, 0xb9, 0x42],
  [250, 220, 161],
];

test('the plots show live feedback at full rate, follow a jog, and pause, window and hide joints', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await expect(page.getByTestId('governor-mode')).toHaveText('holding', { timeout: 15_000 });

  const plots = panel(page);
  await plots.scrollIntoViewIfNeeded();
  // Every feedback sample arrives (≈200 per second), none missed, and the charts redraw.
  await expect.poll(() => numberAttr(plots, 'data-buffered'), { timeout: 5000 }).toBeGreaterThan(400);
  // (While the page loads, a batch may be replaced in the transport's latest-value window and counted as
  // missed; once running, none is.)
  const received0 = await numberAttr(plots, 'data-received');
  const missed0 = await numberAttr(plots, 'data-missed');
  await page.waitForTimeout(1000);
  const perSecond = (await numberAttr(plots, 'data-received')) - received0;
  expect(perSecond, 'samples received in 1 s').toBeGreaterThan(150);
  expect(await numberAttr(plots, 'data-missed'), 'samples missed while running').toBe(missed0);
  await expect.poll(() => numberAttr(plots, 'data-redraws')).toBeGreaterThan(5);
  await expect(page.getByTestId('plots-stats')).toContainText(/\d+ samples\/s/);

  // Jog joint 2 by +0.2 rad through the Arm panel; the plotted command and measurement follow.
  const start = await latestRad(page, 'pos', 2);
  expect(Number.isFinite(start), `joint 2 plotted at ${start}`).toBe(true);
  await page.getByTestId('arm-enable').click();
  await expect(page.getByTestId('motors-enabled')).toHaveText('enabled');
  await page.getByTestId('jog-step-0.1').click();
  // The button's own click event (the arm panel may sit partly under another panel's resize grip here).
  await page.getByTestId('jog-plus-2').dispatchEvent('click');
  await page.getByTestId('jog-plus-2').dispatchEvent('click');
  await plots.scrollIntoViewIfNeeded();
  await expect.poll(() => latestRad(page, 'cmd', 2), { timeout: 5000 }).toBeCloseTo(start + 0.2, 1);
  await expect.poll(() => latestRad(page, 'pos', 2), { timeout: 5000 }).toBeCloseTo(start + 0.2, 1);
  expect(Math.abs((await latestRad(page, 'pos', 2)) - start - 0.2)).toBeLessThan(0.02);

  // Window: 10 s (the few seconds of data then span most of the chart).
  const redrawsBefore = await numberAttr(plots, 'data-redraws');
  await page.getByTestId('plots-window-10').click();
  await expect(plots).toHaveAttribute('data-window-s', '10');
  await expect(page.getByTestId('plots-window-10')).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => numberAttr(plots, 'data-redraws')).toBeGreaterThan(redrawsBefore);

  // The joint 2 line is drawn in its colour; hiding joint 3 removes its amber lines from the positions chart.
  const positions = page.getByTestId('plots-positions');
  expect(await pixelsNear(positions, J2_GREENS)).toBeGreaterThan(150);
  expect(await pixelsNear(positions, J3_AMBERS)).toBeGreaterThan(150);
  await page.getByTestId('plots-joint-3').click();
  await expect(page.getByTestId('plots-joint-3')).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(() => pixelsNear(positions, J3_AMBERS)).toBeLessThan(20);
  await page.getByTestId('plots-joint-3').click();

  // Pause freezes the view (no redraws) while samples keep arriving; resume redraws again.
  await page.getByTestId('plots-pause').click();
  await expect(page.getByTestId('plots-pause')).toHaveText('Resume');
  await page.waitForTimeout(100);
  const frozenRedraws = await numberAttr(plots, 'data-redraws');
  const frozenReceived = await numberAttr(plots, 'data-received');
  await page.waitForTimeout(600);
  expect(await numberAttr(plots, 'data-redraws')).toBe(frozenRedraws);
  expect(await numberAttr(plots, 'data-received')).toBeGreaterThan(frozenReceived + 50);
  await page.getByTestId('plots-pause').click();
  await expect.poll(() => numberAttr(plots, 'data-redraws')).toBeGreaterThan(frozenRedraws);

  // Back to 60 s for the picture; the jog's step must be visible in it.
  await page.getByTestId('plots-window-60').click();
  await page.waitForTimeout(300);
  fs.mkdirSync(path.join(repoRoot, 'test-results'), { recursive: true });
  await plots.screenshot({ path: path.join(repoRoot, 'test-results/plots-panel.png') });
  expect(problems).toEqual([]);
});
