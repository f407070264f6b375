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

/** The console is ready once main answered system.info and the arm is holding, not latched. */
async function settleStartup(page: Page): Promise<void> {
  await expect(page.getByTestId('status-provider')).not.toHaveText('…', { timeout: 15_000 });
  await expect(page.getByTestId('governor-mode')).toHaveText('holding', { timeout: 10_000 });
}

/** True when the element is inside the viewport and is what the page shows at its centre (nothing covers it). */
async function fullyVisible(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  const inside =
    box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width && box.y + box.height <= viewport.height;
  const onTop = await locator.evaluate((element) => {
    // The Node-side type check has no DOM library: the document as far as this needs it.
    const { document } = globalThis as unknown as { document: { elementFromPoint(x: number, y: number): unknown } };
    const rect = element.getBoundingClientRect();
    const hit = document.elementFromPoint(rect.left + rect.width / 2, rect.top + rect.height / 2);
    return hit !== null && (hit === element || element.contains(hit as typeof element));
  });
  return inside && onTop;
}

function overlaps(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

test('status bar, shortcut overlay (Esc still holds), toasts with what to do, Stop (hold) always in view', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(served.url);
  await settleStartup(page);

  // ---- Status bar: link, provider and last inference, recording state, disk space ----
  const bar = page.getByTestId('status-bar');
  await expect(bar.getByTestId('status-connection')).toHaveText('open');
  await expect(bar.getByTestId('status-arm')).toHaveText(/^up · \d+ Hz$/);
  await expect(bar.getByTestId('status-faults')).toHaveText('none');
  await expect(bar.getByTestId('status-provider')).toHaveText(/^(CPU|CUDA)$/);
  await expect(bar.getByTestId('status-inference')).toHaveText(/^(no inference yet|last \d+ ms)$/);
  await expect(bar.getByTestId('status-recording')).toHaveText('idle');
  await expect(bar.getByTestId('status-recording')).toHaveAttribute('data-state', 'idle');
  const disk = bar.getByTestId('status-disk');
  await expect(disk).toHaveText(/^\d+(\.\d)? (MiB|GiB|TiB) free/, { timeout: 10_000 });
  await expect(disk.locator('xpath=..')).toHaveAttribute('title', new RegExp(`recordings folder ${served.dataDir}`));
  for (const id of ['status-arm', 'status-provider', 'status-recording', 'status-disk']) {
    expect(await fullyVisible(page, bar.getByTestId(id)), `${id} is in view at 1366×768`).toBe(true);
  }

  // A manual session shows as recording, with its episode.
  const manual = page.getByTestId('episodes-manual-toggle');
  await manual.click();
  await expect(manual).toHaveAttribute('data-recording', 'true', { timeout: 10_000 });
  await expect(bar.getByTestId('status-recording')).toHaveAttribute('data-state', 'recording');
  await expect(bar.getByTestId('status-recording')).toHaveText(/^● #\d+$/);
  await saveScreenshot(page, 'ergonomics-status-bar.png');
  await manual.click();
  await expect(manual).toHaveAttribute('data-recording', 'false', { timeout: 10_000 });
  await expect(bar.getByTestId('status-recording')).toHaveText('idle');

  // ---- ? opens the shortcut overlay; it lists Esc → Stop (hold) with its button ----
  await page.evaluate(() =>
    (
      globalThis as unknown as { document: { activeElement: { blur?(): void } | null } }
    ).document.activeElement?.blur?.(),
  );
  await page.keyboard.press('Shift+Slash');
  const overlay = page.getByTestId('shortcut-overlay');
  await expect(overlay).toBeVisible();
  const escRow = overlay.locator('[data-testid="shortcut-row"][data-keys="Esc"]');
  await expect(escRow.getByTestId('shortcut-action')).toContainText('Stop (hold)');
  await expect(escRow.getByTestId('shortcut-button')).toContainText('Stop (hold), header');
  for (const keys of ['Space', 'Enter', '↑ ↓', 'G', 'B', 'U', 'S', '← →', 'K', '?']) {
    await expect(overlay.locator(`[data-testid="shortcut-row"][data-keys="${keys}"]`).first()).toBeVisible();
  }
  // The header (and Stop (hold)) stays uncovered while the overlay is open.
  expect(await fullyVisible(page, page.getByTestId('stop-hold'))).toBe(true);
  await saveScreenshot(page, 'ergonomics-shortcuts.png');

  // Esc with the overlay open: the arm is held AND the overlay closes.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('governor-mode')).toHaveText('held');
  await expect(page.getByTestId('hold-reason')).toHaveText('Stop (hold) pressed');
  await expect(overlay).toBeHidden();
  // The operator's own hold makes no toast.
  await page.waitForTimeout(300);
  await expect(page.getByTestId('toast')).toHaveCount(0);

  // The header's ? button opens it too; ? closes it.
  await page.getByTestId('shortcuts-open').click();
  await expect(overlay).toBeVisible();
  await page.keyboard.press('Shift+Slash');
  await expect(overlay).toBeHidden();
  // Typed into the command bar, ? is text.
  await page.getByTestId('command-input').fill('what is this');
  await page.getByTestId('command-input').press('Shift+Slash');
  await expect(page.getByTestId('command-input')).toHaveValue('what is this?');
  await expect(overlay).toBeHidden();

  // ---- A refused action makes a toast that says what to do ----
  await page.getByTestId('arm-release').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  await page.getByTestId('jog-plus-2').click();
  await expect(page.getByTestId('arm-error')).toContainText('the motors are disabled; enable them first');
  const toast = page.locator('[data-testid="toast"][data-key="arm:jog"]');
  await expect(toast).toBeVisible();
  await expect(toast.getByTestId('toast-title')).toContainText('Jog arm_joint2');
  await expect(toast.getByTestId('toast-message')).toHaveText('the motors are disabled; enable them first');
  await expect(toast.getByTestId('toast-action')).toContainText('Enable the motors in the Arm panel');
  await expect(toast).toHaveAttribute('data-sticky', 'false');
  const toastBox = (await toast.boundingBox())!;
  const stopBox = (await page.getByTestId('stop-hold').boundingBox())!;
  expect(overlaps(toastBox, stopBox), 'the toast does not cover Stop (hold)').toBe(false);
  expect(await fullyVisible(page, page.getByTestId('stop-hold'))).toBe(true);
  await saveScreenshot(page, 'ergonomics-toast.png');
  await toast.getByTestId('toast-dismiss').click();
  await expect(toast).toHaveCount(0);

  // ---- At 1366×768, after scrolling the page and the panels, Stop (hold) is still in view and works ----
  const panels = page.getByTestId('panel-area');
  await panels.evaluate((element) => element.scrollTo(0, element.scrollHeight));
  await page.mouse.move(600, 500);
  await page.mouse.wheel(0, 5000);
  await page.evaluate(() => (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 100_000));
  await page.waitForTimeout(200);
  expect(await panels.evaluate((element) => element.scrollTop), 'the panel area did scroll').toBeGreaterThan(200);
  expect(await fullyVisible(page, page.getByTestId('stop-hold')), 'Stop (hold) is in view after scrolling').toBe(true);
  expect(await fullyVisible(page, page.getByTestId('shortcuts-open'))).toBe(true);
  expect(await fullyVisible(page, bar.getByTestId('status-disk'))).toBe(true);
  await saveScreenshot(page, 'ergonomics-scrolled-1366.png');
  await page.getByTestId('stop-hold').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('held');

  expect(problems).toEqual([]);
});
