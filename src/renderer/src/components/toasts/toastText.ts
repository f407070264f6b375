import type { ArmState } from '../../../../shared/arm';
import type { DiskSpace } from '../../../../shared/system';
import { formatBytes } from '../../format';
import { capitalize, LOW_DISK_ACTION } from '../status/statusText';

/** fault: the arm stopped by itself (stays until dismissed); error: an action failed; warn: something to watch. */
export type ToastTone = 'fault' | 'error' | 'warn';

export interface ToastInput {
  /** Toasts with the same key replace each other (a repeated failure does not stack up). */
  key: string;
  tone: ToastTone;
  /** What happened, in one line. */
  title: string;
  /** The details (the service's message). */
  message: string;
  /** What the operator should do. */
  action: string;
  /** Stays until dismissed; otherwise it hides after a few seconds. */
  sticky: boolean;
}

export interface Toast extends ToastInput {
  id: number;
  atMs: number;
  /** How many times it came (a repeated failure bumps this). */
  count: number;
}

/** How long a toast that is not sticky stays, by tone. */
export const TOAST_HIDE_MS: Record<ToastTone, number> = { fault: 0, error: 8000, warn: 12_000 };
/** Toasts shown at most; the oldest that may hide goes first. */
export const MAX_TOASTS = 5;

/** A failed action as the stores keep it (see actionTracker). */
export interface FailedAction {
  action: string;
  label: string;
  code: string;
  message: string;
}

/** Hold reasons that are the operator's own doing (Stop (hold), disabling the motors, Ctrl+C): no toast for them. */
const OPERATOR_HOLD_REASONS = ['Stop (hold) pressed', 'motors disabled', 'interrupted (Ctrl+C)'];

export function isOperatorHold(reason: string | null): boolean {
  return reason === null || OPERATOR_HOLD_REASONS.includes(reason);
}

function sentence(text: string): string {
  const trimmed = capitalize(text.trim());
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * The "what to do" part of a message written as "what went wrong; what to do" (Coach's convention): the text
 * after the last "; " outside parentheses, or null when there is none.
 */
export function adviceOf(message: string): string | null {
  let depth = 0;
  let split = -1;
  for (let i = 0; i < message.length; i += 1) {
    const char = message[i];
    if (char === '(') depth += 1;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (char === ';' && depth === 0 && message[i + 1] === ' ') split = i;
  }
  if (split < 0) return null;
  const advice = message.slice(split + 2).trim();
  return advice ? advice : null;
}

/** What the operator should do after a failed action, from its code and message. */
export function actionForError(error: Pick<FailedAction, 'action' | 'code' | 'message'>): string {
  const { action, code, message } = error;
  if (action === 'hold') {
    return 'Stop the arm with the stop button on its power supply: the console could not send the hold.';
  }
  if (code === 'disconnected' || code === 'timeout') {
    return 'Wait until the header says “Connected to main”, then try again.';
  }
  if (/motors are disabled/.test(message)) return 'Enable the motors in the Arm panel, then try again.';
  if (/faulted|reports a fault/.test(message)) {
    return 'Check the arm, then press Clear error and Release in the Arm panel.';
  }
  if (/arm is held/.test(message)) return 'Check the arm, then press Release in the Arm panel.';
  if (code === 'arm_runtime_down' || /no feedback/.test(message)) {
    return 'Check the arm’s cable and power, then reconnect in the Arm panel.';
  }
  const advice = adviceOf(message);
  if (advice) return sentence(advice);
  if (code === 'busy') return 'Wait for the running job to finish (or stop it), then try again.';
  if (code === 'invalid_arguments') return 'Correct the value, then try again.';
  return 'Fix the cause above, then try again.';
}

/** The toast of a failed action; a failed Stop (hold) is a fault (it stays). */
export function actionErrorToast(source: string, error: FailedAction): ToastInput {
  const holdFailed = source === 'arm' && error.action === 'hold';
  return {
    key: `${source}:${error.action}`,
    tone: holdFailed ? 'fault' : 'error',
    title: `${error.label} failed`,
    message: error.message,
    action: actionForError(error),
    sticky: holdFailed,
  };
}

/** The arm's faults as one string, '' when none (to tell a new fault from one already shown). */
export function faultSignature(state: ArmState | null): string {
  return (state?.faults ?? [])
    .map((fault) => `${fault.motorId}:${[...fault.bits].sort((a, b) => a - b).join(',')}`)
    .sort()
    .join(' ');
}

/**
 * What changed on the arm that the operator must know, from one arm state to the next: a new motor fault, or a
 * hold the safety governor latched by itself (lost feedback, lost link, a restarted runtime, …). Holds the
 * operator asked for, and the hold that comes with a fault, make no toast.
 */
export function armToasts(previous: ArmState | null, next: ArmState): ToastInput[] {
  const toasts: ToastInput[] = [];
  const faults = faultSignature(next);
  if (faults && faults !== faultSignature(previous)) {
    const summary = next.faults.map((fault) => `${fault.motor} ${fault.names.join(', ')}`).join('; ');
    toasts.push({
      key: 'arm:fault',
      tone: 'fault',
      title: `Arm fault: ${summary}`,
      message: 'The safety governor holds the arm and refuses motion until the fault is cleared.',
      action:
        'Check the arm (support it before disabling the motors), then press Clear error and Release in the Arm panel.',
      sticky: true,
    });
  }
  const governor = next.governor;
  const reason = governor.holdReason;
  const newHold =
    governor.holdLatched &&
    !(previous?.governor.holdLatched && previous.governor.holdReason === reason) &&
    !isOperatorHold(reason) &&
    governor.mode !== 'faulted' &&
    !reason!.startsWith('arm fault');
  if (newHold) {
    toasts.push({
      key: 'arm:hold',
      tone: 'fault',
      title: 'The safety governor is holding the arm',
      message: reason!,
      action: 'Check the arm and its link, then press Release in the Arm panel.',
      sticky: true,
    });
  }
  return toasts;
}

/** The warning when a disk Coach writes to runs low. */
export function lowDiskToast(disk: DiskSpace): ToastInput {
  const where = disk.role === 'recordings' ? 'recordings folder' : 'data folder';
  return {
    key: 'disk:low',
    tone: 'warn',
    title: `Disk almost full: ${formatBytes(disk.freeBytes)} left`,
    message: `The disk of the ${where} (${disk.path}) has ${formatBytes(disk.freeBytes)} free of ${formatBytes(disk.totalBytes)}; a full disk makes recording fail.`,
    action: `${capitalize(LOW_DISK_ACTION)}.`,
    sticky: false,
  };
}

/**
 * The toast list after `input` arrived (newest first): one with the same key is replaced (and counted), and the
 * list keeps at most `max`, dropping the oldest toast that may hide before any that must stay.
 */
export function addToast(
  list: readonly Toast[],
  input: ToastInput,
  id: number,
  atMs: number,
  max = MAX_TOASTS,
): Toast[] {
  const same = list.find((toast) => toast.key === input.key);
  const toast: Toast = { ...input, id, atMs, count: (same?.count ?? 0) + 1 };
  const next = [toast, ...list.filter((other) => other.key !== input.key)];
  while (next.length > max) {
    let drop = -1;
    for (let i = next.length - 1; i > 0; i -= 1) {
      if (!next[i]!.sticky) {
        drop = i;
        break;
      }
    }
    next.splice(drop > 0 ? drop : next.length - 1, 1);
  }
  return next;
}
