import type { SystemInfo } from '../../shared/system';

const GIB = 1024 ** 3;

export function formatSystemInfo(info: SystemInfo): string {
  const ort = info.onnxRuntime;
  const lines = [
    `${info.app.name} ${info.app.version}`,
    `  node        ${info.runtime.node}`,
    `  electron    ${info.runtime.electron ?? '— (not running in Electron)'}`,
    `  chromium    ${info.runtime.chromium ?? '— (not running in Electron)'}`,
    `  onnxruntime ${ort.version ?? `unavailable: ${ort.loadError ?? 'unknown reason'}`}`,
    `  providers   ${ort.usableProviders.length ? ort.usableProviders.join(', ') : 'none'}` +
      (ort.preferredProvider ? ` (inference uses ${ort.preferredProvider})` : ''),
    ...ort.unavailable.map((entry) => `  ${entry.provider.padEnd(11)} not usable: ${entry.reason}`),
    `  machine     ${info.machine.platform}/${info.machine.arch}, ${info.machine.cpuCount} × ${info.machine.cpuModel}`,
    `  memory      ${(info.machine.freeMemoryBytes / GIB).toFixed(1)} GiB free of ${(info.machine.totalMemoryBytes / GIB).toFixed(1)} GiB`,
    `  data        ${info.dataDir}`,
  ];
  return lines.join('\n');
}
