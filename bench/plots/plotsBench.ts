// Joint-plot budget: the console's frame rate in Chromium while the plots draw every arm feedback sample at the
// 60 s window, and the samples per second the page receives. Not a timed test; it prints figures.
//
//   npm run bench:plots [-- --seconds 20 --warmup-s 60 --no-build --profile]
//
// It builds the app (electron-vite build; skip with --no-build when out/ is fresh), starts `coach serve` on the
// simulated arm with a fresh data folder, opens the console in Debian's Chromium, enables the motors and jogs
// joints back and forth so every line moves, fills the 60 s window, then counts requestAnimationFrame callbacks.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { chromium, type Page } from '@playwright/test';
import { repoRoot, startCoachServe } from '../../tests/e2e/serveProcess';
import { percentile } from '../stats';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    'warmup-s': { type: 'string', default: '60' },
    'no-build': { type: 'boolean', default: false },
    /** Also profile the page's JavaScript during the live measurement and print the top functions by self time. */
    profile: { type: 'boolean', default: false },
    chromium: { type: 'string', default: process.env.COACH_CHROMIUM ?? '/usr/bin/chromium' },
  },
});
const measureS = Number(values.seconds);
const warmupS = Number(values['warmup-s']);
for (const [name, value] of [
  ['--seconds', measureS],
  ['--warmup-s', warmupS],
] as const) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number of seconds ≥ 0, got ${value}`);
}

interface FrameFigures {
  frames: number;
  durationMs: number;
  intervalsMs: number[];
  longTasks: number;
  longTaskMs: number;
}

/** Counts animation frames for `ms` in the page (a string, so the page's globals need no DOM types here). */
function countFrames(page: Page, ms: number): Promise<FrameFigures> {
  return page.evaluate(`new Promise((resolve) => {
    const intervalsMs = [];
    let longTasks = 0;
    let longTaskMs = 0;
    let observer = null;
    try {
      observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) { longTasks += 1; longTaskMs += entry.duration; }
      });
      observer.observe({ type: 'longtask' });
    } catch {}
    const start = performance.now();
    let last = start;
    let frames = 0;
    const tick = (now) => {
      frames += 1;
      intervalsMs.push(now - last);
      last = now;
      if (now - start < ${ms}) requestAnimationFrame(tick);
      else { observer?.disconnect(); resolve({ frames, durationMs: now - start, intervalsMs, longTasks, longTaskMs }); }
    };
    requestAnimationFrame((now) => { last = now; requestAnimationFrame(tick); });
  })`) as Promise<FrameFigures>;
}

async function attr(page: Page, name: string): Promise<number> {
  return Number((await page.getByTestId('plots-panel').getAttribute(name)) ?? 'NaN');
}

/** Jogs joints 1 and 2 back and forth (±0.1 rad) every 400 ms until stopped, through the Arm panel's buttons. */
function keepJogging(page: Page): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    for (let k = 0; running; k += 1) {
      const joint = 1 + (k % 2);
      const sign = Math.floor(k / 2) % 2 === 0 ? 'plus' : 'minus';
      await page.getByTestId(`jog-${sign}-${joint}`).dispatchEvent('click');
      await page.waitForTimeout(400);
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

function report(label: string, figures: FrameFigures, samples: number, redraws: number, missed: number): void {
  const seconds = figures.durationMs / 1000;
  const sorted = [...figures.intervalsMs].sort((a, b) => a - b);
  const over20 = figures.intervalsMs.filter((ms) => ms > 20).length;
  console.log(
    `${label.padEnd(26)} ${(figures.frames / seconds).toFixed(1).padStart(5)} fps` +
      `  frame p50 ${percentile(sorted, 50).toFixed(1)} ms  p99 ${percentile(sorted, 99).toFixed(1)} ms` +
      `  max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms  frames >20 ms ${over20}` +
      `  long tasks ${figures.longTasks} (${figures.longTaskMs.toFixed(0)} ms)` +
      `  | ${(samples / seconds).toFixed(1)} samples/s received, ${(redraws / seconds).toFixed(1)} redraws/s, ${missed} missed`,
  );
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** Self time per function from a CDP CPU profile, biggest first. */
function topFunctions(profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }, n: number): string[] {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byName = new Map<string, number>();
  for (const node of profile.nodes) {
    const frame = node.callFrame;
    const name = `${frame.functionName || '(anonymous)'} ${frame.url.split('/').pop() ?? ''}:${frame.lineNumber}`;
    byName.set(name, (byName.get(name) ?? 0) + (byNode.get(node.id) ?? 0));
  }
  return [...byName.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(7)} ms  ${name}`);
}

async function measure(page: Page, label: string, profile = false): Promise<void> {
  const cdp = profile ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const before = { received: await attr(page, 'data-received'), redraws: await attr(page, 'data-redraws') };
  const missedBefore = await attr(page, 'data-missed');
  const redrawMs: number[] = [];
  const sampler = setInterval(() => {
    void attr(page, 'data-redraw-ms').then((ms) => redrawMs.push(ms));
  }, 500);
  const figures = await countFrames(page, measureS * 1000);
  clearInterval(sampler);
  if (cdp) {
    const { profile: cpu } = await cdp.send('Profiler.stop');
    console.log(`page JavaScript by self time (${label}):`);
    for (const line of topFunctions(cpu as unknown as Parameters<typeof topFunctions>[0], 15)) console.log(line);
  }
  await page.waitForTimeout(250); // the panel's counters refresh every 200 ms
  report(
    label,
    figures,
    (await attr(page, 'data-received')) - before.received,
    (await attr(page, 'data-redraws')) - before.redraws,
    (await attr(page, 'data-missed')) - missedBefore,
  );
  const drawn = redrawMs.filter((ms) => ms > 0);
  if (drawn.length && (await attr(page, 'data-redraws')) > before.redraws)
    console.log(
      `${''.padEnd(26)} one redraw (decimation + uPlot): mean of 200 ms means ${(drawn.reduce((a, b) => a + b, 0) / drawn.length).toFixed(1)} ms, max ${Math.max(...drawn).toFixed(1)} ms`,
    );
}

async function main(): Promise<void> {
  if (!values['no-build']) {
    console.log('building (electron-vite build)…');
    const built = spawnSync('npx', ['electron-vite', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    if (built.status !== 0) throw new Error('electron-vite build failed; run it yourself to see why');
  }
  const served = await startCoachServe();
  const browser = await chromium.launch({
    executablePath: values.chromium,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(served.url);
    await page.getByTestId('link-state').filter({ hasText: 'up' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('governor-mode').filter({ hasText: 'holding' }).waitFor({ timeout: 15_000 });
    await page.getByTestId('arm-enable').dispatchEvent('click');
    await page.getByTestId('motors-enabled').filter({ hasText: 'enabled' }).waitFor();
    await page.getByTestId('jog-step-0.1').dispatchEvent('click');
    const plots = page.getByTestId('plots-panel');
    await plots.scrollIntoViewIfNeeded();
    await page.getByTestId('plots-window-60').click();

    const stopJogging = keepJogging(page);
    console.log(`filling the 60 s window for ${warmupS} s while jogging…`);
    await page.waitForTimeout(warmupS * 1000);
    await plots.scrollIntoViewIfNeeded();
    const held = await page.getByTestId('plots-stats').textContent();
    const box = await page.getByTestId('plots-positions').boundingBox();
    console.log(
      `plots hold: ${held?.trim()}; ${await attr(page, 'data-buffered')} samples buffered; charts ${Math.round(box?.width ?? 0)} px wide`,
    );

    console.log(`measuring ${measureS} s each (Chromium ${browser.version()}, viewport 1600×900):`);
    await measure(page, 'plots live, 60 s window', values.profile);
    await page.getByTestId('plots-pause').click();
    await measure(page, 'plots paused (baseline)');
    await page.getByTestId('plots-pause').click();
    await stopJogging();
  } finally {
    await browser.close();
    await served.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
