// One sample of the soak's time series: memory of every process involved, the page's camera counters and animation
// frames, and the arm control loop's counters.
import type { ControlLoopTiming } from '../../src/shared/arm';
import type { SystemHealth } from '../../src/shared/system';
import type { CameraCounters, ConsoleProbe } from './consoleProbe';
import { descendants, readRssBytes, threadGroups, type ProcInfo, type ThreadGroup } from './procStats';

export interface ProcessMemory {
  pid: number;
  rssBytes: number;
}

export interface SoakSample {
  atMs: number;
  elapsedS: number;
  /** The serve process: RSS from /proc, JS heap (main thread) from system.health. */
  main: ProcessMemory & {
    heapUsedBytes: number | null;
    eventLoopP99Ms: number | null;
    cpuPercent: number | null;
    /** Its threads by name: worker threads (inference, sim drawing, …) share its RSS. */
    threads: ThreadGroup[];
  };
  /** The arm's control process (armProcess.js): its own RSS. */
  arm: ProcessMemory | null;
  /** Other processes Coach started (socat, ffmpeg, trainers): their RSS. */
  otherChildren: (ProcessMemory & { comm: string })[];
  /** The console page's renderer process (the largest renderer of the bench's Chromium) and its JS heap. */
  renderer: ProcessMemory & { jsHeapUsedBytes: number; jsHeapTotalBytes: number; rendererProcesses: number };
  /** All of Chromium's processes together (browser, GPU, utilities, renderers). */
  chromiumTotalRssBytes: number;
  cameras: CameraCounters[];
  animationFrames: number;
  controlLoop: ControlLoopTiming | null;
  /** Free space where episodes are recorded (system.health), bytes. */
  recordingsFreeBytes: number | null;
  attemptsDone: number;
}

export interface SampleSources {
  startedAtMs: number;
  servePid: number;
  health: () => SystemHealth | null;
  controlLoop: () => ControlLoopTiming | null;
  probe: ConsoleProbe;
  attemptsDone: () => number;
}

function isChromium(info: ProcInfo): boolean {
  return /chrom/i.test(info.comm) || /chromium/.test(info.cmdline);
}

export async function takeSample(sources: SampleSources): Promise<SoakSample> {
  const page = await sources.probe.sample();
  const atMs = Date.now();
  const health = sources.health();
  const coachChildren = descendants(sources.servePid);
  const armInfo = coachChildren.find((info) => info.cmdline.includes('armProcess'));
  // The bench's own children are Chromium's (the serve tree is excluded: its pid is not Chromium's).
  const chromiumProcs = descendants(process.pid).filter(
    (info) => isChromium(info) && !coachChildren.some((child) => child.pid === info.pid),
  );
  const renderers = chromiumProcs
    // Chromium's own WebUI renderer is not the console's.
    .filter((info) => info.cmdline.includes('--type=renderer') && !info.cmdline.includes('--top-chrome-webui'))
    .sort((a, b) => b.rssBytes - a.rssBytes);
  const consoleRenderer = renderers[0];
  return {
    atMs,
    elapsedS: (atMs - sources.startedAtMs) / 1000,
    main: {
      pid: sources.servePid,
      rssBytes: readRssBytes(sources.servePid) ?? 0,
      heapUsedBytes: health?.heapUsedBytes ?? null,
      eventLoopP99Ms: health?.eventLoopDelayP99Ms ?? null,
      cpuPercent: health?.cpuPercent ?? null,
      threads: threadGroups(sources.servePid),
    },
    arm: armInfo ? { pid: armInfo.pid, rssBytes: armInfo.rssBytes } : null,
    otherChildren: coachChildren
      .filter((info) => info !== armInfo)
      .map((info) => ({ pid: info.pid, comm: info.comm, rssBytes: info.rssBytes })),
    renderer: {
      pid: consoleRenderer?.pid ?? 0,
      rssBytes: consoleRenderer?.rssBytes ?? 0,
      rendererProcesses: renderers.length,
      jsHeapUsedBytes: page.jsHeapUsedBytes,
      jsHeapTotalBytes: page.jsHeapTotalBytes,
    },
    chromiumTotalRssBytes: chromiumProcs.reduce((sum, info) => sum + info.rssBytes, 0),
    cameras: page.cameras,
    animationFrames: page.animationFrames,
    controlLoop: sources.controlLoop(),
    recordingsFreeBytes: health?.disks?.find((disk) => disk.role === 'recordings')?.freeBytes ?? null,
    attemptsDone: sources.attemptsDone(),
  };
}
