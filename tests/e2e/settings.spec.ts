import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
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

interface SavedSettings {
  safety: { jointLimits: Record<string, { lowerRad: number; upperRad: number }>; velocityCapRadS: number | null };
  cameras: { policyCamera: string | null };
}

/** What `coach serve` wrote in its data folder. */
function settingsFile(): SavedSettings {
  return JSON.parse(fs.readFileSync(path.join(served.dataDir, 'settings.json'), 'utf8')) as SavedSettings;
}

/** Scrolls the console so the Settings panel's top is at the top of the panel area. */
async function showSettingsPanel(page: Page): Promise<void> {
  await page.locator('[data-panel="settings"]').evaluate((element) => element.scrollIntoView({ block: 'start' }));
}

async function openTab(page: Page, tab: string): Promise<void> {
  await page.getByTestId(`settings-tab-${tab}`).click();
  await expect(page.getByTestId(`settings-section-${tab}`)).toBeVisible();
}

test('settings: a tighter joint limit and the policy camera are saved, applied and kept; a looser limit is refused', async ({
  page,
}) => {
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await page.getByTestId('settings-panel').scrollIntoViewIfNeeded();

  // Safety limits start at the A1's own; tighten arm_joint2's upper limit and the velocity cap.
  await openTab(page, 'safety');
  const upper2 = page.getByTestId('settings-limit-upper-arm_joint2');
  await expect(upper2).toHaveValue('3.1415');
  await upper2.fill('2.5');
  await page.getByTestId('settings-velocity-cap').fill('1.5');
  await expect(page.getByTestId('settings-unsaved-safety')).toBeVisible();
  await expect(page.getByTestId('settings-tab-safety').locator('.dot')).toBeVisible();
  expect(fs.existsSync(path.join(served.dataDir, 'settings.json')) ? settingsFile().safety.velocityCapRadS : null).toBe(
    null,
  );
  await page.getByTestId('settings-save-safety').click();
  await expect(page.getByTestId('settings-saved-safety')).toHaveText('✓ Saved');
  await expect(page.getByTestId('settings-unsaved-safety')).toBeHidden();
  // Main applied them to the governor: the arm state says so (here and in the Arm panel).
  const inForce = page.getByTestId('settings-safety-in-force');
  await expect(inForce).toContainText('velocity cap 1.5 rad/s');
  await expect(inForce).toContainText('arm_joint2 0 … 2.5');
  await expect(page.getByTestId('arm-panel')).toContainText('Speed cap 1.5 rad/s');
  expect(settingsFile().safety).toEqual({
    jointLimits: { arm_joint2: { lowerRad: 0, upperRad: 2.5 } },
    velocityCapRadS: 1.5,
  });

  // The policy's scene camera: the sim has scene and wrist.
  await openTab(page, 'cameras');
  const policyCamera = page.getByTestId('settings-policy-camera');
  await expect(policyCamera.locator('option[value="wrist"]')).toHaveCount(1);
  await policyCamera.selectOption('wrist');
  await page.getByTestId('settings-save-cameras').click();
  await expect(page.getByTestId('settings-saved-cameras')).toBeVisible();
  expect(settingsFile().cameras.policyCamera).toBe('wrist');

  // A reload reads them back from main.
  await page.reload();
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await page.getByTestId('settings-panel').scrollIntoViewIfNeeded();
  await openTab(page, 'safety');
  await expect(page.getByTestId('settings-limit-upper-arm_joint2')).toHaveValue('2.5');
  await expect(page.getByTestId('settings-limit-lower-arm_joint2')).toHaveValue('0');
  await expect(page.getByTestId('settings-velocity-cap')).toHaveValue('1.5');
  await openTab(page, 'cameras');
  await expect(page.getByTestId('settings-policy-camera')).toHaveValue('wrist');

  // Looser than the hardware: the message by the field names the joint and the A1's limit; nothing is saved.
  await openTab(page, 'safety');
  await page.getByTestId('settings-limit-lower-arm_joint2').fill('-0.5');
  await page.getByTestId('settings-save-safety').click();
  const error = page.getByTestId('settings-field-error-lower-arm_joint2');
  await expect(error).toHaveText(
    "arm_joint2 lower limit -0.5 rad is looser than the hardware's 0 rad: limits may only be tighter than the A1's range (0 … 3.1415 rad)",
  );
  await expect(page.getByTestId('settings-limit-lower-arm_joint2')).toHaveClass(/invalid/);
  await expect(page.getByTestId('settings-saved-safety')).toBeHidden();
  await expect(page.getByTestId('settings-unsaved-safety')).toBeVisible();
  await expect(inForce).toContainText('arm_joint2 0 … 2.5');
  expect(settingsFile().safety.jointLimits.arm_joint2).toEqual({ lowerRad: 0, upperRad: 2.5 });
  await showSettingsPanel(page);
  await saveScreenshot(page, 'settings-safety.png');

  // The arm link section warns that direct serial uses the inferred protocol and wants the acknowledgement.
  await openTab(page, 'arm');
  await page.getByTestId('settings-link-kind-serial').click();
  await expect(page.getByTestId('settings-inferred-warning')).toContainText('not from a vendor document');
  await page.getByTestId('settings-serial-path').fill('/dev/ttyACM0');
  await page.getByTestId('settings-save-arm').click();
  await expect(page.getByTestId('settings-field-error-link-ack')).toContainText('tick the acknowledgement');
  await showSettingsPanel(page);
  await saveScreenshot(page, 'settings-link.png');

  expect(problems).toEqual([]);
});
