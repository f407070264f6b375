import type { RunStatus } from '../../../../shared/policy/policyTypes';
import { isRunning } from '../../stores/policyStore';
import { poseFromMotorRad, type ArmPose } from './armPose';

/**
 * The ghost arm's pose: where the current action chunk ends (run.status chunkTargetRad), only while an
 * attempt runs. Null hides the ghost (no attempt, no chunk yet, or a main process without the field).
 */
export function ghostPose(status: RunStatus): ArmPose | null {
  if (!isRunning(status)) return null;
  return poseFromMotorRad(status.chunkTargetRad);
}
