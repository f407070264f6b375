import type { TrainingJob } from '../../../../shared/training/trainingJobTypes';
import { formatDuration } from '../../format';

export const PHASE_TEXT: Record<TrainingJob['phase'], string> = {
  preparing: 'preparing',
  training: 'training',
  writing: 'writing',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

export const KIND_TEXT: Record<TrainingJob['kind'], string> = {
  bc: 'BC',
  dpo: 'DPO',
};

export const KIND_TITLE: Record<TrainingJob['kind'], string> = {
  bc: 'Behaviour cloning on scripted-expert demonstrations',
  dpo: 'DPO refinement on preference pairs from labelled episodes',
};

/** A loss: 4 significant digits, scientific when tiny or huge. */
export function lossText(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-3 || magnitude >= 1e4)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}

/** A learning rate: 1e-3 → "1.0e-3". */
export function rateText(value: number): string {
  if (!Number.isFinite(value) || value === 0) return '—';
  const [mantissa, exponent] = value.toExponential(1).split('e');
  return `${mantissa}e${Number(exponent)}`;
}

export function speedText(stepsPerS: number | null): string {
  if (stepsPerS === null || !Number.isFinite(stepsPerS)) return '—';
  return stepsPerS >= 100 ? stepsPerS.toFixed(0) : stepsPerS.toFixed(1);
}

export function etaText(job: TrainingJob): string {
  if (job.phase === 'done') return 'done';
  if (job.etaS === null || !Number.isFinite(job.etaS)) return '—';
  return formatDuration(job.etaS);
}
