import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startCoachServe, type ServedCoach } from './serveProcess';
import { saveScreenshot, watchPageProblems } from './pageChecks';
import { ATTEMPT_INSTRUCTION as INSTRUCTION, numberIn, runAttempt } from './attempts';

const NOTE = 'grasped the grape, but upside down';

let served: ServedCoach;
let problems: string[];
let scratch: string;

test.beforeEach(async ({ page }) => {
  served = await startCoachServe();
  problems = watchPageProblems(page);
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-e2e-episodes-'));
});

test.afterEach(async () => {
  await served.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(served.dataDir, { recursive: true, force: true });
});

function rows(page: Page): Locator {
  return page.locator('[data-testid^="episode-row-"]');
}

/** The export dialog's result for one format into a fresh folder; returns the folder. */
async function exportAll(page: Page, format: 'lerobot-v2.1' | 'lerobot-v3', folderName: string): Promise<string> {
  const outDir = path.join(scratch, folderName);
  await page.getByTestId(`export-format-${format}`).click();
  await expect(page.getByTestId(`export-format-${format}`)).toHaveAttribute('aria-pressed', 'true');
  await page.getByTestId('export-dir').fill(outDir);
  await expect(page.getByTestId('export-start')).toBeEnabled();
  await page.getByTestId('export-start').click();
  const progress = page.getByTestId('export-progress');
  await expect(progress).toBeVisible({ timeout: 10_000 });
  await expect(progress).toHaveAttribute('data-phase', 'done', { timeout: 120_000 });
  await expect(page.getByTestId('export-result-episodes')).toHaveText('3');
  expect(await numberIn(page.getByTestId('export-result-videos')), 'videos written').toBeGreaterThan(0);
  expect(await numberIn(page.getByTestId('export-result-frames')), 'frames written').toBeGreaterThan(0);
  await expect(page.getByTestId('export-result-size')).toHaveText(/^\d+(\.\d)? (B|KiB|MiB|GiB)$/);
  await expect(page.getByTestId('export-result-dir')).toHaveText(outDir);
  await expect(page.getByTestId('export-result-no-skips')).toBeVisible();
  return outDir;
}

function codebaseVersion(outDir: string): string {
  const infoPath = path.join(outDir, 'meta', 'info.json');
  expect(fs.existsSync(infoPath), `${infoPath} exists`).toBe(true);
  return (JSON.parse(fs.readFileSync(infoPath, 'utf8')) as { codebase_version: string }).codebase_version;
}

test('attempts are recorded, labelled from the prompt, browsed, replayed, marked and exported', async ({ page }) => {
  // Three attempts with inference, the sim, two cameras, two exports with video encoding and this browser
  // share the machine's CPUs.
  test.setTimeout(420_000);
  await page.goto(served.url);
  await expect(page.getByTestId('link-state')).toHaveText('up', { timeout: 15_000 });
  await expect(page.getByTestId('policy-name')).toBeVisible({ timeout: 60_000 });

  // A fresh data folder: an empty catalog, said in words.
  await expect(page.getByTestId('episodes-count-total')).toHaveText('0', { timeout: 15_000 });
  await expect(page.getByTestId('episodes-empty')).toContainText('No episodes yet');
  await expect(page.getByTestId('label-prompt')).toHaveCount(0);

  // ---- Attempt 1: labelled good with the G key ----
  const first = await runAttempt(page, null);
  const prompt = page.getByTestId('label-prompt');
  await expect(page.getByTestId('label-prompt-task')).toHaveText(`“${INSTRUCTION}”`);
  await expect(page.getByTestId('label-prompt-outcome')).toHaveText(/\w+/);
  await expect(page.getByTestId('label-prompt-duration')).toHaveText(/^\d+\.\d s$/);
  await expect(page.getByTestId('label-prompt-strokes')).toHaveText(/^\d+$/);
  await expect(page.getByTestId('label-prompt-current')).toHaveCount(0);
  await saveScreenshot(page, 'episodes-label-prompt.png');

  // G typed into the command bar is text: no label.
  const input = page.getByTestId('command-input');
  await input.fill('');
  await input.press('g');
  await expect(input).toHaveValue('g');
  await page.waitForTimeout(300);
  await expect(prompt).toBeVisible();
  await input.fill('');
  await input.blur();
  await page.keyboard.press('g');
  await expect(prompt).toHaveCount(0);
  const saved = page.getByTestId('label-prompt-saved');
  await expect(saved).toHaveAttribute('data-label', 'good');
  await expect(page.getByTestId(`episode-label-${first}`)).toHaveAttribute('data-label', 'good', { timeout: 10_000 });

  // ---- Attempt 2: labelled bad with the button ----
  const second = await runAttempt(page, first);
  await page.getByTestId('label-prompt-bad').click();
  await expect(prompt).toHaveCount(0);
  await expect(saved).toHaveAttribute('data-label', 'bad');

  // ---- Attempt 3: a note typed key by key (its g, b and u are text), then U ----
  const third = await runAttempt(page, second);
  await page.getByTestId('label-prompt-note').pressSequentially(NOTE);
  await expect(page.getByTestId('label-prompt-note')).toHaveValue(NOTE);
  await expect(prompt).toBeVisible();
  await page.getByTestId('label-prompt-note').blur();
  await page.keyboard.press('u');
  await expect(prompt).toHaveCount(0);
  await expect(saved).toHaveAttribute('data-label', 'unsure');
  expect(new Set([first, second, third]).size, 'three episodes').toBe(3);

  // The prompt opens again for the last episode, with what was saved.
  await page.getByTestId('label-prompt-reopen').click();
  await expect(page.getByTestId('label-prompt-current')).toHaveAttribute('data-label', 'unsure');
  await expect(page.getByTestId('label-prompt-note')).toHaveValue(NOTE);
  // S skips, and leaves the arm as it was (Esc is Stop (hold) everywhere, so it is not the skip key).
  const modeBefore = await page.getByTestId('governor-mode').textContent();
  await page.keyboard.press('s');
  await expect(prompt).toHaveCount(0);
  await expect(page.getByTestId('governor-mode')).toHaveText(modeBefore ?? '');
  await expect(saved).toHaveAttribute('data-label', 'unsure');

  // ---- The browser: three rows, their labels, the note, the counts ----
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId(`episode-label-${first}`)).toHaveAttribute('data-label', 'good');
  await expect(page.getByTestId(`episode-label-${second}`)).toHaveAttribute('data-label', 'bad');
  await expect(page.getByTestId(`episode-label-${third}`)).toHaveAttribute('data-label', 'unsure');
  await expect(page.getByTestId(`episode-note-${third}`)).toHaveText(NOTE);
  await expect(page.getByTestId('episodes-count-total')).toHaveText('3');
  const expectedLabelCounts: [string, number][] = [
    ['good', 1],
    ['bad', 1],
    ['unsure', 1],
    ['unlabeled', 0],
  ];
  for (const [label, count] of expectedLabelCounts) {
    await expect(page.getByTestId(`episodes-count-label-${label}`).locator('b')).toHaveText(String(count));
  }
  const outcomeCounts = await page.locator('[data-testid^="episodes-count-outcome-"] b').allTextContents();
  expect(
    outcomeCounts.map(Number).reduce((sum, count) => sum + count, 0),
    'outcomes add up',
  ).toBe(3);
  // Newest first.
  await expect(rows(page).first()).toHaveAttribute('data-testid', `episode-row-${third}`);
  await page.getByTestId('episodes-table').scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'episodes-browser.png');

  // Filters: the label "unlabeled", then task words.
  await page.getByTestId('episode-filter-label').selectOption('unlabeled');
  await expect(rows(page)).toHaveCount(0);
  await expect(page.getByTestId('episodes-empty')).toContainText('No episodes match');
  await page.getByTestId('episode-filter-label').selectOption('bad');
  await expect(rows(page)).toHaveCount(1);
  await expect(page.getByTestId(`episode-row-${second}`)).toBeVisible();
  await page.getByTestId('episode-filter-reset').click();
  await page.getByTestId('episode-filter-task').fill('GRAPE');
  await expect(rows(page)).toHaveCount(3);
  await page.getByTestId('episode-filter-task').fill('eggplant');
  await expect(rows(page)).toHaveCount(0);
  await page.getByTestId('episode-filter-reset').click();
  await expect(rows(page)).toHaveCount(3);

  // Bulk label: two rows unsure, then everything on the page good.
  await page.getByTestId(`episode-select-${first}`).check();
  await page.getByTestId(`episode-select-${second}`).check();
  await expect(page.getByTestId('episodes-selected-count').locator('b')).toHaveText('2');
  await page.getByTestId('episodes-bulk-unsure').click();
  await expect(page.getByTestId(`episode-label-${first}`)).toHaveAttribute('data-label', 'unsure');
  await expect(page.getByTestId(`episode-label-${second}`)).toHaveAttribute('data-label', 'unsure');
  await expect(page.getByTestId('episodes-count-label-unsure').locator('b')).toHaveText('3');
  await page.getByTestId('episodes-select-all').check();
  await expect(page.getByTestId('episodes-selected-count').locator('b')).toHaveText('3');
  await page.getByTestId('episodes-bulk-good').click();
  for (const id of [first, second, third])
    await expect(page.getByTestId(`episode-label-${id}`)).toHaveAttribute('data-label', 'good');
  await expect(page.getByTestId('episodes-count-label-good').locator('b')).toHaveText('3');
  await page.getByTestId('episodes-select-all').uncheck();
  await expect(page.getByTestId('episodes-selected-count').locator('b')).toHaveText('0');

  // Exclude one from training (kept, browsable).
  await page.getByTestId(`episode-select-${second}`).check();
  await page.getByTestId('episodes-bulk-exclude').click();
  await expect(page.getByTestId(`episode-excluded-${second}`)).toHaveAttribute('data-excluded', 'true');
  await expect(rows(page)).toHaveCount(3);
  await page.getByTestId('episode-filter-include-excluded').uncheck();
  await expect(rows(page)).toHaveCount(2);
  await page.getByTestId('episode-filter-include-excluded').check();
  await expect(rows(page)).toHaveCount(3);
  await page.getByTestId(`episode-select-${second}`).uncheck();

  // Delete one, then Undo brings it back with its label and note.
  await expect(page.getByTestId('episodes-undo')).toBeDisabled();
  await page.getByTestId(`episode-select-${third}`).check();
  await page.getByTestId('episodes-bulk-delete').click();
  await expect(rows(page)).toHaveCount(2);
  await expect(page.getByTestId(`episode-row-${third}`)).toHaveCount(0);
  await expect(page.getByTestId('episodes-count-total')).toHaveText('2');
  await expect(page.getByTestId('episodes-undo-note')).toContainText(`#${third}`);
  await expect(page.getByTestId('episodes-undo')).toBeEnabled();
  await page.getByTestId('episodes-undo').click();
  await expect(rows(page)).toHaveCount(3);
  await expect(page.getByTestId(`episode-label-${third}`)).toHaveAttribute('data-label', 'good');
  await expect(page.getByTestId(`episode-note-${third}`)).toHaveText(NOTE);
  await expect(page.getByTestId('episodes-undo')).toBeDisabled();

  // ---- Replay ----
  // One scene frame's file goes missing (put aside, restored before the export): shown, never invented.
  const sceneDir = path.join(served.dataDir, 'episodes', String(first).padStart(6, '0'), 'cameras', 'scene');
  const sceneIndex = fs
    .readFileSync(path.join(sceneDir, 'index.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { i: number; tS: number; file: string });
  expect(sceneIndex.length, 'scene frames recorded').toBeGreaterThanOrEqual(4);
  // A late frame (clear of the middle the replay checks first) whose successor comes ≥ 20 ms after it, so that the
  // scrubber's 0.01 s step lands on it alone (a loaded recorder sometimes writes two frames a few ms apart).
  const lostAt = sceneIndex.findLastIndex(
    (frame, index) =>
      index >= sceneIndex.length * 0.6 && index < sceneIndex.length - 1 && sceneIndex[index + 1]!.tS - frame.tS >= 0.02,
  );
  expect(lostAt, 'a frame with room after it').toBeGreaterThan(0);
  const lost = sceneIndex[lostAt]!;
  const lostPath = path.join(sceneDir, lost.file);
  const keptPath = path.join(scratch, 'lost-frame.jpg');
  fs.renameSync(lostPath, keptPath);

  await page.getByTestId(`episode-replay-${first}`).click();
  const replay = page.getByTestId('replay-view');
  await expect(replay).toHaveAttribute('data-episode-id', String(first), { timeout: 15_000 });
  const scene = page.getByTestId('replay-frame-scene');
  await expect(page.getByTestId('replay-frame-wrist')).toBeVisible();
  const scrubber = page.getByTestId('replay-scrubber');
  const durationS = Number(await scrubber.getAttribute('max'));
  expect(durationS, 'episode duration').toBeGreaterThan(0);
  expect(
    Number(await page.getByTestId('replay-joint-plot').getAttribute('data-samples')),
    'joint samples',
  ).toBeGreaterThan(0);

  // Scrub to the middle: every camera shows its frame at that time, the time reads it.
  await scrubber.fill((durationS / 2).toFixed(2));
  const timeAt = async () => Number(await replay.getAttribute('data-time'));
  await expect.poll(timeAt, { message: 'time after scrubbing' }).toBeCloseTo(durationS / 2, 1);
  await expect(scene).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  await expect(page.getByTestId('replay-frame-wrist')).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  await expect(page.getByTestId('replay-action')).not.toHaveAttribute('data-step', '-1');
  const image = page.getByTestId('replay-image-scene');
  const middleTime = await timeAt();
  const middleSrc = await image.getAttribute('src');
  const middleIndex = Number(await scene.getAttribute('data-index'));
  expect(middleSrc, 'a blob URL').toMatch(/^blob:/);
  // The JPEG decodes into a picture of the camera's size.
  await expect
    .poll(() =>
      image.evaluate((element) => {
        // The Node-side type check has no DOM library: the image as far as this needs it.
        const picture = element as unknown as { naturalWidth: number; naturalHeight: number };
        return `${picture.naturalWidth}×${picture.naturalHeight}`;
      }),
    )
    .toBe('640×480');
  await expect(page.getByTestId('replay-time')).toContainText(`${middleTime.toFixed(2)} s`);
  // In step: each camera shows its newest frame at or before the replay's time.
  for (const camera of ['scene', 'wrist']) {
    const frameTime = Number(await page.getByTestId(`replay-frame-${camera}`).getAttribute('data-frame-time'));
    expect(frameTime, `${camera} frame time`).toBeLessThanOrEqual(middleTime + 1e-6);
    expect(middleTime - frameTime, `${camera} frame is recent`).toBeLessThan(0.5);
  }

  // → steps one frame forward: later time, a newer frame; ← steps back.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect.poll(timeAt, { message: 'time after → →' }).toBeGreaterThan(middleTime);
  const forwardTime = await timeAt();
  expect(forwardTime - middleTime, 'two frames, not a jump').toBeLessThan(0.5);
  await expect
    .poll(async () => Number(await scene.getAttribute('data-index')), { message: 'scene frame after → →' })
    .toBeGreaterThan(middleIndex);
  await expect(scene).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  await expect.poll(() => image.getAttribute('src')).not.toBe(middleSrc);
  await expect(page.getByTestId('replay-time')).toContainText(`${forwardTime.toFixed(2)} s`);
  await page.keyboard.press('ArrowLeft');
  await expect.poll(timeAt, { message: 'time after ←' }).toBeLessThan(forwardTime);
  // The buttons do the same.
  const beforeButton = await timeAt();
  await page.getByTestId('replay-step-forward').click();
  await expect.poll(timeAt).toBeGreaterThan(beforeButton);
  await page.getByTestId('replay-step-back').click();
  await expect.poll(timeAt).toBeCloseTo(beforeButton, 3);

  // K plays and pauses (Space stays Stop (hold)).
  await page.getByTestId('replay-view').focus();
  await page.keyboard.press('k');
  await expect(replay).toHaveAttribute('data-playing', 'true');
  await page.keyboard.press('k');
  await expect(replay).toHaveAttribute('data-playing', 'false');

  // A mark over the current range: start now, two frames on, end now.
  await page.getByTestId('replay-mark-start-now').click();
  const markStart = await timeAt();
  await page.getByTestId('replay-step-forward').click();
  await page.getByTestId('replay-step-forward').click();
  await expect.poll(timeAt).toBeGreaterThan(markStart);
  await page.getByTestId('replay-mark-end-now').click();
  await page.getByTestId('replay-mark-label-bad').click();
  await page.getByTestId('replay-mark-note').fill('gripper opened too early');
  await page.getByTestId('replay-mark-add').click();
  await expect(page.getByTestId('replay-marks')).toHaveAttribute('data-count', '1', { timeout: 10_000 });
  const mark = page.locator('[data-testid^="replay-mark-remove-"]');
  await expect(mark).toHaveCount(1);
  await expect(page.locator('li[data-testid^="replay-mark-"]')).toContainText('gripper opened too early');
  await expect(page.locator('li[data-testid^="replay-mark-"]')).toContainText(`${markStart.toFixed(2)}–`);
  await expect(page.locator('[data-testid^="replay-mark-band-"]')).toHaveCount(1);
  await expect(page.getByTestId('replay-mark-error')).toHaveCount(0);
  // A second mark, removed again.
  await page.getByTestId('replay-mark-start').fill('0');
  await page.getByTestId('replay-mark-end').fill((durationS / 4).toFixed(2));
  await page.getByTestId('replay-mark-label-good').click();
  await page.getByTestId('replay-mark-add').click();
  await expect(page.getByTestId('replay-marks')).toHaveAttribute('data-count', '2', { timeout: 10_000 });
  const removeButtons = page.locator('[data-testid^="replay-mark-remove-"]');
  await removeButtons.first().click();
  await expect(page.getByTestId('replay-marks')).toHaveAttribute('data-count', '1', { timeout: 10_000 });
  await expect(page.locator('li[data-testid^="replay-mark-"]')).toContainText('gripper opened too early');

  // The frame whose file is gone: "frame missing" at its time, the wrist camera still shows its own.
  await expect(page.getByTestId('replay-missing-note')).toContainText('1 recorded frame is missing');
  // The scrubber moves in 0.01 s steps: the first step at or after the frame.
  await page.getByTestId('replay-scrubber').fill((Math.ceil(lost.tS * 100 - 1e-6) / 100).toFixed(2));
  await expect
    .poll(async () => Number(await scene.getAttribute('data-index')), { message: 'scene index at the lost frame' })
    .toBe(lost.i);
  await expect(scene).toHaveAttribute('data-state', 'missing');
  await expect(page.getByTestId('replay-missing-scene')).toContainText('frame missing');
  await expect(page.getByTestId('replay-image-scene')).toHaveCount(0);
  await expect(page.getByTestId('replay-frame-wrist')).toHaveAttribute('data-state', 'shown', { timeout: 10_000 });
  fs.renameSync(keptPath, lostPath);

  await replay.evaluate((element) => element.scrollIntoView({ block: 'start' }));
  await saveScreenshot(page, 'episodes-replay.png');
  await page.getByTestId('replay-close').click();
  await expect(replay).toHaveCount(0);

  // ---- Export: LeRobot v2.1, then v3.0, into fresh folders ----
  await page.getByTestId('episodes-export-open').click();
  const dialog = page.getByTestId('export-dialog');
  await expect(dialog).toBeVisible();
  await expect(page.getByTestId('export-source-filter')).toBeChecked();
  // "Exclude from training" episodes stay out unless asked for.
  await expect(page.getByTestId('export-include-excluded')).not.toBeChecked();
  await expect(page.getByTestId('export-matching')).toHaveAttribute('data-count', '2');
  await page.getByTestId('export-include-excluded').check();
  await expect(page.getByTestId('export-matching')).toHaveAttribute('data-count', '3');
  await expect(page.getByTestId('export-codec-h264')).toHaveAttribute('aria-pressed', 'true');
  // The browser has no desktop folder dialog: a path field only.
  await expect(page.getByTestId('export-browse')).toHaveCount(0);

  const v21 = await exportAll(page, 'lerobot-v2.1', 'lerobot-v21');
  expect(codebaseVersion(v21)).toBe('v2.1');
  await dialog.scrollIntoViewIfNeeded();
  await saveScreenshot(page, 'episodes-export-result.png');

  // A folder that is not empty is refused in words.
  await page.getByTestId('export-dir').fill(v21);
  await page.getByTestId('export-start').click();
  await expect(page.getByTestId('export-error').or(page.getByTestId('export-failed'))).toContainText('not empty', {
    timeout: 30_000,
  });

  const v3 = await exportAll(page, 'lerobot-v3', 'lerobot-v30');
  expect(codebaseVersion(v3)).toBe('v3.0');
  await page.getByTestId('export-close').click();
  await expect(dialog).toHaveCount(0);

  // ---- A manual session is recorded on demand ----
  const manual = page.getByTestId('episodes-manual-toggle');
  await manual.click();
  await expect(manual).toHaveAttribute('data-recording', 'true', { timeout: 10_000 });
  await page.waitForTimeout(500);
  await manual.click();
  await expect(manual).toHaveAttribute('data-recording', 'false', { timeout: 10_000 });
  await expect(rows(page)).toHaveCount(4);
  await expect(page.getByTestId('episodes-count-total')).toHaveText('4');

  expect(problems).toEqual([]);
});
