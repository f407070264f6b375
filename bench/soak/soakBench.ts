// Soak benchmark: the real `coach serve` with a fresh data folder, the console open in Debian's Chromium with three
// camera views, and sim attempts back to back (fresh scene, run, label) for --minutes. Prints memory, camera frames,
// the page's frame rate and the arm's tick jitter every minute, then memory growth, lost frames, jitter and attempts
// against their budgets, and writes the time series as JSON.
// Run: npm run bench:soak [-- --minutes N --out FILE --sample-seconds S --attempt-timeout-s S --keep-data]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import type { ArmState, ControlLoopTiming, ControlTickWindow } from '../../src/shared/arm';
import type { CoachContract } from '../../src/shared/contract/api';
import { createWsBridge, type WebSocketLike } from '../../src/shared/contract/wsBridge';
import { LOW_DISK_SPACE_BYTES, type SystemHealth } from '../../src/shared/system';
import { driveAttempts, type AttemptRecord } from './attemptDriver';
import { ConsoleProbe } from './consoleProbe';
import { minuteBlock, summarize, summaryBlock } from './soakReport';
import { takeSample, type SoakSample } from './soakSample';
import { ensureBuilt, repoRoot, startSoakServe } from './soakServe';
import { folderBytes } from './procStats';

const CAMERAS_SHOWN = 3;

function parseOptions() {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '30' },
      out: { type: 'string', default: path.join('bench', 'soak', 'last-soak.json') },
      'sample-seconds': { type: 'string', default: '10' },
      'attempt-timeout-s': { type: 'string', default: '30' },
      'keep-data': { type: 'boolean', default: false },
    },
  });
  const number = (name: keyof typeof values, min: number, max: number, example: string): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new Error(
        `--${name} ${String(values[name])} is not a number from ${min} to ${max}; e.g. --${name} ${example}`,
      );
    return value;
  };
  return {
    minutes: number('minutes', 1, 24 * 60, '30'),
    out: path.resolve(repoRoot, values.out!),
    sampleSeconds: number('sample-seconds', 1, 60, '10'),
    attemptTimeoutS: number('attempt-timeout-s', 5, 600, '30'),
    keepData: values['keep-data']!,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor<T>(what: string, read: () => T | null | undefined, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > until) throw new Error(`soak: ${what} did not happen within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  ensureBuilt();
  const serve = await startSoakServe();
  const bridge = createWsBridge<CoachContract>({
    url: serve.wsUrl,
    createSocket: (address) => new WebSocket(address) as unknown as WebSocketLike,
  });
  let probe: ConsoleProbe | null = null;
  try {
    let health: SystemHealth | null = null;
    let armState: ArmState | null = null;
    // One entry per 1-s window of the control loop (a 30-minute soak holds 1,800).
    const tickWindows: ControlTickWindow[] = [];
    bridge.subscribe('system.health', {}, (sample) => (health = sample));
    bridge.subscribe('arm.state', {}, (state) => {
      armState = state;
      const window = state.controlLoop?.window;
      if (window && window.endedAtMs !== tickWindows.at(-1)?.endedAtMs) tickWindows.push(window);
    });
    await waitFor(
      'the arm link coming up',
      () => ((armState as ArmState | null)?.link?.state === 'up' ? true : null),
      30_000,
    );
    const policy = await bridge.call('policy.info', {});
    if (!policy)
      throw new Error(
        'soak: coach serve loaded no policy; the default model package is missing (npm run train:default)',
      );

    // The simulated bench has two cameras (scene, wrist); more sim views make the three the soak shows.
    let cameras = await bridge.call('camera.list', {});
    for (let index = 2; cameras.length < CAMERAS_SHOWN; index += 1) {
      if (cameras.some((camera) => camera.name === `scene${index}`)) continue;
      cameras = await bridge.call('camera.add', { name: `scene${index}`, source: { kind: 'sim', view: 'scene' } });
    }
    const cameraNames = cameras.map((camera) => camera.name);

    probe = await ConsoleProbe.open(serve.url);
    await probe.waitForCameras(cameraNames);
    const chromiumVersion = probe.browser.version();
    console.log(
      `soak: ${options.minutes} min on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.versions.node}, ` +
        `Chromium ${chromiumVersion}; policy ${policy.name} ${policy.version} on ${policy.provider}; cameras ${cameraNames.join(', ')}; ` +
        `data ${serve.dataDir}`,
    );

    const startedAtMs = Date.now();
    const deadlineMs = startedAtMs + options.minutes * 60_000;
    const attempts: AttemptRecord[] = [];
    const samples: SoakSample[] = [];
    const sources = {
      startedAtMs,
      servePid: serve.process.pid!,
      health: () => health,
      controlLoop: (): ControlLoopTiming | null => (armState as ArmState | null)?.controlLoop ?? null,
      probe,
      attemptsDone: () => attempts.length,
    };
    samples.push(await takeSample(sources));
    let lastMinuteSample = samples[0]!;
    const writeSeries = (summary: unknown) =>
      fs.writeFileSync(
        options.out,
        `${JSON.stringify({ options, chromiumVersion, policy: { name: policy.name, provider: policy.provider }, cameras: cameraNames, samples, tickWindows, attempts, summary }, null, 1)}\n`,
      );

    let sampling: Promise<void> = Promise.resolve();
    const sampleTimer = setInterval(() => {
      sampling = sampling.then(async () => {
        let sample: SoakSample;
        try {
          sample = await takeSample(sources);
        } catch (error) {
          // A missed sample is a gap in the series, not the end of the soak (the page may be busy or reloading).
          console.log(`soak: sample failed: ${(error as Error).message}`);
          return;
        }
        samples.push(sample);
        if (sample.atMs - lastMinuteSample.atMs >= 59_000) {
          const windows = tickWindows.filter((w) => w.endedAtMs > lastMinuteSample.atMs);
          console.log(minuteBlock(lastMinuteSample, sample, windows, attempts));
          lastMinuteSample = sample;
          writeSeries(null); // a crash later still leaves the series so far
        }
      });
    }, options.sampleSeconds * 1000);

    await driveAttempts({
      bridge,
      deadlineMs,
      attemptTimeoutS: options.attemptTimeoutS,
      shouldStop: () => {
        const free = (health as SystemHealth | null)?.disks?.find((disk) => disk.role === 'recordings')?.freeBytes;
        return free !== undefined && free < 2 * LOW_DISK_SPACE_BYTES
          ? `the recordings disk has only ${(free / 1024 ** 3).toFixed(1)} GiB free`
          : null;
      },
      onAttempt: (attempt) => {
        attempts.push(attempt);
        console.log(
          `soak: attempt ${attempt.index + 1} "${attempt.instruction}" → ${attempt.outcome} in ${attempt.durationS.toFixed(1)} s, ` +
            `${attempt.strokes} strokes, episode ${attempt.episodeId ?? '—'} labelled ${attempt.label ?? '—'}` +
            (attempt.problem ? `  PROBLEM: ${attempt.problem}` : ''),
        );
      },
    });
    // Sample until the deadline even if attempts stopped early (a full disk), then once more at the end.
    while (Date.now() < deadlineMs) await sleep(Math.min(1000, deadlineMs - Date.now()));
    clearInterval(sampleTimer);
    await sampling;
    samples.push(await takeSample(sources));
    const last = samples.at(-1)!;
    if (last.atMs - lastMinuteSample.atMs >= 5000)
      console.log(
        minuteBlock(
          lastMinuteSample,
          last,
          tickWindows.filter((w) => w.endedAtMs > lastMinuteSample.atMs),
          attempts,
        ),
      );

    const summary = summarize(samples, tickWindows, attempts);
    console.log(summaryBlock(summary, tickWindows));
    const dataBytes = folderBytes(serve.dataDir);
    console.log(
      `soak: data folder ${(dataBytes / 1024 ** 2).toFixed(0)} MiB after ${attempts.length} recorded attempts ` +
        `(${(dataBytes / 1024 ** 2 / Math.max(1, (Date.now() - startedAtMs) / 60_000)).toFixed(0)} MiB per minute)`,
    );
    writeSeries(summary);
    console.log(`soak: time series written to ${path.relative(process.cwd(), options.out)}`);
    if (options.keepData) console.log(`soak: data folder kept at ${serve.dataDir}`);
  } catch (error) {
    console.error(`coach serve output (tail):\n${serve.outputTail().slice(-4000)}`);
    throw error;
  } finally {
    bridge.close();
    await probe?.close().catch(() => {});
    await serve.stop(options.keepData);
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
