import { coachContract, type CoachContract } from '../shared/contract/api';
import type { OnnxRuntimeInfo, SystemInfo } from '../shared/system';
import { findAppPackage, ensureDataDir } from './appPaths';
import { ContractServer } from './contract/contractServer';
import { SettingsStore } from './settings/settingsStore';
import { HealthMonitor } from './system/healthMonitor';
import { probeOnnxRuntime } from './system/onnxRuntimeProbe';
import { collectSystemInfo } from './system/systemInfo';

export interface CoachConfig {
  /** Folder for settings and recorded data; created if missing. */
  dataDir: string;
  host: SystemInfo['host'];
  /** Where to look for Coach's package.json (defaults to this module's folder). */
  appDir?: string;
  healthIntervalMs?: number;
}

export interface Coach {
  readonly server: ContractServer<CoachContract>;
  readonly dataDir: string;
  readonly warnings: readonly string[];
  close(): Promise<void>;
}

/** The one composition root: builds every service from config for Electron, the CLI, the headless host and tests. */
export function createCoach(config: CoachConfig): Coach {
  const dataDir = ensureDataDir(config.dataDir);
  const app = findAppPackage(config.appDir ?? __dirname);
  const settings = new SettingsStore(dataDir);
  const health = new HealthMonitor(config.healthIntervalMs ?? 1000);
  health.start();

  let onnxRuntime: Promise<OnnxRuntimeInfo> | null = null;
  const onnxRuntimeInfo = () => (onnxRuntime ??= probeOnnxRuntime());

  const server = new ContractServer(coachContract, {
    methods: {
      'system.info': () =>
        collectSystemInfo({
          appName: app.productName,
          appVersion: app.version,
          host: config.host,
          dataDir,
          onnxRuntime: onnxRuntimeInfo,
        }),
      'settings.get': () => settings.get(),
      'settings.update': (patch) => settings.update(patch),
    },
    streams: {
      'system.health': (_args, emit) => health.topic.subscribe(emit),
    },
  });

  return {
    server,
    dataDir,
    warnings: settings.warnings,
    async close() {
      health.stop();
    },
  };
}
