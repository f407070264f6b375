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

async function jointPos(page: Page, motorId: number): Promise<number> {
  const text = await page.getByTestId(`joint-pos-${motorId}`).textContent();
  const value = Number.parseFloat(text ?? '');
  expect(Number.isFinite(value), `joint ${motorId} position "${text}" is a number`).toBe(true);
  return value;
}

/** Waits until the displayed position of a joint is within ±tolerance of the expected value. */
async function expectJointNear(page: Page, motorId: number, expected: number, tolerance = 0.03): Promise<void> {
  await expect
    .poll(async () => Math.abs((await jointPos(page, motorId)) - expected), {
      message: `joint ${motorId} reaches ${expected.toFixed(3)} rad`,
      timeout: 5000,
    })
    .toBeLessThanOrEqual(tolerance);
}

async function feedbackRateHz(page: Page): Promise<number> {
  return Number.parseFloat((await page.getByTestId('feedback-rate').textContent()) ?? '');
}

/** The console is ready once main answered system.info; the arm must then be holding, not latched. */
async function settleStartup(page: Page): Promise<void> {
  await expect(page.getByTestId('status-provider')).not.toHaveText('…', { timeout: 15_000 });
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
}

test('the arm panel shows the live simulated arm, jogs it, and holds it with Space and Esc', async ({ page }) => {
  await page.goto(served.url);

  // Link up, fast feedback, seven joints with live values.
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await expect.poll(() => feedbackRateHz(page), { timeout: 5000 }).toBeGreaterThan(150);
  await settleStartup(page);
  for (let motorId = 1; motorId <= 7; motorId += 1) {
    await expect(page.getByTestId(`joint-pos-${motorId}`)).toHaveText(/^-?\d+\.\d{3}$/);
  }
  await expect(page.getByTestId('gripper-stroke')).toHaveText(/^\d+\.\d mm$/);
  await expect(page.getByTestId('arm-faults')).toHaveText('no faults');
  await expect(page.getByTestId('status-arm')).toHaveText(/^up · \d+ Hz$/);
  await expect(page.getByTestId('status-faults')).toHaveText('none');
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  const sampled = await page.getByTestId('arm-panel').getAttribute('data-sampled-at');
  await expect(page.getByTestId('arm-panel')).not.toHaveAttribute('data-sampled-at', sampled ?? '');

  // Motors start disabled: a jog is refused with a message.
  await page.getByTestId('jog-step-0.1').click();
  await page.getByTestId('jog-plus-2').click();
  await expect(page.getByTestId('arm-error')).toContainText('the motors are disabled; enable them first');

  // Enable, then jog joint 2 by +0.1 twice.
  await page.getByTestId('arm-enable').click();
  await expect(page.getByTestId('motors-enabled')).toHaveText('enabled');
  await expect(page.getByTestId('arm-error')).toBeHidden();
  const start = await jointPos(page, 2);
  await page.getByTestId('jog-plus-2').click();
  await page.getByTestId('jog-plus-2').click();
  await expectJointNear(page, 2, start + 0.2);
  await expect(page.getByTestId('arm-error')).toBeHidden();
  await saveScreenshot(page, 'arm-panel.png');

  // Space (focus is still on the jog button) holds, and does not also click the button.
  await expect(page.getByTestId('jog-plus-2')).toBeFocused();
  const beforeHold = await jointPos(page, 2);
  await page.keyboard.press('Space');
  await expect(page.getByTestId('governor-mode')).toHaveText('held');
  await expect(page.getByTestId('hold-reason')).toHaveText('Stop (hold) pressed');
  await expect(page.getByTestId('stop-hold-feedback')).toHaveText(/hold sent/);
  await expect(page.getByTestId('arm-error')).toBeHidden();
  await page.waitForTimeout(300);
  expect(Math.abs((await jointPos(page, 2)) - beforeHold)).toBeLessThan(0.01);

  // A further jog is refused, with the governor's message.
  await page.getByTestId('jog-plus-2').click();
  await expect(page.getByTestId('arm-error')).toContainText('refused');
  await expect(page.getByTestId('arm-error')).toContainText('the arm is held (Stop (hold) pressed); release it first');
  await saveScreenshot(page, 'arm-held.png');

  // Release, then jogging works again (and the error clears).
  await page.getByTestId('arm-release').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  await expect(page.getByTestId('arm-error')).toBeHidden();
  const released = await jointPos(page, 2);
  await page.getByTestId('jog-minus-2').click();
  await expectJointNear(page, 2, released - 0.1);

  // Esc holds too.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('governor-mode')).toHaveText('held');
  await expect(page.getByTestId('hold-reason')).toHaveText('Stop (hold) pressed');

  // Space typed into a text field is text, not a hold; Esc there still holds.
  await page.getByTestId('arm-release').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  await page.getByTestId('link-kind-rosbridge').click();
  const url = page.getByTestId('rosbridge-url');
  await url.fill('ws://lab-pc:9090');
  await url.press('Space');
  await expect(url).toHaveValue('ws://lab-pc:9090 ');
  await page.waitForTimeout(200);
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  await url.press('Escape');
  await expect(page.getByTestId('governor-mode')).toHaveText('held');

  // The Stop (hold) button itself.
  await page.getByTestId('arm-release').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('holding');
  await page.getByTestId('stop-hold').click();
  await expect(page.getByTestId('governor-mode')).toHaveText('held');
  await expect(page.getByTestId('stop-hold')).toHaveAttribute('title', /not an emergency stop/i);
  await expect(page.getByTestId('stop-hold')).toHaveAttribute('title', /power supply/);

  expect(problems).toEqual([]);
});

test('the link selector connects to the simulated arm through a socat pty, and a jog moves it', async ({ page }) => {
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 10_000 });
  await settleStartup(page);

  await page.getByTestId('link-kind-sim').click();
  await page.getByTestId('sim-transport-pty').click();
  await page.getByTestId('arm-connect').click();
  await expect(page.getByTestId('link-description')).toContainText('socat pty', { timeout: 15_000 });
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 15_000 });
  await expect.poll(() => feedbackRateHz(page), { timeout: 5000 }).toBeGreaterThan(100);
  await expect(page.getByTestId('joint-pos-1')).toHaveText(/^-?\d+\.\d{3}$/);

  await page.getByTestId('arm-enable').click();
  await expect(page.getByTestId('motors-enabled')).toHaveText('enabled');
  await page.getByTestId('jog-step-0.1').click();
  const start = await jointPos(page, 1);
  await page.getByTestId('jog-plus-1').click();
  await expectJointNear(page, 1, start + 0.1);
  await expect(page.getByTestId('arm-error')).toBeHidden();
  await saveScreenshot(page, 'arm-pty.png');

  // Disconnect: the link goes down, the Stop (hold) button stays usable.
  await page.getByTestId('arm-disconnect').click();
  await expect(page.getByTestId('link-state')).toHaveText('down');
  await expect(page.getByTestId('stop-hold')).toBeEnabled();
  await page.getByTestId('stop-hold').click();
  await expect(page.getByTestId('arm-error')).toBeHidden();

  expect(problems).toEqual([]);
});
