/** One line of the external trainer's stdout, as Coach understands it (docs/refine.md, "External trainer"). */
export type ExternalTrainerEvent =
  | {
      event: 'progress';
      step: number;
      /** Total steps, when the trainer says. */
      total: number | null;
      loss: number | null;
      /** Every other numeric field of the line (accuracy, margin, lr, …). */
      metrics: Record<string, number>;
    }
  | { event: 'log'; message: string }
  /** package: the folder it wrote, as printed (relative to the output folder or absolute); null = the output folder. */
  | { event: 'done'; package: string | null }
  | { event: 'error'; message: string };

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function progressEvent(json: Record<string, unknown>): ExternalTrainerEvent | null {
  const step = finite(json.step);
  if (step === null) return null;
  const metrics: Record<string, number> = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === 'event' || key === 'step' || key === 'total' || key === 'loss') continue;
    const n = finite(value);
    if (n !== null) metrics[key] = n;
  }
  return { event: 'progress', step, total: finite(json.total), loss: finite(json.loss), metrics };
}

function parseJsonObject(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * Reads one stdout line. JSON objects with a known `event` become events; anything else (plain text,
 * a malformed or unknown event) is kept as a log line, so a trainer's ordinary prints are not lost.
 */
export function parseTrainerLine(rawLine: string): ExternalTrainerEvent | null {
  const line = rawLine.trim();
  if (line === '') return null;
  const json = parseJsonObject(line);
  const asLog: ExternalTrainerEvent = { event: 'log', message: line };
  if (!json) return asLog;
  switch (json.event) {
    case 'progress':
      return progressEvent(json) ?? asLog;
    case 'log':
      return typeof json.message === 'string' ? { event: 'log', message: json.message } : asLog;
    case 'done':
      if (json.package === undefined || json.package === null) return { event: 'done', package: null };
      return typeof json.package === 'string' && json.package !== '' ? { event: 'done', package: json.package } : asLog;
    case 'error':
      return { event: 'error', message: typeof json.message === 'string' ? json.message : line };
    default:
      return asLog;
  }
}
