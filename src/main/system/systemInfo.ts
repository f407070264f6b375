import os from 'node:os';
import type { OnnxRuntimeInfo, SystemInfo } from '../../shared/system';

export interface SystemInfoContext {
  appName: string;
  appVersion: string;
  host: SystemInfo['host'];
  dataDir: string;
  onnxRuntime: () => Promise<OnnxRuntimeInfo>;
}

export async function collectSystemInfo(context: SystemInfoContext): Promise<SystemInfo> {
  const cpus = os.cpus();
  const versions = process.versions as NodeJS.ProcessVersions & { electron?: string; chrome?: string };
  return {
    app: { name: context.appName, version: context.appVersion },
    runtime: {
      node: versions.node,
      electron: versions.electron ?? null,
      chromium: versions.chrome ?? null,
      v8: versions.v8,
    },
    host: context.host,
    onnxRuntime: await context.onnxRuntime(),
    machine: {
      platform: process.platform,
      arch: process.arch,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      cpuCount: cpus.length,
      totalMemoryBytes: os.totalmem(),
      freeMemoryBytes: os.freemem(),
      hostname: os.hostname(),
    },
    dataDir: context.dataDir,
  };
}
