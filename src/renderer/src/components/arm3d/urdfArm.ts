import * as THREE from 'three';
import URDFLoader, { type URDFRobot, type URDFVisual } from 'urdf-loader';
import { fingerCentreOffsetM, missingArmJoints, urdfJointValues, type ArmPose } from './armPose';

/** 'live' draws the URDF's own colours; 'ghost' is a translucent, unlit-looking copy for a target pose. */
export type ArmVariant = 'live' | 'ghost';

const GHOST_COLOR = 0x4fb3ff;
const GHOST_OPACITY = 0.38;
/** The link carrying the finger boxes (their URDF material is the accent colour). */
const GRIPPER_LINK = 'gripper_base';
const FINGER_MATERIAL = 'coach_accent';

/** One drawn copy of the arm. */
export interface UrdfArm {
  root: URDFRobot;
  applyPose(pose: ArmPose): void;
  dispose(): void;
}

/** Thrown when the URDF lacks a joint Coach drives: the 3D view says which. */
export class UrdfJointsMissingError extends Error {}

function materialFor(source: THREE.Material, variant: ArmVariant): THREE.Material {
  if (variant === 'ghost')
    return new THREE.MeshStandardMaterial({
      color: GHOST_COLOR,
      emissive: GHOST_COLOR,
      emissiveIntensity: 0.55,
      transparent: true,
      opacity: GHOST_OPACITY,
      depthWrite: false,
      roughness: 0.6,
    });
  const color = (source as THREE.MeshPhongMaterial).color ?? new THREE.Color(0x999999);
  const accent = source.name === FINGER_MATERIAL;
  return new THREE.MeshStandardMaterial({
    color,
    roughness: accent ? 0.45 : 0.55,
    metalness: accent ? 0.05 : 0.25,
  });
}

/** The finger boxes: gripper_base's visuals drawn in the accent material. */
function fingerVisuals(robot: URDFRobot): URDFVisual[] {
  const link = robot.links[GRIPPER_LINK];
  if (!link) return [];
  return (link.children as URDFVisual[]).filter(
    (child) =>
      child.isURDFVisual === true &&
      child.urdfNode?.querySelector('material')?.getAttribute('name') === FINGER_MATERIAL,
  );
}

/**
 * Parses the URDF's text (its visuals are primitives: no meshes to fetch) into a drawable arm with its
 * own materials, so the live arm and the ghost never share one.
 */
export function createUrdfArm(urdfText: string, variant: ArmVariant): UrdfArm {
  const loader = new URDFLoader();
  loader.parseCollision = false;
  const robot = loader.parse(urdfText);
  const missing = missingArmJoints(Object.keys(robot.joints));
  if (missing.length)
    throw new UrdfJointsMissingError(
      `the arm's URDF has no joint named ${missing.join(', ')}; check resources/a1/a1.urdf`,
    );

  const materials = new Map<THREE.Material, THREE.Material>();
  const geometries = new Set<THREE.BufferGeometry>();
  robot.traverse((object) => {
    const mesh = object as THREE.Mesh;
    if (!mesh.isMesh) return;
    const source = mesh.material as THREE.Material;
    let material = materials.get(source);
    if (!material) {
      material = materialFor(source, variant);
      materials.set(source, material);
    }
    mesh.material = material;
    mesh.castShadow = variant === 'live';
    mesh.receiveShadow = variant === 'live';
    mesh.renderOrder = variant === 'ghost' ? 1 : 0;
    geometries.add(mesh.geometry);
  });

  // Each finger's side: the sign of its x in the URDF (the fingers open along the gripper's x).
  const fingers = fingerVisuals(robot).map((visual) => ({ visual, side: Math.sign(visual.position.x) || 1 }));

  return {
    root: robot,
    applyPose(pose) {
      for (const [name, value] of Object.entries(urdfJointValues(pose))) robot.joints[name]!.setJointValue(value);
      if (pose.gripperStrokeMm !== null) {
        const offsetM = fingerCentreOffsetM(pose.gripperStrokeMm);
        for (const { visual, side } of fingers) visual.position.x = side * offsetM;
      }
    },
    dispose() {
      for (const material of materials.values()) material.dispose();
      for (const geometry of geometries) geometry.dispose();
    },
  };
}
