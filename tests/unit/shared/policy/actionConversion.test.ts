import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  AbsurdActionError,
  chunkToJointTargets,
  gripperStrokeMm,
} from '../../../../src/shared/policy/actionConversion';
import type { PackageAction } from '../../../../src/shared/policy/modelManifest';
import { A1_JOINT_LIMITS } from '../../../../src/shared/robot/a1Spec';
import { A1_HOME_Q_RAD, forwardKinematics } from '../../../../src/shared/robot/kinematics';
import { loadArmChain } from '../../../../src/main/robot/urdf/loadUrdf';

const chain = loadArmChain(path.join(__dirname, '../../../..'));
const gripper = { dim: 6, closedValue: 0, openValue: 1 };
const base = {
  chunkLength: 2,
  dims: 7,
  names: ['a', 'b', 'c', 'd', 'e', 'f', 'gripper'],
  normalization: { q01: Array(7).fill(-1), q99: Array(7).fill(1), mask: Array(7).fill(false) },
  gripper,
};
const action = (space: PackageAction['space']): PackageAction => ({ ...base, space });

describe('chunkToJointTargets', () => {
  it('ee_delta: each action moves the tool centre point by its delta, chained through the chunk', () => {
    const start = forwardKinematics(chain, A1_HOME_Q_RAD).positionM;
    const targets = chunkToJointTargets(
      chain,
      A1_HOME_Q_RAD,
      [0.01, 0, -0.005, 0, 0, 0, 1, 0.01, 0.002, 0, 0, 0, 0, 0.5],
      action('ee_delta'),
    );
    expect(targets).toHaveLength(2);
    const after1 = forwardKinematics(chain, targets[0]!.jointsRad).positionM;
    const after2 = forwardKinematics(chain, targets[1]!.jointsRad).positionM;
    expect(after1[0] - start[0]).toBeCloseTo(0.01, 3);
    expect(after1[2] - start[2]).toBeCloseTo(-0.005, 3);
    expect(after2[0] - start[0]).toBeCloseTo(0.02, 3);
    expect(after2[1] - start[1]).toBeCloseTo(0.002, 3);
    expect(targets.every((target) => !target.ikFailed)).toBe(true);
    expect(targets.map((target) => target.gripperStrokeMm)).toEqual([60, 30]);
    expect(targets[1]!.gripperMotorRad).toBeCloseTo(1, 9);
  });

  it('joint_delta adds to the joints; joint_abs takes them as they are, clamped into the limits', () => {
    const deltas = chunkToJointTargets(
      chain,
      A1_HOME_Q_RAD,
      [0.1, 0, 0, 0, 0, 0, 0, 0.1, 0, 0, 0, 0, 0, 0],
      action('joint_delta'),
    );
    expect(deltas[1]!.jointsRad[0]).toBeCloseTo(A1_HOME_Q_RAD[0]! + 0.2, 9);
    const absolute = chunkToJointTargets(chain, A1_HOME_Q_RAD, [9, 0.5, -0.5, 0, 0, 0, 0], {
      ...action('joint_abs'),
      chunkLength: 1,
    });
    expect(absolute[0]!.jointsRad[0]).toBe(A1_JOINT_LIMITS[0]!.upperRad);
    expect(absolute[0]!.jointsRad.slice(1, 3)).toEqual([0.5, -0.5]);
  });

  it('refuses a chunk with NaN or Inf outright, naming the dim', () => {
    expect(() =>
      chunkToJointTargets(
        chain,
        A1_HOME_Q_RAD,
        [0, 0, 0, 0, 0, 0, 1, 0, Number.NaN, 0, 0, 0, 0, 1],
        action('ee_delta'),
      ),
    ).toThrow(AbsurdActionError);
    expect(() => chunkToJointTargets(chain, A1_HOME_Q_RAD, [0, 0, 0, 0, 0, 0, Infinity], action('ee_delta'))).toThrow(
      /"gripper" of action 1/,
    );
  });
});

describe('gripperStrokeMm', () => {
  it('maps closed … open linearly onto 0 … 60 mm and clamps beyond', () => {
    expect(gripperStrokeMm(0, gripper)).toBe(0);
    expect(gripperStrokeMm(0.25, gripper)).toBe(15);
    expect(gripperStrokeMm(2, gripper)).toBe(60);
    expect(gripperStrokeMm(-1, gripper)).toBe(0);
    expect(gripperStrokeMm(0.2, { dim: 6, closedValue: 1, openValue: -1 })).toBeCloseTo(24, 9);
  });
});
