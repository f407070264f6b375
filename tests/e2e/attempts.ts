import { expect, type Locator, type Page } from '@playwright/test';

export const ATTEMPT_INSTRUCTION = 'put the grape in the plate';

export async function numberIn(locator: Locator): Promise<number> {
  return Number.parseFloat((await locator.textContent()) ?? '');
}

/**
 * Clicks the command bar's Stop if an attempt still runs; returns whether it did. The locator names the Stop
 * button itself, so an attempt that ends on its own meanwhile is not followed by a click on Run (reading the
 * button's action and then clicking it could start a new attempt).
 */
export async function stopIfRunning(page: Page): Promise<boolean> {
  const stop = page.locator('[data-testid="command-run"][data-action="stop"]');
  return stop.click({ timeout: 2_000 }).then(
    () => true,
    () => false,
  );
}

/**
 * One attempt in the sim: release a hold left by the last Stop, type the task, let it act for a few
 * actions (an untrained policy may end it sooner on its own), stop it if it still runs. Returns the id
 * of the episode the label prompt then shows.
 */
export async function runAttempt(
  page: Page,
  previousEpisodeId: number | null,
  instruction = ATTEMPT_INSTRUCTION,
): Promise<number> {
  if ((await page.getByTestId('governor-mode').textContent()) === 'held') {
    await page.getByTestId('arm-release').click();
    await expect(page.getByTestId('governor-mode')).not.toHaveText('held', { timeout: 10_000 });
  }
  const runPanel = page.getByTestId('run-panel');
  const runId = Number(await runPanel.getAttribute('data-run-id'));
  const input = page.getByTestId('command-input');
  await input.fill(instruction);
  await input.press('Enter');
  await expect
    .poll(async () => Number(await runPanel.getAttribute('data-run-id')), { message: 'a new attempt', timeout: 10_000 })
    .toBeGreaterThan(runId);
  // A few actions give the replay something to step through; then Stop, unless it ended already.
  await expect
    .poll(
      async () =>
        (await runPanel.getAttribute('data-phase')) === 'finished' ||
        (await numberIn(page.getByTestId('run-actions'))) >= 6,
      { message: 'six actions or the end of the attempt', timeout: 60_000 },
    )
    .toBe(true);
  await stopIfRunning(page);
  await expect(runPanel).toHaveAttribute('data-phase', 'finished', { timeout: 15_000 });

  // The recording ends with the attempt: the prompt asks about it.
  const prompt = page.getByTestId('label-prompt');
  await expect(prompt).toBeVisible({ timeout: 15_000 });
  if (previousEpisodeId !== null)
    await expect(prompt).not.toHaveAttribute('data-episode-id', String(previousEpisodeId), { timeout: 15_000 });
  return Number(await prompt.getAttribute('data-episode-id'));
}
