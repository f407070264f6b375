// The soak benchmark's figures: a line block per minute, and at the end memory growth after warm-up, display frames
// lost beyond the latest-value policy, control tick jitter and the attempts, each against its budget.
import type { ControlTickWindow } from '../../src/shared/arm';
import type { AttemptRecord } from './attemptDriver';
import type { SoakSample } from './soakSample';

/** Memory may grow at most this much after warm-up (issue #10). */
export const MEMORY_GROWTH_BUDGET_PERCENT = 10;
/** Control tick lateness p99 budget (docs/arm.md: tick jitter p99 ≤ 2 ms). */
export const TICK_LATENESS_P99_BUDGET_MS = 2;
/**
 * A view holds at most this many received frames not yet drawn nor replaced: one being decoded and one waiting
 * (CameraView keeps only the newest). Anything missing beyond it was lost, not skipped by the latest-value policy.
 */
const IN_FLIGHT_FRAMES_PER_VIEW = 2;
/**
 * Attempts that ended for a reason other than the policy: an error, an arm fault, or a refusal for want of the arm
 * (a lost link, stale feedback after a stalled arm process, refused before any stroke). The governor refusing the
 * policy's own target (out of the workspace) is the safety layer working, not a soak failure.
 */
function failedForTheSystem(attempt: AttemptRecord): boolean {
  if (attempt.problem || attempt.outcome === 'error' || attempt.outcome === 'fault') return true;
  if (attempt.outcome !== 'refused') return false;
  const reason = attempt.reason ?? '';
  // The policy's own target refused (even the first one, when the last attempt left the tool low): safety working.
  if (/target leaves the workspace|joint limit|velocity/i.test(reason)) return false;
  return attempt.strokes === 0 || /feedback|link/i.test(reason);
}

export interface BudgetResult {
  name: string;
  value: string;
  budget: string;
  pass: boolean;
}

const MIB = 1024 * 1024;
const mib = (bytes: number | null | undefined) => (bytes == null ? '—' : `${(bytes / MIB).toFixed(0)} MiB`);
const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : '—');

function median(values: readonly number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Growth of a counter between two samples, across a reset (a remounted view, a restarted arm process). */
function counterDelta(before: number, after: number): number {
  return after >= before ? after - before : after;
}

export interface MemoryMetric {
  name: string;
  read: (sample: SoakSample) => number | null | undefined;
  /**
   * How a minute of samples becomes one figure: a JS heap saw-tooths between collections, so its floor (the minimum,
   * about the live data after a collection) is what grows with a leak; resident memory is steadier: its median.
   */
  aggregate: 'median' | 'floor';
  /** Informational metrics are printed but not held to the budget. */
  budgeted: boolean;
}

export const MEMORY_METRICS: MemoryMetric[] = [
  { name: 'main process RSS', read: (s) => s.main.rssBytes, aggregate: 'median', budgeted: true },
  { name: 'main process JS heap (main thread)', read: (s) => s.main.heapUsedBytes, aggregate: 'floor', budgeted: true },
  { name: 'arm control process RSS', read: (s) => s.arm?.rssBytes, aggregate: 'median', budgeted: true },
  { name: 'console renderer RSS', read: (s) => s.renderer.rssBytes, aggregate: 'median', budgeted: true },
  { name: 'console renderer JS heap', read: (s) => s.renderer.jsHeapUsedBytes, aggregate: 'floor', budgeted: true },
  { name: 'Chromium, all processes RSS', read: (s) => s.chromiumTotalRssBytes, aggregate: 'median', budgeted: false },
];

/** The memory figures compare the minute after warm-up with the run's last minute. */
const MEMORY_WINDOW_S = 60;

/** The first minutes settle caches, JIT and the model: the first 3 minutes or 10 % of the run, whichever is shorter. */
export function warmupSeconds(runSeconds: number): number {
  return Math.min(180, 0.1 * runSeconds);
}

function windowSummary(windows: readonly ControlTickWindow[]) {
  return {
    windows: windows.length,
    intervalP50Ms: median(windows.map((w) => w.intervalP50Ms)),
    intervalP99MedianMs: median(windows.map((w) => w.intervalP99Ms)),
    intervalP99WorstMs: Math.max(...windows.map((w) => w.intervalP99Ms)),
    intervalMaxMs: Math.max(...windows.map((w) => w.intervalMaxMs)),
    latenessP50Ms: median(windows.map((w) => w.latenessP50Ms)),
    latenessP99MedianMs: median(windows.map((w) => w.latenessP99Ms)),
    latenessP99WorstMs: Math.max(...windows.map((w) => w.latenessP99Ms)),
    latenessMaxMs: Math.max(...windows.map((w) => w.latenessMaxMs)),
  };
}

/** Ticks, ticks late by more than the budget, and overruns between two samples (exact, from the loop's counters). */
function lateTicksBetween(before: SoakSample, after: SoakSample) {
  const a = before.controlLoop;
  const b = after.controlLoop;
  if (!a || !b) return null;
  const index = b.lateThresholdsMs.indexOf(TICK_LATENESS_P99_BUDGET_MS);
  const restarted = b.ticks < a.ticks;
  const ticks = restarted ? b.ticks : b.ticks - a.ticks;
  const late = restarted ? b.ticksLateOver[index]! : b.ticksLateOver[index]! - a.ticksLateOver[index]!;
  return { ticks, late, overruns: counterDelta(a.overruns, b.overruns), restarted };
}

function jitterLines(windows: readonly ControlTickWindow[], late: ReturnType<typeof lateTicksBetween>): string[] {
  if (!windows.length) return ['  arm control loop: no tick windows received (arm.state has no controlLoop?)'];
  const w = windowSummary(windows);
  const lines = [
    `  arm tick interval   p50 ${ms(w.intervalP50Ms)}  p99 ${ms(w.intervalP99MedianMs)} (worst 1-s window ${ms(w.intervalP99WorstMs)})  max ${ms(w.intervalMaxMs)}`,
    `  arm tick lateness   p50 ${ms(w.latenessP50Ms)}  p99 ${ms(w.latenessP99MedianMs)} (worst 1-s window ${ms(w.latenessP99WorstMs)})  max ${ms(w.latenessMaxMs)}`,
  ];
  if (late)
    lines.push(
      `  arm ticks late > ${TICK_LATENESS_P99_BUDGET_MS} ms: ${late.late} of ${late.ticks} (${((100 * late.late) / Math.max(1, late.ticks)).toFixed(3)} %)  overruns ${late.overruns}${late.restarted ? '  (arm process restarted)' : ''}`,
    );
  return lines;
}

/** The block printed every minute: the latest memory figures and the rates over the minute. */
export function minuteBlock(
  before: SoakSample,
  after: SoakSample,
  windows: readonly ControlTickWindow[],
  attempts: readonly AttemptRecord[],
): string {
  const seconds = (after.atMs - before.atMs) / 1000;
  const minute = (after.elapsedS / 60).toFixed(1);
  const workers = after.main.threads.reduce((sum, group) => sum + group.count, 0);
  const lines = [
    `— soak ${minute} min — attempts ${attempts.length} (${attempts.filter((a) => a.outcome === 'success').length} success)`,
    `  main     RSS ${mib(after.main.rssBytes)}  JS heap ${mib(after.main.heapUsedBytes)}  CPU ${after.main.cpuPercent?.toFixed(0) ?? '—'} %  event loop p99 ${after.main.eventLoopP99Ms?.toFixed(1) ?? '—'} ms  threads ${workers} (worker threads share this RSS)`,
    `  arm      RSS ${mib(after.arm?.rssBytes)} (pid ${after.arm?.pid ?? '—'})` +
      (after.otherChildren.length
        ? `  other children: ${after.otherChildren.map((c) => `${c.comm} ${mib(c.rssBytes)}`).join(', ')}`
        : ''),
    `  renderer RSS ${mib(after.renderer.rssBytes)}  JS heap ${mib(after.renderer.jsHeapUsedBytes)} (of ${mib(after.renderer.jsHeapTotalBytes)})  renderers ${after.renderer.rendererProcesses}  Chromium total ${mib(after.chromiumTotalRssBytes)}`,
    `  page animation frames ${(counterDelta(before.animationFrames, after.animationFrames) / seconds).toFixed(1)} fps`,
  ];
  for (const camera of after.cameras) {
    const prior = before.cameras.find((c) => c.camera === camera.camera);
    const rate = (pick: (c: (typeof after.cameras)[number]) => number) =>
      (counterDelta(prior ? pick(prior) : 0, pick(camera)) / seconds).toFixed(1);
    lines.push(
      `  camera ${camera.camera.padEnd(10)} received ${rate((c) => c.received)} fps  drawn ${rate((c) => c.drawn)} fps  replaced (latest-value) ${rate((c) => c.replaced)}/s  lost beyond policy so far ${lostBeyondPolicy(camera)}  source ${camera.sourceFps.toFixed(1)} fps${camera.visible ? '' : '  (NOT visible)'}`,
    );
  }
  lines.push(...jitterLines(windows, lateTicksBetween(before, after)));
  return lines.join('\n');
}

function lostBeyondPolicy(camera: { received: number; drawn: number; replaced: number }): number {
  return Math.max(0, camera.received - camera.drawn - camera.replaced - IN_FLIGHT_FRAMES_PER_VIEW);
}

export interface SoakSummary {
  runSeconds: number;
  warmupSeconds: number;
  memory: { name: string; baselineBytes: number; endBytes: number; growthPercent: number; budgeted: boolean }[];
  cameras: { camera: string; received: number; drawn: number; replaced: number; lostBeyondPolicy: number }[];
  animationFps: number;
  jitter: ReturnType<typeof windowSummary> | null;
  lateTicks: ReturnType<typeof lateTicksBetween>;
  attempts: { total: number; byOutcome: Record<string, number>; labelled: number; problems: string[] };
  budgets: BudgetResult[];
  /** Wall clock of the first sample after warm-up: where the settled figures start. */
  settledFromMs: number;
}

/** The figures at the end of the run; `samples` must hold at least one. */
export function summarize(
  samples: readonly SoakSample[],
  windows: readonly ControlTickWindow[],
  attempts: readonly AttemptRecord[],
): SoakSummary {
  const last = samples.at(-1)!;
  const runSeconds = last.elapsedS;
  const warmupS = warmupSeconds(runSeconds);
  const settled = samples.filter((s) => s.elapsedS >= warmupS);
  const afterWarmup = settled[0] ?? last;
  // A minute of samples on each side, so that one garbage collection does not decide the verdict.
  const baselineSamples = settled.filter((s) => s.elapsedS < warmupS + MEMORY_WINDOW_S);
  const endSamples = settled.filter((s) => s.elapsedS >= runSeconds - MEMORY_WINDOW_S);
  const memory = MEMORY_METRICS.map((metric) => {
    const figure = (list: readonly SoakSample[]) => {
      const values = list.map((s) => metric.read(s)).filter((v): v is number => typeof v === 'number' && v > 0);
      if (!values.length) return NaN;
      return metric.aggregate === 'floor' ? Math.min(...values) : median(values);
    };
    const baselineBytes = figure(baselineSamples);
    const endBytes = figure(endSamples);
    return {
      name: metric.name,
      baselineBytes,
      endBytes,
      growthPercent: (100 * (endBytes - baselineBytes)) / baselineBytes,
      budgeted: metric.budgeted,
    };
  });
  const cameras = last.cameras.map((camera) => ({
    camera: camera.camera,
    received: camera.received,
    drawn: camera.drawn,
    replaced: camera.replaced,
    lostBeyondPolicy: lostBeyondPolicy(camera),
  }));
  const settledWindows = windows.filter((w) => w.endedAtMs >= afterWarmup.atMs);
  const lateTicks = lateTicksBetween(afterWarmup, last);
  const byOutcome: Record<string, number> = {};
  for (const attempt of attempts) byOutcome[attempt.outcome] = (byOutcome[attempt.outcome] ?? 0) + 1;
  const problems = attempts
    .filter((a) => a.problem || ['refused', 'error', 'fault'].includes(a.outcome))
    .map((a) => `#${a.index + 1} ${a.outcome}${failedForTheSystem(a) ? ' (system)' : ''}: ${a.problem ?? a.reason}`);

  const budgets: BudgetResult[] = memory
    .filter((m) => m.budgeted)
    .map((m) => ({
      name: `memory growth after warm-up, ${m.name}`,
      value: Number.isFinite(m.growthPercent)
        ? `${m.growthPercent >= 0 ? '+' : ''}${m.growthPercent.toFixed(1)} % (${mib(m.baselineBytes)} → ${mib(m.endBytes)})`
        : 'not measured',
      budget: `≤ ${MEMORY_GROWTH_BUDGET_PERCENT} %`,
      pass: Number.isFinite(m.growthPercent) && m.growthPercent <= MEMORY_GROWTH_BUDGET_PERCENT,
    }));
  const lostTotal = cameras.reduce((sum, c) => sum + c.lostBeyondPolicy, 0);
  budgets.push({
    name: `display frames lost beyond the latest-value policy (${cameras.length} views)`,
    value: `${lostTotal} (${cameras.map((c) => `${c.camera} ${c.lostBeyondPolicy}`).join(', ')})`,
    budget: '0',
    pass: cameras.length >= 3 && lostTotal === 0,
  });
  if (lateTicks) {
    const fraction = lateTicks.late / Math.max(1, lateTicks.ticks);
    budgets.push({
      name: `arm tick lateness p99 after warm-up (ticks late > ${TICK_LATENESS_P99_BUDGET_MS} ms)`,
      value: `${(100 * fraction).toFixed(3)} % of ${lateTicks.ticks} ticks late`,
      budget: `p99 ≤ ${TICK_LATENESS_P99_BUDGET_MS} ms, i.e. ≤ 1 % late`,
      pass: lateTicks.ticks > 0 && fraction <= 0.01,
    });
  } else {
    budgets.push({ name: 'arm tick lateness p99', value: 'not measured', budget: '≤ 2 ms', pass: false });
  }
  const errors = attempts.filter(failedForTheSystem).length;
  budgets.push({
    name: 'attempts ran back to back, none ended by the system (error, fault, lost link or feedback)',
    value: `${attempts.length} run, ${errors} ended by the system`,
    budget: '≥ 1 run, 0 errors',
    pass: attempts.length > 0 && errors === 0,
  });

  return {
    runSeconds,
    warmupSeconds: warmupS,
    memory,
    cameras,
    animationFps:
      counterDelta(afterWarmup.animationFrames, last.animationFrames) /
      Math.max(1e-3, (last.atMs - afterWarmup.atMs) / 1000),
    jitter: settledWindows.length ? windowSummary(settledWindows) : null,
    lateTicks,
    attempts: {
      total: attempts.length,
      byOutcome,
      labelled: attempts.filter((a) => a.label).length,
      problems,
    },
    budgets,
    settledFromMs: afterWarmup.atMs,
  };
}

export function summaryBlock(summary: SoakSummary, windows: readonly ControlTickWindow[]): string {
  const settledWindows = windows.filter((w) => w.endedAtMs >= summary.settledFromMs);
  const lines = [
    `=== soak summary: ${(summary.runSeconds / 60).toFixed(1)} min, warm-up ${summary.warmupSeconds.toFixed(0)} s ===`,
    'memory (the minute after warm-up → the last minute; RSS: median, JS heap: floor of the samples):',
    ...summary.memory.map(
      (m) =>
        `  ${m.name.padEnd(36)} ${mib(m.baselineBytes).padStart(9)} → ${mib(m.endBytes).padStart(9)}  ${Number.isFinite(m.growthPercent) ? `${m.growthPercent >= 0 ? '+' : ''}${m.growthPercent.toFixed(1)} %` : '—'}${m.budgeted ? '' : '  (not budgeted)'}`,
    ),
    'camera views (whole run; lost beyond policy = received − drawn − replaced by a newer frame − 2 in flight):',
    ...summary.cameras.map(
      (c) =>
        `  ${c.camera.padEnd(10)} received ${c.received}  drawn ${c.drawn}  replaced (latest-value) ${c.replaced}  lost beyond policy ${c.lostBeyondPolicy}`,
    ),
    `page animation frame rate after warm-up: ${summary.animationFps.toFixed(1)} fps`,
    'arm control loop after warm-up (1-s windows from arm.state; p99 is the median window p99, worst window beside it):',
    ...jitterLines(settledWindows, summary.lateTicks),
    `attempts: ${summary.attempts.total} (${Object.entries(summary.attempts.byOutcome)
      .map(([outcome, count]) => `${outcome} ${count}`)
      .join(', ')}), labelled ${summary.attempts.labelled}`,
    ...summary.attempts.problems.slice(0, 10).map((problem) => `  problem ${problem}`),
    ...summary.budgets.map((b) => `${b.pass ? 'PASS' : 'FAIL'}  ${b.name}: ${b.value} (budget ${b.budget})`),
  ];
  return lines.join('\n');
}
