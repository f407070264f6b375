import { describe, expect, it } from 'vitest';
import {
  halfHeightM,
  objectPlacements,
  placementsKey,
} from '../../../../src/renderer/src/components/arm3d/objectPlacement';
import type { SceneSummary } from '../../../../src/shared/sim/sceneSummary';

const table = { sizeM: [0.8, 1] as [number, number], centerM: [0.35, 0] as [number, number], color: '#b08a5e' };

function scene(objects: SceneSummary['objects']): SceneSummary {
  return {
    seed: 7,
    instruction: 'put the grape in the plate',
    objects,
    task: null,
    graspEvents: 0,
    distractorGrasps: 0,
    table,
  };
}

const grape: SceneSummary['objects'][number] = {
  id: 'grape-1',
  kind: 'grape',
  color: '#5b2a86',
  grasped: false,
  insideId: null,
  positionM: [0.3, 0.1, 0],
  yawRad: 0,
  shape: { type: 'sphere', radiusM: 0.011 },
};

describe('placing the sim’s objects in the 3D view', () => {
  it('centres each shape above the bottom centre the sim reports', () => {
    expect(halfHeightM({ type: 'sphere', radiusM: 0.011 })).toBe(0.011);
    expect(halfHeightM({ type: 'cylinder', radiusM: 0.027, heightM: 0.12 })).toBeCloseTo(0.06, 12);
    expect(halfHeightM({ type: 'dish', radiusM: 0.11, heightM: 0.02 })).toBeCloseTo(0.01, 12);
    expect(halfHeightM({ type: 'box', sizeM: [0.04, 0.04, 0.04] })).toBeCloseTo(0.02, 12);
    expect(halfHeightM({ type: 'ellipsoid', radiiM: [0.045, 0.0175, 0.0175] })).toBe(0.0175);
  });

  it('places objects in the base frame with their colour, yaw and grasp', () => {
    const bottle = {
      ...grape,
      id: 'soda_bottle-2',
      kind: 'soda_bottle' as const,
      color: '#c8102e',
      positionM: [0.4, -0.2, 0.006] as [number, number, number],
      yawRad: 0.7,
      grasped: true,
      shape: { type: 'cylinder' as const, radiusM: 0.027, heightM: 0.12 },
    };
    const placements = objectPlacements(scene([grape, bottle]));
    expect(placements).toHaveLength(2);
    expect(placements[0]).toMatchObject({ id: 'grape-1', color: '#5b2a86', yawRad: 0, grasped: false });
    expect(placements[0]!.centreM).toEqual([0.3, 0.1, 0.011]);
    expect(placements[1]).toMatchObject({ id: 'soda_bottle-2', yawRad: 0.7, grasped: true });
    expect(placements[1]!.centreM[2]).toBeCloseTo(0.066, 12);
  });

  it('leaves out objects without a position or shape (an older main process), and draws nothing without a scene', () => {
    const { positionM: _position, ...noPosition } = grape;
    const { shape: _shape, ...noShape } = grape;
    expect(objectPlacements(scene([noPosition, noShape]))).toEqual([]);
    expect(objectPlacements(null)).toEqual([]);
  });

  it('keys the drawn scene so an unchanged poll draws nothing and a moved object does', () => {
    const key = placementsKey(objectPlacements(scene([grape])), table);
    expect(placementsKey(objectPlacements(scene([{ ...grape }])), table)).toBe(key);
    const moved = { ...grape, positionM: [0.31, 0.1, 0] as [number, number, number] };
    expect(placementsKey(objectPlacements(scene([moved])), table)).not.toBe(key);
    expect(placementsKey(objectPlacements(scene([grape])), null)).not.toBe(key);
  });
});
