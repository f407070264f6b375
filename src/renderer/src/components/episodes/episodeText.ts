import type { EpisodeLabel, EpisodeOutcome } from '../../../../shared/episodes/episodeTypes';

/** How the episode views word the catalog's values. */
export const OUTCOME_TEXT: Record<EpisodeOutcome, string> = {
  success: 'success',
  stopped: 'stopped',
  timeout: 'timeout',
  max_strokes: 'max strokes',
  fault: 'fault',
  refused: 'refused',
  error: 'error',
  interrupted: 'interrupted',
  manual: 'manual',
};

export const LABEL_TEXT: Record<EpisodeLabel, string> = { good: 'good', bad: 'bad', unsure: 'unsure' };

export type Tone = 'ok' | 'warn' | 'bad' | '';

export function outcomeTone(outcome: EpisodeOutcome | null): Tone {
  switch (outcome) {
    case 'success':
      return 'ok';
    case 'stopped':
    case 'timeout':
    case 'max_strokes':
    case 'interrupted':
      return 'warn';
    case 'fault':
    case 'refused':
    case 'error':
      return 'bad';
    default:
      return '';
  }
}

export function labelTone(label: EpisodeLabel | null): Tone {
  switch (label) {
    case 'good':
      return 'ok';
    case 'unsure':
      return 'warn';
    case 'bad':
      return 'bad';
    default:
      return '';
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Local date and time, to the second: "2025-12-02 14:03:09". */
export function formatStarted(ms: number): string {
  const date = new Date(ms);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** Local month-day and time, for dense tables: "12-02 14:03:09" (formatStarted in the title). */
export function formatStartedShort(ms: number): string {
  const date = new Date(ms);
  return (
    `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

/** A duration in seconds, one decimal under a minute: "8.4 s", "2 min 05 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${pad(Math.floor(seconds % 60))} s`;
}

/** True when a key press is text for a field (then single-letter shortcuts must not fire). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const element = target instanceof HTMLElement ? target : document.activeElement;
  if (!(element instanceof HTMLElement)) return false;
  if (element.isContentEditable) return true;
  if (element instanceof HTMLTextAreaElement || element instanceof HTMLSelectElement) return true;
  if (!(element instanceof HTMLInputElement)) return false;
  return !['button', 'checkbox', 'radio', 'range', 'submit', 'reset', 'color', 'file', 'image'].includes(element.type);
}

/** A plain key (no Ctrl/Alt/Meta), not a repeat: what single-key shortcuts answer to. */
export function isPlainKey(event: KeyboardEvent): boolean {
  return !event.ctrlKey && !event.altKey && !event.metaKey && !event.repeat && !event.isComposing;
}
