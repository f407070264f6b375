import type { MotorFeedback } from '../../../shared/robot/wire';

/** Values per sample: wall-clock ms, then positions, velocities, torques and governor setpoints of the 7 motors. */
export const FEEDBACK_SAMPLE_MOTORS = 7;
export const FEEDBACK_SAMPLE_VALUES = 1 + 4 * FEEDBACK_SAMPLE_MOTORS;
/** At 200 Hz feedback and 30 Hz batches a batch holds ~7 samples; beyond this many, the oldest are dropped. */
const MAX_BATCH_SAMPLES = 400;

/**
 * Every feedback frame the arm process receives, batched for the main process (which records them at
 * the full feedback rate while the UI's state stream stays at 30 Hz). Rows of FEEDBACK_SAMPLE_VALUES.
 */
export class FeedbackSampleBatch {
  private rows: Float64Array = new Float64Array(MAX_BATCH_SAMPLES * FEEDBACK_SAMPLE_VALUES);
  private count = 0;

  add(wallMs: number, motors: readonly MotorFeedback[], setpointRad: readonly number[] | null): void {
    if (this.count === MAX_BATCH_SAMPLES) {
      this.rows.copyWithin(0, FEEDBACK_SAMPLE_VALUES);
      this.count -= 1;
    }
    const row = this.count * FEEDBACK_SAMPLE_VALUES;
    const n = FEEDBACK_SAMPLE_MOTORS;
    this.rows[row] = wallMs;
    for (let i = 0; i < n; i += 1) {
      const motor = motors[i];
      this.rows[row + 1 + i] = motor?.posRad ?? Number.NaN;
      this.rows[row + 1 + n + i] = motor?.velRadS ?? Number.NaN;
      this.rows[row + 1 + 2 * n + i] = motor?.tauNm ?? Number.NaN;
      this.rows[row + 1 + 3 * n + i] = setpointRad?.[i] ?? Number.NaN;
    }
    this.count += 1;
  }

  /** The samples since the last take (a copy), or null when there are none. */
  take(): Float64Array | null {
    if (this.count === 0) return null;
    const out = this.rows.slice(0, this.count * FEEDBACK_SAMPLE_VALUES);
    this.count = 0;
    return out;
  }
}
