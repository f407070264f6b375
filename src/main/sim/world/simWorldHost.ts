import { DEFAULT_GRIPPER_MM_PER_RAD, ARM_JOINT_COUNT, GRIPPER_MAX_STROKE_MM } from '../../../shared/robot/a1Spec';
import type { KinematicChain } from '../../../shared/robot/kinematics';
import { TabletopWorld } from '../../../shared/sim/world';
import type { SceneSummary } from '../../../shared/sim/sceneSummary';
import type { WorldSnapshot } from '../../../shared/sim/worldTypes';
import type { SimA1Firmware } from '../arm/simA1Firmware';

const SNAPSHOT_RATE_HZ = 30;

/** A seed for a scene nobody asked a particular one of. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/**
 * The tabletop world living beside the simulated A1: stepped by the arm's
 * real joint motion at the firmware's rate, snapshots published for the
 * synthetic cameras at 30 Hz.
 */
export class SimWorldHost {
  private world: TabletopWorld;
  private readonly stopCycle: () => void;
  private sinceSnapshotS = 0;

  constructor(
    private readonly chain: KinematicChain,
    private readonly firmware: SimA1Firmware,
    private readonly publish: (snapshot: WorldSnapshot) => void,
    seed = randomSeed(),
    instruction?: string,
  ) {
    this.world = new TabletopWorld(chain, seed, { instruction });
    this.stopCycle = firmware.onCycle((dtS) => this.step(dtS));
  }

  reset(seed = randomSeed(), instruction?: string): SceneSummary {
    this.world = new TabletopWorld(this.chain, seed, { instruction });
    this.publish(this.world.snapshot());
    return this.summary();
  }

  summary(): SceneSummary {
    const snapshot = this.world.snapshot();
    return {
      seed: snapshot.seed,
      instruction: snapshot.instruction,
      objects: snapshot.objects.map(({ id, kind, color, grasped, insideId, positionM, yawRad, shape }) => ({
        id,
        kind,
        color,
        grasped,
        insideId,
        positionM: [...positionM],
        yawRad,
        shape,
      })),
      table: snapshot.table,
      task: snapshot.instruction ? this.world.taskStatus() : null,
      graspEvents: this.world.graspEvents,
      distractorGrasps: this.world.distractorGrasps,
    };
  }

  stop(): void {
    this.stopCycle();
  }

  private step(dtS: number): void {
    const positions = this.firmware.arm.positionsRad();
    const gripperMm = Math.min(
      GRIPPER_MAX_STROKE_MM,
      Math.max(0, positions[ARM_JOINT_COUNT]! * DEFAULT_GRIPPER_MM_PER_RAD),
    );
    this.world.step(positions.slice(0, ARM_JOINT_COUNT), gripperMm, dtS);
    this.sinceSnapshotS += dtS;
    if (this.sinceSnapshotS >= 1 / SNAPSHOT_RATE_HZ) {
      this.sinceSnapshotS = 0;
      this.publish(this.world.snapshot());
    }
  }
}
