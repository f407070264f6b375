import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { DiskSpace, SystemHealth } from '../../shared/system';
import { readDisks, type WatchedFolder } from './diskSpace';
import { Topic } from './topic';

const NS_PER_MS = 1e6;

export interface HealthMonitorOptions {
  /** The folders whose disks each sample reports (read now, so a changed folder is picked up). */
  folders?: () => readonly WatchedFolder[];
  /** How often the disks are read (default 5 s); the reading is asynchronous and never blocks a sample. */
  diskIntervalMs?: number;
}

/** Samples the main process once per interval: uptime, event-loop delay, memory, CPU, and free disk space. */
export class HealthMonitor {
  readonly topic = new Topic<SystemHealth>();
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private diskTimer: NodeJS.Timeout | null = null;
  private diskReading: Promise<void> | null = null;
  private disks: DiskSpace[] | null = null;
  private lastCpu = process.cpuUsage();
  private lastSampleAtNs = process.hrtime.bigint();

  constructor(
    private readonly intervalMs = 1000,
    private readonly options: HealthMonitorOptions = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.histogram.enable();
    this.topic.publish(this.sample());
    this.timer = setInterval(() => this.topic.publish(this.sample()), this.intervalMs);
    this.timer.unref();
    if (this.options.folders) {
      void this.readDisksNow();
      this.diskTimer = setInterval(() => void this.readDisksNow(), this.options.diskIntervalMs ?? 5000);
      this.diskTimer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.diskTimer) clearInterval(this.diskTimer);
    this.timer = null;
    this.diskTimer = null;
    this.histogram.disable();
  }

  /** Reads the disks (one reading at a time: a slow disk never piles readings up); the next sample carries them. */
  readDisksNow(): Promise<void> {
    const folders = this.options.folders;
    if (!folders) return Promise.resolve();
    this.diskReading ??= readDisks(folders())
      .then((disks) => {
        this.disks = disks;
      })
      .finally(() => {
        this.diskReading = null;
      });
    return this.diskReading;
  }

  sample(): SystemHealth {
    const nowNs = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedUs = Number(nowNs - this.lastSampleAtNs) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastSampleAtNs = nowNs;
    const memory = process.memoryUsage();
    const hasSamples = this.histogram.count > 0;
    const health: SystemHealth = {
      sampledAtMs: Date.now(),
      uptimeS: process.uptime(),
      eventLoopDelayMeanMs: hasSamples ? this.histogram.mean / NS_PER_MS : 0,
      eventLoopDelayP99Ms: hasSamples ? this.histogram.percentile(99) / NS_PER_MS : 0,
      eventLoopDelayMaxMs: hasSamples ? this.histogram.max / NS_PER_MS : 0,
      rssBytes: memory.rss,
      heapUsedBytes: memory.heapUsed,
      cpuPercent: elapsedUs > 0 ? (100 * (cpu.user + cpu.system)) / elapsedUs : 0,
      ...(this.disks ? { disks: this.disks } : {}),
    };
    this.histogram.reset();
    return health;
  }
}
