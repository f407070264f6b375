import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { SystemHealth } from '../../shared/system';
import { Topic } from './topic';

const NS_PER_MS = 1e6;

/** Samples the main process once per interval: uptime, event-loop delay, memory, CPU. */
export class HealthMonitor {
  readonly topic = new Topic<SystemHealth>();
  private readonly histogram = monitorEventLoopDelay({ resolution: 10 });
  private timer: NodeJS.Timeout | null = null;
  private lastCpu = process.cpuUsage();
  private lastSampleAtNs = process.hrtime.bigint();

  constructor(private readonly intervalMs = 1000) {}

  start(): void {
    if (this.timer) return;
    this.histogram.enable();
    this.topic.publish(this.sample());
    this.timer = setInterval(() => this.topic.publish(this.sample()), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.histogram.disable();
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
    };
    this.histogram.reset();
    return health;
  }
}
