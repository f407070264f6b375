import { describe, expect, it } from 'vitest';
import { ArmSamplesBatcher } from '../../../../src/main/robot/armSamplesBatcher';
import {
  FEEDBACK_SAMPLE_MOTORS,
  FEEDBACK_SAMPLE_VALUES,
  FeedbackSampleBatch,
} from '../../../../src/main/robot/runtime/feedbackSamples';
import { armSamplesSchema } from '../../../../src/shared/robot/armSamples';
import { DEFAULT_GRIPPER_MM_PER_RAD } from '../../../../src/shared/robot/a1Spec';

/** Feedback rows as the arm runtime batches them: sample k has joint j at k + j/10 rad, velocity −k. */
function rows(from: number, n: number, withSetpoint = true): Float64Array {
  const batch = new FeedbackSampleBatch();
  for (let k = from; k < from + n; k += 1) {
    const motors = Array.from({ length: FEEDBACK_SAMPLE_MOTORS }, (_, j) => ({
      motorId: j + 1,
      posRad: k + j / 10,
      velRadS: -k,
      tauNm: 0,
      faultMask: 0,
    }));
    batch.add(1000 + 5 * k, motors, withSetpoint ? motors.map((m) => m.posRad + 0.5) : null);
  }
  return batch.take()!;
}

describe('ArmSamplesBatcher', () => {
  it('turns feedback rows into columns, with the gripper in mm and governor setpoints as commands', () => {
    const batcher = new ArmSamplesBatcher();
    batcher.add(rows(0, 3));
    const batch = armSamplesSchema.parse(batcher.take());
    expect(batch.seq).toBe(0);
    expect(batch.tMs).toEqual([1000, 1005, 1010]);
    expect(batch.posRad[1]).toEqual([0.1, 1.1, 2.1]);
    expect(batch.velRadS[5]).toEqual([-0, -1, -2]);
    expect(batch.cmdRad[0]).toEqual([0.5, 1.5, 2.5]);
    expect(batch.gripperMm).toEqual([0.6, 1.6, 2.6].map((rad) => rad * DEFAULT_GRIPPER_MM_PER_RAD));
    expect(batch.gripperCmdMm[0]).toBeCloseTo(1.1 * DEFAULT_GRIPPER_MM_PER_RAD, 6);
    expect(batcher.take()).toBeNull();
  });

  it('numbers samples across batches and sends null for a missing setpoint', () => {
    const batcher = new ArmSamplesBatcher();
    batcher.add(rows(0, 4));
    batcher.take();
    batcher.add(rows(4, 2, false));
    const batch = batcher.take()!;
    expect(batch.seq).toBe(4);
    expect(batch.cmdRad[2]).toEqual([null, null]);
    expect(batch.gripperCmdMm).toEqual([null, null]);
  });

  it('holds at most maxSamples: drops the oldest, counts them, and the seq shows the gap', () => {
    const batcher = new ArmSamplesBatcher(10);
    batcher.add(rows(0, 7));
    batcher.add(rows(7, 8)); // 15 samples into room for 10
    expect(batcher.pending).toBe(10);
    const batch = batcher.take()!;
    expect(batch).toMatchObject({ seq: 5, droppedSamples: 5 });
    expect(batch.tMs[0]).toBe(1000 + 5 * 5);
    expect(batch.tMs.at(-1)).toBe(1000 + 5 * 14);
    batcher.add(rows(15, 1));
    expect(batcher.take()).toMatchObject({ seq: 15, droppedSamples: 0 });
  });

  it('refuses a capacity that is not a positive whole number', () => {
    expect(() => new ArmSamplesBatcher(0)).toThrow(/positive whole number/);
  });

  it('keeps the row layout the runtime writes', () => {
    expect(FEEDBACK_SAMPLE_VALUES).toBe(1 + 4 * FEEDBACK_SAMPLE_MOTORS);
  });
});
