export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `${m} min ${String(rest).padStart(2, '0')} s`;
  return `${rest} s`;
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

/** The browser's own engine and version, for when the console runs outside Electron. */
export function browserVersion(userAgent: string): string {
  const match = /(Chrome|Chromium|Firefox|Version)\/([\d.]+)/.exec(userAgent);
  if (!match) return 'unknown browser';
  return match[1] === 'Version' ? `Safari ${match[2]}` : `${match[1] === 'Chrome' ? 'Chromium' : match[1]} ${match[2]}`;
}
