import type { ArmService } from '../robot/armService';
import type { CameraService } from '../camera/cameraService';

/** What the task runner needs of the arm: its state, motion through the governor, holds, and the sim's scene. */
export type RunnerArm = Pick<
  ArmService,
  'state' | 'stateTopic' | 'worldTopic' | 'move' | 'hold' | 'enable' | 'sceneSummary' | 'resetScene'
>;

/** What it needs of the cameras: the newest frame of the policy camera and of the policy's other cameras. */
export type RunnerCameras = Pick<CameraService, 'policyFrame' | 'cameraFrame' | 'policyCameraName'>;
