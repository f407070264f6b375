import { describe, expect, it } from 'vitest';
import {
  ARM_JOINT_NAMES,
  fingerCentreOffsetM,
  formatPose,
  missingArmJoints,
  poseFromArmState,
  poseFromMotorRad,
  posesDiffer,
  urdfJointValues,
} from '../../../../src/renderer/src/components/arm3d/armPose';
import type { JointState } from '../../../../src/shared/arm';
import { MOTOR_NAMES } from '../../../../src/shared/robot/a1Spec';
import { armState } from '../armStateFixture';
// The same text the panel loads (a Vite ?raw import).
import urdf from '../../../../resources/a1/a1.urdf?raw';

function joint(index: number, posRad: number, name = MOTOR_NAMES[index]!): JointState {
  return { name, motorId: index + 1, posRad, velRadS: 0, tauNm: 0, lowerRad: -3, upperRad: 3, faultMask: 0 };
}

const sevenJoints = [0.1, 1.2, -1.5, 0.3, 0.9, -0.2, 1.5].map((value, index) => joint(index, value));

describe('the 3D view’s arm pose', () => {
  it('maps the shipped URDF’s joints to every arm motor (the gripper is drawn, not a joint)', () => {
    const revolute = [...urdf.matchAll(/<joint name="([^"]+)" type="revolute">/g)].map((match) => match[1]!);
    expect(ARM_JOINT_NAMES).toEqual(MOTOR_NAMES.slice(0, 6));
    expect(missingArmJoints(revolute)).toEqual([]);
    expect(revolute).toEqual([...ARM_JOINT_NAMES]);
    expect(missingArmJoints(['arm_joint1', 'arm_joint2', 'gripper_mount'])).toEqual([
      'arm_joint3',
      'arm_joint4',
      'arm_joint5',
      'arm_joint6',
    ]);
  });

  it('takes the six arm joints from arm.state by name, with the gripper stroke', () => {
    const pose = poseFromArmState(armState({ joints: sevenJoints, gripperStrokeMm: 42.5 }));
    expect(pose).toEqual({ jointsRad: [0.1, 1.2, -1.5, 0.3, 0.9, -0.2], gripperStrokeMm: 42.5 });
    expect(urdfJointValues(pose!)).toEqual({
      arm_joint1: 0.1,
      arm_joint2: 1.2,
      arm_joint3: -1.5,
      arm_joint4: 0.3,
      arm_joint5: 0.9,
      arm_joint6: -0.2,
    });
    // By name, not by position in the list.
    const shuffled = [...sevenJoints].reverse();
    expect(poseFromArmState(armState({ joints: shuffled }))!.jointsRad).toEqual([0.1, 1.2, -1.5, 0.3, 0.9, -0.2]);
  });

  it('has no pose before six joints have reported', () => {
    expect(poseFromArmState(null)).toBeNull();
    expect(poseFromArmState(armState({ joints: [] }))).toBeNull();
    expect(poseFromArmState(armState({ joints: sevenJoints.slice(0, 4) }))).toBeNull();
    expect(poseFromArmState(armState({ joints: [joint(0, Number.NaN), ...sevenJoints.slice(1)] }))).toBeNull();
  });

  it('turns seven motor targets into a pose, the gripper motor into millimetres of opening (clamped)', () => {
    expect(poseFromMotorRad([0, 1, -1, 0, 0.5, 0, 1])).toEqual({
      jointsRad: [0, 1, -1, 0, 0.5, 0],
      gripperStrokeMm: 30,
    });
    expect(poseFromMotorRad([0, 1, -1, 0, 0.5, 0, 5])!.gripperStrokeMm).toBe(60);
    expect(poseFromMotorRad([0, 1, -1, 0, 0.5, 0])!.gripperStrokeMm).toBeNull();
    expect(poseFromMotorRad([0, 1, -1])).toBeNull();
    expect(poseFromMotorRad(null)).toBeNull();
    expect(poseFromMotorRad(undefined)).toBeNull();
  });

  it('asks for a new frame only when a joint moved more than 0.1 mrad or the gripper 0.05 mm', () => {
    const pose = { jointsRad: [0, 1, -1, 0, 0.5, 0], gripperStrokeMm: 30 };
    expect(posesDiffer(pose, { ...pose })).toBe(false);
    expect(posesDiffer(pose, { ...pose, jointsRad: [0, 1 + 5e-5, -1, 0, 0.5, 0] })).toBe(false);
    expect(posesDiffer(pose, { ...pose, jointsRad: [0, 1, -1, 0, 0.5, 0.001] })).toBe(true);
    expect(posesDiffer(pose, { ...pose, gripperStrokeMm: 30.2 })).toBe(true);
    expect(posesDiffer(pose, { ...pose, gripperStrokeMm: null })).toBe(true);
    expect(posesDiffer(pose, null)).toBe(true);
    expect(posesDiffer(null, null)).toBe(false);
  });

  it('opens the fingers with the stroke: inner faces at ±stroke/2, 12 mm thick fingers', () => {
    expect(fingerCentreOffsetM(0)).toBeCloseTo(0.006, 9);
    expect(fingerCentreOffsetM(60)).toBeCloseTo(0.036, 9);
    expect(fingerCentreOffsetM(90)).toBeCloseTo(0.036, 9);
    expect(fingerCentreOffsetM(-5)).toBeCloseTo(0.006, 9);
  });

  it('writes a pose as text for the view’s data attributes', () => {
    expect(formatPose({ jointsRad: [0, 1.23456, -1, 0, 0.5, 0], gripperStrokeMm: 12.34 })).toBe(
      '0.000,1.235,-1.000,0.000,0.500,0.000,12.3',
    );
    expect(formatPose({ jointsRad: [0, 0, 0, 0, 0, 0], gripperStrokeMm: null })).toBe(
      '0.000,0.000,0.000,0.000,0.000,0.000,',
    );
    expect(formatPose(null)).toBe('');
  });
});
