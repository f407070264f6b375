import { describe, expect, it } from 'vitest';
import { ghostPose } from '../../../../src/renderer/src/components/arm3d/ghostTarget';
import { IDLE_RUN_STATUS, type RunStatus } from '../../../../src/shared/policy/policyTypes';

const target = [0.2, 1.1, -1.4, 0.1, 0.8, -0.3, 0.5];

function status(patch: Partial<RunStatus>): RunStatus {
  return { ...IDLE_RUN_STATUS, runId: 3, ...patch };
}

describe('the ghost arm', () => {
  it('stands at the current chunk’s final target while an attempt runs', () => {
    for (const phase of ['starting', 'inferring', 'executing'] as const)
      expect(ghostPose(status({ phase, chunkTargetRad: target }))).toEqual({
        jointsRad: target.slice(0, 6),
        gripperStrokeMm: 15,
      });
  });

  it('is hidden without an attempt, before the first chunk, and from a main process without the field', () => {
    expect(ghostPose(IDLE_RUN_STATUS)).toBeNull();
    expect(ghostPose(status({ phase: 'finished', chunkTargetRad: target }))).toBeNull();
    expect(ghostPose(status({ phase: 'idle', chunkTargetRad: target }))).toBeNull();
    expect(ghostPose(status({ phase: 'inferring', chunkTargetRad: null }))).toBeNull();
    const { chunkTargetRad: _dropped, ...older } = status({ phase: 'executing', chunkTargetRad: target });
    expect(ghostPose(older as RunStatus)).toBeNull();
  });
});
