import type { SceneSummary } from '../../../../shared/sim/sceneSummary';
import { ArmScene } from './armScene';
import { formatPose, posesDiffer, type ArmPose } from './armPose';
import { objectPlacements, placementsKey } from './objectPlacement';
import { SimObjectMeshes } from './simObjectMeshes';
import { createUrdfArm, type UrdfArm } from './urdfArm';

/**
 * The 3D arm view: the live arm from the URDF, a translucent ghost at the current chunk's target, and
 * the sim's table and objects. What was last drawn is written on an element (data-joints,
 * data-ghost, data-objects, data-frames) so tests and people can read it.
 */
export class Arm3dView {
  private readonly stage: ArmScene;
  private readonly live: UrdfArm;
  private readonly ghost: UrdfArm;
  private readonly objects = new SimObjectMeshes();
  private livePose: ArmPose | null = null;
  private ghostPose: ArmPose | null = null;
  private sceneKey = '';

  /** The canvas goes into `canvasHost` (and follows its size); what was drawn is written on `dataTarget`. */
  constructor(
    canvasHost: HTMLElement,
    private readonly dataTarget: HTMLElement,
    urdfText: string,
  ) {
    this.live = createUrdfArm(urdfText, 'live');
    this.ghost = createUrdfArm(urdfText, 'ghost');
    this.stage = new ArmScene(canvasHost);
    this.ghost.root.visible = false;
    this.live.root.visible = false;
    this.stage.scene.add(this.objects.group, this.live.root, this.ghost.root);
    this.stage.onRendered = (frames) => this.publish(frames);
    this.stage.requestRender();
  }

  setLivePose(pose: ArmPose | null): void {
    if (!posesDiffer(this.livePose, pose)) return;
    this.livePose = pose;
    this.live.root.visible = pose !== null;
    if (pose) this.live.applyPose(pose);
    this.stage.requestRender();
  }

  setGhostPose(pose: ArmPose | null): void {
    if (!posesDiffer(this.ghostPose, pose)) return;
    this.ghostPose = pose;
    this.ghost.root.visible = pose !== null;
    if (pose) this.ghost.applyPose(pose);
    this.stage.requestRender();
  }

  /** The sim's scene; null when the link is not the sim (no table, no objects). */
  setScene(scene: SceneSummary | null): void {
    const placements = objectPlacements(scene);
    const table = scene?.table ?? null;
    const key = placementsKey(placements, table);
    if (key === this.sceneKey) return;
    this.sceneKey = key;
    this.objects.setTable(table);
    this.objects.setObjects(placements);
    this.stage.requestRender();
  }

  resetView(): void {
    this.stage.resetView();
  }

  setVisible(visible: boolean): void {
    this.stage.setVisible(visible);
  }

  dispose(): void {
    this.stage.dispose();
    this.objects.dispose();
    this.live.dispose();
    this.ghost.dispose();
  }

  private publish(frames: number): void {
    const data = this.dataTarget.dataset;
    data.joints = formatPose(this.live.root.visible ? this.livePose : null);
    data.ghost = this.ghost.root.visible ? formatPose(this.ghostPose) : '';
    data.objects = String(this.objects.objectCount);
    data.frames = String(frames);
  }
}
