import { z } from 'zod';
import { ARM_JOINT_COUNT } from './a1Spec';

/** How often main sends an `arm.samples` batch (ms). */
export const ARM_SAMPLES_BATCH_MS = 50;
/** A batch never holds more samples than this (2 s at 200 Hz); beyond it the oldest are dropped and counted. */
export const ARM_SAMPLES_MAX_PER_BATCH = 400;

/** A value per sample; null where the arm gave none (no governor setpoint yet, a motor missing from a frame). */
const column = z.array(z.number().nullable());
const jointColumns = z.array(column).length(ARM_JOINT_COUNT);

/**
 * Every arm feedback sample since the previous batch, in columns (index i of every array is sample i).
 * `seq` numbers samples per subscription: a client expecting seq N that receives seq M > N missed M − N
 * samples (dropped by a full batch here, or by the transport's latest-value window for a slow client).
 */
export const armSamplesSchema = z.object({
  /** Sequence number of this batch's first sample (per subscription, from 0). */
  seq: z.number().int().nonnegative(),
  /** Samples main dropped (oldest first) since the previous batch because this batch was full. */
  droppedSamples: z.number().int().nonnegative(),
  /** When each feedback frame arrived (wall clock, ms). */
  tMs: z.array(z.number()),
  /** Measured joint positions, [joint 0..5][sample] (rad). */
  posRad: jointColumns,
  /** Measured joint velocities, [joint 0..5][sample] (rad/s). */
  velRadS: jointColumns,
  /** The safety governor's setpoints sent to the arm (after limits and the velocity cap), [joint][sample] (rad). */
  cmdRad: jointColumns,
  /** Measured gripper stroke (mm, 0 closed … 60 open). */
  gripperMm: column,
  /** Commanded gripper stroke (the governor's setpoint, mm). */
  gripperCmdMm: column,
});

export type ArmSamples = z.infer<typeof armSamplesSchema>;
