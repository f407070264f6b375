import { OBJECT_KINDS, type ObjectKind, type ObjectShape, type WorldObject } from '../worldTypes';

/**
 * The seven object kinds at lab-bench sizes. Two are deliberately narrower than the real thing
 * so the A1's 60 mm gripper can hold them: the soda bottle (a real 500 ml bottle is ~66 mm across)
 * and the orange (a real one is ~76 mm; this one is mandarin-sized).
 */
export interface ObjectSpec {
  kind: ObjectKind;
  /** How instructions name it. */
  name: string;
  shape: ObjectShape;
  /** Default colours; the scene generator picks one and jitters it. */
  colors: readonly string[];
  isContainer: boolean;
  isGraspable: boolean;
  /** How far (horizontally) the TCP may be from the object's axis for a closing gripper to catch it. */
  graspZoneRadiusM: number;
  /** Containers: height of the floor objects rest on, above the container's bottom. */
  floorHeightM: number;
}

export const OBJECT_CATALOG: Readonly<Record<ObjectKind, ObjectSpec>> = {
  grape: {
    kind: 'grape',
    name: 'grape',
    shape: { type: 'sphere', radiusM: 0.011 },
    colors: ['#5b2a86', '#8fb83e'],
    isContainer: false,
    isGraspable: true,
    graspZoneRadiusM: 0.012,
    floorHeightM: 0,
  },
  plate: {
    kind: 'plate',
    name: 'plate',
    shape: { type: 'dish', radiusM: 0.11, heightM: 0.02 },
    colors: ['#f4f3ee', '#e9eef2'],
    isContainer: true,
    isGraspable: false,
    graspZoneRadiusM: 0,
    floorHeightM: 0.006,
  },
  eggplant: {
    kind: 'eggplant',
    name: 'eggplant',
    shape: { type: 'ellipsoid', radiiM: [0.045, 0.0175, 0.0175] },
    colors: ['#4a1e5a'],
    isContainer: false,
    isGraspable: true,
    graspZoneRadiusM: 0.02,
    floorHeightM: 0,
  },
  orange: {
    kind: 'orange',
    name: 'orange',
    shape: { type: 'sphere', radiusM: 0.028 },
    colors: ['#f08a1c'],
    isContainer: false,
    isGraspable: true,
    graspZoneRadiusM: 0.018,
    floorHeightM: 0,
  },
  soda_bottle: {
    kind: 'soda_bottle',
    name: 'soda bottle',
    shape: { type: 'cylinder', radiusM: 0.027, heightM: 0.12 },
    colors: ['#c8102e', '#2e7d4f'],
    isContainer: false,
    isGraspable: true,
    graspZoneRadiusM: 0.018,
    floorHeightM: 0,
  },
  cube: {
    kind: 'cube',
    name: 'cube',
    shape: { type: 'box', sizeM: [0.04, 0.04, 0.04] },
    colors: ['#d62f2f', '#2f6fd6', '#e8c31e', '#2fa84f'],
    isContainer: false,
    isGraspable: true,
    graspZoneRadiusM: 0.015,
    floorHeightM: 0,
  },
  bowl: {
    kind: 'bowl',
    name: 'bowl',
    shape: { type: 'dish', radiusM: 0.08, heightM: 0.06 },
    colors: ['#3a7bd5', '#e6dfcf'],
    isContainer: true,
    isGraspable: false,
    graspZoneRadiusM: 0,
    floorHeightM: 0.01,
  },
};

export const GRASPABLE_KINDS: readonly ObjectKind[] = OBJECT_KINDS.filter((kind) => OBJECT_CATALOG[kind].isGraspable);
export const CONTAINER_KINDS: readonly ObjectKind[] = OBJECT_KINDS.filter((kind) => OBJECT_CATALOG[kind].isContainer);

export function objectHeightM(shape: ObjectShape): number {
  switch (shape.type) {
    case 'sphere':
      return 2 * shape.radiusM;
    case 'cylinder':
    case 'dish':
      return shape.heightM;
    case 'box':
      return shape.sizeM[2];
    case 'ellipsoid':
      return 2 * shape.radiiM[2];
  }
}

/** Radius of a circle around the object's axis that covers its footprint, whatever its yaw. */
export function footprintRadiusM(shape: ObjectShape): number {
  switch (shape.type) {
    case 'sphere':
    case 'cylinder':
    case 'dish':
      return shape.radiusM;
    case 'box':
      return Math.hypot(shape.sizeM[0], shape.sizeM[1]) / 2;
    case 'ellipsoid':
      return Math.max(shape.radiiM[0], shape.radiiM[1]);
  }
}

/** The object's extent along a horizontal direction (unit vector [x, y]): what the fingers must span. */
export function widthAlongM(
  object: Pick<WorldObject, 'shape' | 'yawRad'>,
  directionXY: readonly [number, number],
): number {
  const { shape } = object;
  // Components of the direction along the object's own horizontal axes.
  const along = directionXY[0] * Math.cos(object.yawRad) + directionXY[1] * Math.sin(object.yawRad);
  const across = -directionXY[0] * Math.sin(object.yawRad) + directionXY[1] * Math.cos(object.yawRad);
  switch (shape.type) {
    case 'sphere':
    case 'cylinder':
    case 'dish':
      return 2 * shape.radiusM;
    case 'box':
      return Math.abs(along) * shape.sizeM[0] + Math.abs(across) * shape.sizeM[1];
    case 'ellipsoid':
      return 2 * Math.hypot(shape.radiiM[0] * along, shape.radiiM[1] * across);
  }
}

/**
 * The finger directions (yaw of the finger axis) that give the narrowest grasp: yawRad plus any
 * multiple of periodRad. Null when every direction is as good (round objects).
 */
export function narrowestGraspYaw(
  object: Pick<WorldObject, 'shape' | 'yawRad'>,
): { yawRad: number; periodRad: number } | null {
  const { shape } = object;
  switch (shape.type) {
    case 'sphere':
    case 'cylinder':
    case 'dish':
      return null;
    case 'box': {
      const [sizeX, sizeY] = shape.sizeM;
      if (Math.abs(sizeX - sizeY) < 1e-9) return { yawRad: object.yawRad, periodRad: Math.PI / 2 };
      return { yawRad: sizeX < sizeY ? object.yawRad : object.yawRad + Math.PI / 2, periodRad: Math.PI };
    }
    case 'ellipsoid': {
      const [radiusX, radiusY] = shape.radiiM;
      return { yawRad: radiusX <= radiusY ? object.yawRad : object.yawRad + Math.PI / 2, periodRad: Math.PI };
    }
  }
}

/** "soda bottle" → soda_bottle; also accepts the kind itself. */
export function kindFromName(name: string): ObjectKind | null {
  const normalised = name
    .trim()
    .toLowerCase()
    .replace(/[_\s]+/g, ' ');
  return OBJECT_KINDS.find((kind) => OBJECT_CATALOG[kind].name === normalised) ?? null;
}
