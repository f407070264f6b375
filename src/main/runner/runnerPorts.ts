import type { ArmService } from '../robot/armService';
import type { CameraService } from '../camera/cameraService';
import type { GoalProgress } from '../../shared/policy/policyTypes';
import type { ProgressObservation } from '../worldModel/goalProgress';

/** What the task runner needs of the arm: its state, motion through the governor, holds, and the sim's scene. */
export type RunnerArm = Pick<
  ArmService,
  'state' | 'stateTopic' | 'worldTopic' | 'move' | 'hold' | 'enable' | 'sceneSummary' | 'resetScene'
>;

/** What it needs of the cameras: the newest frame of the policy camera and of the policy's other cameras. */
export type RunnerCameras = Pick<CameraService, 'policyFrame' | 'cameraFrame' | 'policyCameraName'>;

/** What it needs of the world model's progress readings (GoalProgressService): a tracker per attempt, or why none. */
export interface RunnerProgress {
  start(instruction: string): Promise<RunnerProgressTracker | string>;
}

export interface RunnerProgressTracker {
  observe(observation: ProgressObservation): Promise<GoalProgress>;
}
