import { describe, expect, it } from 'vitest';
import type { DiskSpace } from '../../../src/shared/system';
import {
  actionErrorToast,
  actionForError,
  addToast,
  adviceOf,
  armToasts,
  lowDiskToast,
  type Toast,
  type ToastInput,
} from '../../../src/renderer/src/components/toasts/toastText';
import { armState } from './armStateFixture';

const fault = { motorId: 3, motor: 'arm_joint3', bits: [1], names: ['overcurrent'] };

function input(key: string, sticky = false): ToastInput {
  return { key, tone: sticky ? 'fault' : 'error', title: key, message: '', action: '', sticky };
}

describe('what to do after a failed action', () => {
  it('takes the advice after the last "; " outside parentheses', () => {
    expect(adviceOf('an attempt is running; stop it before changing the model')).toBe(
      'stop it before changing the model',
    );
    expect(adviceOf('the arm is held (a; b); release it first')).toBe('release it first');
    expect(adviceOf('no such folder')).toBeNull();
  });

  it('names the button for the arm’s refusals, and the power-supply stop when a hold failed', () => {
    expect(
      actionForError({ action: 'jog', code: 'motion_refused', message: 'the motors are disabled; enable them first' }),
    ).toBe('Enable the motors in the Arm panel, then try again.');
    expect(
      actionForError({
        action: 'jog',
        code: 'motion_refused',
        message: 'the arm is held (Stop (hold) pressed); release it first',
      }),
    ).toMatch(/Release in the Arm panel/);
    expect(
      actionForError({
        action: 'release',
        code: 'motion_refused',
        message: 'the arm reports a fault; clear the error first',
      }),
    ).toMatch(/Clear error/);
    expect(actionForError({ action: 'hold', code: 'disconnected', message: 'connection lost' })).toMatch(
      /power supply/,
    );
    expect(actionForError({ action: 'load', code: 'disconnected', message: 'connection lost' })).toMatch(
      /Connected to main/,
    );
    expect(
      actionForError({
        action: 'load',
        code: 'busy',
        message: 'an attempt is running; stop it before changing the model',
      }),
    ).toBe('Stop it before changing the model.');
    expect(actionForError({ action: 'load', code: 'service_failure', message: 'manifest.json is missing' })).toBe(
      'Fix the cause above, then try again.',
    );
  });

  it('makes a toast that hides, except a failed Stop (hold), which stays', () => {
    const jog = actionErrorToast('arm', {
      action: 'jog',
      label: 'Jog arm_joint2 +0.10 rad',
      code: 'motion_refused',
      message: 'the motors are disabled; enable them first',
    });
    expect(jog).toMatchObject({
      key: 'arm:jog',
      tone: 'error',
      sticky: false,
      title: 'Jog arm_joint2 +0.10 rad failed',
    });
    const hold = actionErrorToast('arm', {
      action: 'hold',
      label: 'Stop (hold)',
      code: 'timeout',
      message: 'no answer',
    });
    expect(hold).toMatchObject({ tone: 'fault', sticky: true });
  });
});

describe('arm toasts', () => {
  it('toasts a new fault once, and again when it changes', () => {
    const faulted = armState({ faults: [fault] }, { mode: 'faulted', holdLatched: true, holdReason: 'arm fault — x' });
    const toasts = armToasts(armState(), faulted);
    expect(toasts).toHaveLength(1);
    expect(toasts[0]).toMatchObject({
      key: 'arm:fault',
      tone: 'fault',
      sticky: true,
      title: 'Arm fault: arm_joint3 overcurrent',
    });
    expect(toasts[0]!.action).toMatch(/Clear error/);
    expect(armToasts(faulted, faulted)).toEqual([]);
    const worse = armState({ faults: [fault, { ...fault, motorId: 4, motor: 'arm_joint4' }] });
    expect(armToasts(faulted, worse)).toHaveLength(1);
  });

  it('toasts the governor’s own latched holds, not the operator’s', () => {
    const free = armState();
    const lost = armState({}, { holdLatched: true, holdReason: 'no feedback for 180 ms' });
    expect(armToasts(free, lost)).toEqual([
      expect.objectContaining({ key: 'arm:hold', tone: 'fault', sticky: true, message: 'no feedback for 180 ms' }),
    ]);
    expect(armToasts(lost, lost)).toEqual([]);
    expect(armToasts(null, lost)).toHaveLength(1);
    for (const reason of ['Stop (hold) pressed', 'motors disabled']) {
      expect(armToasts(free, armState({}, { holdLatched: true, holdReason: reason }))).toEqual([]);
    }
    expect(armToasts(free, armState({}, { holdReason: 'watchdog: no motion command for 200 ms' }))).toEqual([]);
  });
});

describe('toast list', () => {
  it('replaces a toast with the same key and counts it', () => {
    let list: Toast[] = [];
    list = addToast(list, input('a'), 1, 10);
    list = addToast(list, input('b'), 2, 20);
    list = addToast(list, input('a'), 3, 30);
    expect(list.map((toast) => [toast.key, toast.id, toast.count])).toEqual([
      ['a', 3, 2],
      ['b', 2, 1],
    ]);
  });

  it('keeps at most max toasts, dropping the oldest that may hide before faults', () => {
    let list: Toast[] = [];
    list = addToast(list, input('fault', true), 1, 1, 3);
    list = addToast(list, input('e1'), 2, 2, 3);
    list = addToast(list, input('e2'), 3, 3, 3);
    list = addToast(list, input('e3'), 4, 4, 3);
    expect(list.map((toast) => toast.key)).toEqual(['e3', 'e2', 'fault']);
  });

  it('warns about a low disk with what to do', () => {
    const disk: DiskSpace = {
      role: 'recordings',
      path: '/mnt/data/episodes',
      freeBytes: 1.2 * 1024 ** 3,
      totalBytes: 100 * 1024 ** 3,
      error: null,
      sampledAtMs: 1,
    };
    const toast = lowDiskToast(disk);
    expect(toast.title).toBe('Disk almost full: 1.2 GiB left');
    expect(toast.message).toContain('/mnt/data/episodes');
    expect(toast.action).toBe('Free disk space or choose another data folder.');
  });
});
