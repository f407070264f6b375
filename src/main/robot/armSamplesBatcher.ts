import { ARM_JOINT_COUNT, DEFAULT_GRIPPER_MM_PER_RAD, GRIPPER_MOTOR_ID } from '../../shared/robot/a1Spec';
import { ARM_SAMPLES_MAX_PER_BATCH, type ArmSamples } from '../../shared/robot/armSamples';
import { FEEDBACK_SAMPLE_MOTORS, FEEDBACK_SAMPLE_VALUES } from './runtime/feedbackSamples';

const POS = 1;
const VEL = 1 + FEEDBACK_SAMPLE_MOTORS;
const SETPOINT = 1 + 3 * FEEDBACK_SAMPLE_MOTORS;
const GRIPPER = GRIPPER_MOTOR_ID - 1;

/** The wire codec quantises positions to 1 mrad and velocities to ~1.7 mrad/s: 5 decimals lose nothing, and keep JSON short. */
function rounded(value: number, scale: number): number | null {
  return Number.isFinite(value) ? Math.round(value * scale) / scale : null;
}

/**
 * Collects the arm runtime's feedback rows (FeedbackSampleBatch layout) for one `arm.samples` subscriber
 * and turns them into columnar batches. Holds at most `maxSamples`; when a batch is not taken in time the
 * oldest samples are dropped and counted, so a stalled sender never grows memory here.
 */
export class ArmSamplesBatcher {
  private readonly rows: Float64Array;
  private start = 0;
  private count = 0;
  private nextSeq = 0;
  private dropped = 0;

  constructor(private readonly maxSamples = ARM_SAMPLES_MAX_PER_BATCH) {
    if (!Number.isInteger(maxSamples) || maxSamples < 1)
      throw new Error(`maxSamples must be a positive whole number, got ${maxSamples}`);
    this.rows = new Float64Array(maxSamples * FEEDBACK_SAMPLE_VALUES);
  }

  /** Rows of FEEDBACK_SAMPLE_VALUES numbers, as ArmService.samplesTopic publishes them. */
  add(rows: Float64Array): void {
    const n = Math.floor(rows.length / FEEDBACK_SAMPLE_VALUES);
    for (let i = 0; i < n; i += 1) {
      if (this.count === this.maxSamples) {
        this.start = (this.start + 1) % this.maxSamples;
        this.count -= 1;
        this.dropped += 1;
        this.nextSeq += 1;
      }
      const slot = (this.start + this.count) % this.maxSamples;
      this.rows.set(
        rows.subarray(i * FEEDBACK_SAMPLE_VALUES, (i + 1) * FEEDBACK_SAMPLE_VALUES),
        slot * FEEDBACK_SAMPLE_VALUES,
      );
      this.count += 1;
    }
  }

  get pending(): number {
    return this.count;
  }

  /** The samples since the last take, or null when none came. */
  take(): ArmSamples | null {
    if (this.count === 0) return null;
    const batch: ArmSamples = {
      seq: this.nextSeq,
      droppedSamples: this.dropped,
      tMs: [],
      posRad: Array.from({ length: ARM_JOINT_COUNT }, () => []),
      velRadS: Array.from({ length: ARM_JOINT_COUNT }, () => []),
      cmdRad: Array.from({ length: ARM_JOINT_COUNT }, () => []),
      gripperMm: [],
      gripperCmdMm: [],
    };
    for (let i = 0; i < this.count; i += 1) {
      const row = ((this.start + i) % this.maxSamples) * FEEDBACK_SAMPLE_VALUES;
      const r = this.rows;
      batch.tMs.push(Math.round(r[row]! * 10) / 10);
      for (let j = 0; j < ARM_JOINT_COUNT; j += 1) {
        batch.posRad[j]!.push(rounded(r[row + POS + j]!, 1e5));
        batch.velRadS[j]!.push(rounded(r[row + VEL + j]!, 1e5));
        batch.cmdRad[j]!.push(rounded(r[row + SETPOINT + j]!, 1e5));
      }
      batch.gripperMm.push(rounded(r[row + POS + GRIPPER]! * DEFAULT_GRIPPER_MM_PER_RAD, 1e3));
      batch.gripperCmdMm.push(rounded(r[row + SETPOINT + GRIPPER]! * DEFAULT_GRIPPER_MM_PER_RAD, 1e3));
    }
    this.nextSeq += this.count;
    this.start = 0;
    this.count = 0;
    this.dropped = 0;
    return batch;
  }
}

export interface ArmSamplesSource {
  subscribe(listener: (rows: Float64Array) => void): () => void;
}

/**
 * One `arm.samples` subscription: feedback rows in, a batch out every `batchMs` (none while no samples
 * came). Returns the unsubscribe.
 */
export function subscribeArmSamples(
  source: ArmSamplesSource,
  emit: (batch: ArmSamples) => void,
  batchMs: number,
): () => void {
  const batcher = new ArmSamplesBatcher();
  const unsubscribe = source.subscribe((rows) => batcher.add(rows));
  const timer = setInterval(() => {
    const batch = batcher.take();
    if (batch) emit(batch);
  }, batchMs);
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
