import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';
import { repoRoot } from './serveProcess';
import { electronBinary } from './electronBinary';
import { watchPageProblems } from './pageChecks';
import {
  attemptWithPromoted,
  buildPairsRefineComparePromote,
  exportLeRobotV21,
  firstRun,
  replay,
  runAndLabelTwoTasks,
} from './journeySteps';

const binary = electronBinary();
if (!binary.path) console.log(`[electron journey] skipped: ${binary.reason}`);

test.describe('Electron shell', () => {
  test.skip(!binary.path, binary.reason);

  test("the operator's day in the Electron window: the same journey as in the browser, over IPC", async () => {
    test.setTimeout(480_000);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-electron-journey-'));
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-electron-journey-out-'));
    const app = await electron.launch({
      executablePath: binary.path!,
      args: [path.join(repoRoot, 'out/main/index.js'), '--data', dataDir, '--no-sandbox'],
      cwd: repoRoot,
    });
    try {
      const page = await app.firstWindow();
      const problems = watchPageProblems(page);
      await page.setViewportSize({ width: 1920, height: 1080 });
      await expect(page.getByTestId('connection-state')).toHaveText(/Electron IPC/);
      const context = { page, shotPrefix: 'journey-electron', scratchDir };

      await firstRun(context);
      const [first] = await runAndLabelTwoTasks(context);
      await replay(context, first);
      const promoted = await buildPairsRefineComparePromote(context);
      await attemptWithPromoted(context, promoted);
      await exportLeRobotV21(context, 3);
      expect(problems, 'console errors').toEqual([]);
    } finally {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(scratchDir, { recursive: true, force: true });
    }
  });
});
