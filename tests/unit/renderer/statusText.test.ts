import { describe, expect, it } from 'vitest';
import type { EpisodeSummary } from '../../../src/shared/episodes/episodeTypes';
import { IDLE_RUN_STATUS } from '../../../src/shared/policy/policyTypes';
import { LOW_DISK_SPACE_BYTES, type DiskSpace, type OnnxRuntimeInfo } from '../../../src/shared/system';
import {
  armLinkStatus,
  diskStatus,
  faultStatus,
  holdStatus,
  inferenceText,
  providerText,
  recordingStatus,
  tightestDisk,
} from '../../../src/renderer/src/components/status/statusText';
import { armState } from './armStateFixture';

const GiB = 1024 ** 3;

function disk(role: DiskSpace['role'], freeBytes: number, error: string | null = null): DiskSpace {
  return { role, path: `/data/${role}`, freeBytes, totalBytes: 500 * GiB, error, sampledAtMs: 1 };
}

describe('status bar items', () => {
  it('shows the arm link with its rate, or why there is none', () => {
    expect(armLinkStatus('open', null).text).toBe('…');
    expect(armLinkStatus('open', armState())).toMatchObject({ text: 'up · 200 Hz', tone: 'ok' });
    expect(armLinkStatus('reconnecting', armState()).tone).toBe('warn');
    expect(armLinkStatus('open', armState({ link: null }))).toMatchObject({ text: 'not connected', tone: 'bad' });
  });

  it('summarizes faults and latched holds', () => {
    expect(faultStatus(armState()).text).toBe('none');
    const faulted = armState({
      faults: [{ motorId: 3, motor: 'arm_joint3', bits: [1], names: ['overcurrent'] }],
    });
    expect(faultStatus(faulted)).toMatchObject({ text: 'arm_joint3 overcurrent', tone: 'bad' });
    expect(faultStatus(faulted).title).toMatch(/Clear error/);
    expect(holdStatus(armState())).toBeNull();
    const held = holdStatus(armState({}, { holdLatched: true, holdReason: 'no feedback for 180 ms' }));
    expect(held).toMatchObject({ text: 'held', tone: 'warn' });
    expect(held!.title).toMatch(/no feedback for 180 ms.*release/);
  });

  it('names the execution provider and the last inference', () => {
    expect(providerText(null)).toBe('…');
    const ort = { preferredProvider: 'cuda' } as OnnxRuntimeInfo;
    expect(providerText(ort)).toBe('CUDA');
    expect(providerText({ ...ort, preferredProvider: null })).toBe('none');
    expect(inferenceText(IDLE_RUN_STATUS)).toBe('no inference yet');
    expect(inferenceText({ ...IDLE_RUN_STATUS, lastInferenceMs: 41.6 })).toBe('last 42 ms');
  });

  it('says whether an episode is being recorded, and which', () => {
    expect(recordingStatus(null)).toMatchObject({ recording: false, text: 'idle' });
    const episode = { id: 12, kind: 'attempt', instruction: 'put the grape in the plate' } as EpisodeSummary;
    const recording = recordingStatus(episode);
    expect(recording).toMatchObject({ recording: true, text: '● #12' });
    expect(recording.title).toContain('attempt #12');
  });
});

describe('disk space', () => {
  it('picks the fullest disk, an unreadable one first', () => {
    expect(tightestDisk(undefined)).toBeNull();
    expect(tightestDisk([disk('data', 90 * GiB), disk('recordings', 30 * GiB)])!.role).toBe('recordings');
    expect(tightestDisk([disk('data', 90 * GiB), disk('recordings', 0, 'EACCES')])!.error).toBe('EACCES');
  });

  it('shows free space, and below 2 GiB warns with what to do', () => {
    expect(diskStatus(undefined)).toMatchObject({ text: '…', low: false });
    const fine = diskStatus([disk('data', 412 * GiB), disk('recordings', 412 * GiB)]);
    expect(fine).toMatchObject({ text: '412 GiB free', low: false, tone: '' });
    expect(fine.title).toContain('recordings folder /data/recordings: 412 GiB free of 500 GiB');
    const low = diskStatus([disk('data', 300 * GiB), disk('recordings', 1.5 * GiB)]);
    expect(low.low).toBe(true);
    expect(low.tone).toBe('bad');
    expect(low.text).toBe('1.5 GiB free — free disk space or choose another data folder');
    expect(diskStatus([disk('data', LOW_DISK_SPACE_BYTES)]).low).toBe(false);
    expect(diskStatus([disk('data', 0, 'ENOENT')])).toMatchObject({ text: 'unreadable', tone: 'warn', low: false });
  });
});
