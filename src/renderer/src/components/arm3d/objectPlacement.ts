import type { SceneSummary } from '../../../../shared/sim/sceneSummary';

type SceneObject = SceneSummary['objects'][number];
export type ObjectShape = NonNullable<SceneObject['shape']>;

/** One sim object as the 3D view places it: the shape's centre (not its bottom), base frame, metres. */
export interface ObjectPlacement {
  id: string;
  kind: SceneObject['kind'];
  color: string;
  shape: ObjectShape;
  centreM: [number, number, number];
  yawRad: number;
  grasped: boolean;
}

/** Half the shape's height: how far its centre sits above the bottom the sim reports. */
export function halfHeightM(shape: ObjectShape): number {
  switch (shape.type) {
    case 'sphere':
      return shape.radiusM;
    case 'cylinder':
    case 'dish':
      return shape.heightM / 2;
    case 'box':
      return shape.sizeM[2] / 2;
    case 'ellipsoid':
      return shape.radiiM[2];
  }
}

/** Where to draw each object; objects without a position or shape (an older main process) are left out. */
export function objectPlacements(scene: SceneSummary | null): ObjectPlacement[] {
  if (!scene) return [];
  const placements: ObjectPlacement[] = [];
  for (const object of scene.objects) {
    if (!object.positionM || !object.shape) continue;
    const [x, y, z] = object.positionM;
    placements.push({
      id: object.id,
      kind: object.kind,
      color: object.color,
      shape: object.shape,
      centreM: [x, y, z + halfHeightM(object.shape)],
      yawRad: object.yawRad ?? 0,
      grasped: object.grasped,
    });
  }
  return placements;
}

/** A key that changes when anything drawn of the scene changes (so an unchanged poll draws nothing). */
export function placementsKey(placements: readonly ObjectPlacement[], table: SceneSummary['table'] | null): string {
  const objects = placements.map(
    (p) => `${p.id}:${p.color}:${p.centreM.map((v) => v.toFixed(4)).join('/')}:${p.yawRad.toFixed(3)}`,
  );
  const tableKey = table ? `${table.sizeM.join('x')}@${table.centerM.join(',')}:${table.color}` : 'no-table';
  return `${tableKey}|${objects.join(';')}`;
}
