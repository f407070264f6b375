import type { ConnectionState } from '../../../../shared/contract/bridge';
import type { ArmState } from '../../../../shared/arm';
import type { EpisodeSummary } from '../../../../shared/episodes/episodeTypes';
import type { RunStatus } from '../../../../shared/policy/policyTypes';
import { LOW_DISK_SPACE_BYTES, type DiskSpace, type OnnxRuntimeInfo } from '../../../../shared/system';
import { formatBytes } from '../../format';

/** How an item of the status bar reads: '' plain, else the colour of a state. */
export type StatusTone = '' | 'ok' | 'warn' | 'bad';

export interface StatusItem {
  text: string;
  tone: StatusTone;
  /** The longer explanation (tooltip), with what to do where something is wrong. */
  title: string;
}

/** The arm's link: state and feedback rate ("up · 200 Hz"). */
export function armLinkStatus(connection: ConnectionState, state: ArmState | null): StatusItem {
  if (!state) return { text: '…', tone: '', title: 'Waiting for the arm state from main' };
  if (connection !== 'open') {
    return { text: 'unknown (no connection to main)', tone: 'warn', title: 'The console lost its connection to main' };
  }
  const link = state.link;
  if (!link) return { text: 'not connected', tone: 'bad', title: 'No arm link: connect one in the Arm panel' };
  const tone: StatusTone = link.state === 'up' ? 'ok' : link.state === 'down' ? 'bad' : 'warn';
  return {
    text: `${link.state} · ${link.feedbackRateHz.toFixed(0)} Hz`,
    tone,
    title: `${link.description}${link.lastError ? ` — ${link.lastError}` : ''}`,
  };
}

/** The arm's motor faults ("none", or "arm_joint3 overcurrent; …"). */
export function faultStatus(state: ArmState | null): StatusItem {
  const faults = state?.faults ?? [];
  if (!faults.length) return { text: 'none', tone: '', title: 'No motor reports a fault' };
  const text = faults.map((fault) => `${fault.motor} ${fault.names.join(', ')}`).join('; ');
  return { text, tone: 'bad', title: `${text}. Check the arm, then press Clear error in the Arm panel.` };
}

/** A latched hold of the governor (null while the arm is free to move). */
export function holdStatus(state: ArmState | null): StatusItem | null {
  const governor = state?.governor;
  if (!governor?.holdLatched) return null;
  const reason = governor.holdReason ?? 'Stop (hold)';
  return {
    text: governor.mode === 'faulted' ? 'faulted' : 'held',
    tone: governor.mode === 'faulted' ? 'bad' : 'warn',
    title: `${reason}. Motion is refused until you release the hold in the Arm panel.`,
  };
}

/** The execution provider inference runs on ("CUDA", "CPU"). */
export function providerText(onnxRuntime: OnnxRuntimeInfo | null | undefined): string {
  if (!onnxRuntime) return '…';
  return onnxRuntime.preferredProvider ? onnxRuntime.preferredProvider.toUpperCase() : 'none';
}

/** The last inference of the current (or last) attempt. */
export function inferenceText(status: RunStatus): string {
  if (status.lastInferenceMs === null) return 'no inference yet';
  return `last ${status.lastInferenceMs.toFixed(0)} ms`;
}

/** Whether an episode is being recorded now, and which. */
export function recordingStatus(episode: EpisodeSummary | null): StatusItem & { recording: boolean } {
  if (!episode) return { recording: false, text: 'idle', tone: '', title: 'Nothing is being recorded' };
  const what = episode.kind === 'manual' ? 'manual session' : 'attempt';
  return {
    recording: true,
    text: `● #${episode.id}`,
    tone: 'bad',
    title: `Recording ${what} #${episode.id}: “${episode.instruction}”`,
  };
}

export const LOW_DISK_ACTION = 'free disk space or choose another data folder';

const ROLE_TEXT: Record<DiskSpace['role'], string> = { data: 'data folder', recordings: 'recordings folder' };

/** The disk nearest to full among those Coach writes to (an unreadable one first). */
export function tightestDisk(disks: readonly DiskSpace[] | undefined): DiskSpace | null {
  if (!disks?.length) return null;
  return disks.reduce((worst, disk) => {
    if (worst.error) return worst;
    if (disk.error) return disk;
    return disk.freeBytes < worst.freeBytes ? disk : worst;
  });
}

/** True when a readable disk has less than `lowBytes` left. */
export function isDiskLow(disk: DiskSpace | null, lowBytes = LOW_DISK_SPACE_BYTES): boolean {
  return !!disk && disk.error === null && disk.freeBytes < lowBytes;
}

/** Free space where Coach writes: "412 GiB free", warning below 2 GiB with what to do. */
export function diskStatus(
  disks: readonly DiskSpace[] | undefined,
  lowBytes = LOW_DISK_SPACE_BYTES,
): StatusItem & { low: boolean } {
  const disk = tightestDisk(disks);
  if (!disk) return { low: false, text: '…', tone: '', title: 'Waiting for the first disk reading from main' };
  const where = (one: DiskSpace) => `${ROLE_TEXT[one.role]} ${one.path}`;
  const all = (disks ?? [])
    .map((one) =>
      one.error
        ? `${where(one)}: unreadable (${one.error})`
        : `${where(one)}: ${formatBytes(one.freeBytes)} free of ${formatBytes(one.totalBytes)}`,
    )
    .join('\n');
  if (disk.error) {
    return {
      low: false,
      text: 'unreadable',
      tone: 'warn',
      title: `${all}\nCheck that the folder exists and is reachable.`,
    };
  }
  const free = `${formatBytes(disk.freeBytes)} free`;
  if (isDiskLow(disk, lowBytes)) {
    return {
      low: true,
      text: `${free} — ${LOW_DISK_ACTION}`,
      tone: 'bad',
      title: `${all}\nLess than ${formatBytes(lowBytes)} left, and a full disk makes recording fail. ${capitalize(LOW_DISK_ACTION)}.`,
    };
  }
  return { low: false, text: free, tone: '', title: all };
}

export function capitalize(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}
