import type { ChunkOverlay } from '../../shared/policy/policyTypes';
import type { JointTarget } from '../../shared/policy/actionConversion';
import { forwardKinematics, type KinematicChain } from '../../shared/robot/kinematics';
import type { WorldSnapshot } from '../../shared/sim/worldTypes';
import { cameraForArm, projectPoint } from '../sim/render/cameraProjection';
import { DISPLAY_SIZE_PX } from '../camera/cameraService';

/**
 * The predicted chunk as the operator sees it on a simulated camera: the tool centre point now and
 * after each action, projected with that camera's own pinhole model at the display size.
 */
export function chunkOverlay(
  chain: KinematicChain,
  world: WorldSnapshot,
  camera: string,
  view: string,
  startQRad: readonly number[],
  targets: readonly JointTarget[],
): ChunkOverlay | null {
  const spec = world.cameras.find((candidate) => candidate.name === view);
  if (!spec) return null;
  const pinhole = cameraForArm(spec, chain, startQRad, DISPLAY_SIZE_PX);
  const pointsPx: [number, number][] = [];
  for (const q of [startQRad, ...targets.map((target) => target.jointsRad)]) {
    const projected = projectPoint(pinhole, forwardKinematics(chain, q).positionM);
    if (projected) pointsPx.push([projected.xPx, projected.yPx]);
  }
  if (pointsPx.length < 2) return null;
  return {
    camera,
    ...DISPLAY_SIZE_PX,
    pointsPx,
    gripperStrokeMm: targets.map((target) => target.gripperStrokeMm),
  };
}
