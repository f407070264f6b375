import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadUrdfChain } from '../../../src/main/robot/urdf/loadUrdf';
import { A1_JOINT_LIMITS } from '../../../src/shared/robot/a1Spec';
import {
  A1_HOME_Q_RAD,
  applyEeDelta,
  armReach,
  axisAngleToMatrix,
  forwardKinematics,
  geometricJacobian,
  linkPoses,
  matrixToRotationVector,
  matrixToRpy,
  multiplyMat3,
  rotateVec3,
  rotationAngleBetweenRad,
  rotationErrorVector,
  rpyToMatrix,
  solveIk,
  type JointRange,
  type KinematicChain,
  type Pose,
} from '../../../src/shared/robot/kinematics';
import { seededRandom, uniform } from '../../helpers/prng';

const DEG = Math.PI / 180;
const TOLERANCE_M = 0.0005;
const TOLERANCE_RAD = 0.5 * DEG;
const urdfPath = path.join(__dirname, '../../../resources/a1/a1.urdf');

let chain: KinematicChain;
beforeAll(async () => {
  chain = await loadUrdfChain(urdfPath);
});

const expectVec = (actual: readonly number[], expected: readonly number[], digits = 6) =>
  expected.forEach((value, i) => expect(actual[i]).toBeCloseTo(value, digits));
/** The tool points along −y of the TCP frame. */
const toolDirection = (pose: Pose) => rotateVec3(pose.rotation, [0, -1, 0]);
const poseError = (a: Pose, b: Pose) => ({
  positionM: Math.hypot(...a.positionM.map((v, i) => v - b.positionM[i]!)),
  orientationRad: rotationAngleBetweenRad(a.rotation, b.rotation),
});
const withinLimits = (q: readonly number[], limits: readonly JointRange[] = A1_JOINT_LIMITS) =>
  q.every((value, i) => value >= limits[i]!.lowerRad - 1e-12 && value <= limits[i]!.upperRad + 1e-12);
const randomQ = (random: () => number, marginRad: number) =>
  A1_JOINT_LIMITS.map((limit) => uniform(random, limit.lowerRad + marginRad, limit.upperRad - marginRad));

describe('rotations', () => {
  it('round-trips roll, pitch, yaw through a matrix', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 500; i += 1) {
      const rpy = [uniform(random, -Math.PI, Math.PI), uniform(random, -1.5, 1.5), uniform(random, -Math.PI, Math.PI)];
      expectVec(matrixToRpy(rpyToMatrix(rpy[0]!, rpy[1]!, rpy[2]!)), rpy, 9);
    }
  });

  it('follows the URDF convention R = Rz(yaw)·Ry(pitch)·Rx(roll)', () => {
    const [roll, pitch, yaw] = [0.3, -0.7, 2.1];
    const expected = multiplyMat3(
      axisAngleToMatrix([0, 0, 1], yaw),
      multiplyMat3(axisAngleToMatrix([0, 1, 0], pitch), axisAngleToMatrix([1, 0, 0], roll)),
    );
    expectVec(rpyToMatrix(roll, pitch, yaw), expected, 12);
  });

  it('reproduces the matrix at gimbal lock', () => {
    const m = rpyToMatrix(0.4, Math.PI / 2, -1.1);
    const rpy = matrixToRpy(m);
    expectVec(rpyToMatrix(rpy[0], rpy[1], rpy[2]), m, 9);
  });

  it('round-trips rotation vectors, including angles near π', () => {
    const random = seededRandom(2);
    for (const angle of [0, 1e-9, 1e-4, 0.5, 2, 3, Math.PI - 1e-3, Math.PI - 1e-7]) {
      const axis = [uniform(random, -1, 1), uniform(random, -1, 1), uniform(random, -1, 1)];
      const m = axisAngleToMatrix(axis, angle);
      const vector = matrixToRotationVector(m);
      expectVec(axisAngleToMatrix(vector, Math.hypot(...vector)), m, 9);
    }
  });

  it('measures the rotation from current to target in the base frame', () => {
    const current = rpyToMatrix(0.2, 0.3, -0.4);
    const target = multiplyMat3(axisAngleToMatrix([0, 0, 1], 0.1), current);
    expectVec(rotationErrorVector(target, current), [0, 0, 0.1], 12);
  });
});

describe('forward kinematics', () => {
  it('puts the TCP straight ahead at the shoulder height when every joint is 0', () => {
    // x: 0.34928 upper arm + 0.07 + 0.2776 forearm + 0.1575 wrist + 0.08 gripper; y: elbow offset; z: 0.0892 + 0.0615.
    const tcp = forwardKinematics(chain, [0, 0, 0, 0, 0, 0]);
    expectVec(tcp.positionM, [0.93438, 0.02, 0.1507]);
    expectVec(toolDirection(tcp), [1, 0, 0]);
  });

  it.each([
    ['base turned +90°', [Math.PI / 2, 0, 0, 0, 0, 0], [-0.02, 0.93438, 0.1507], [0, 1, 0]],
    ['upper arm up', [0, Math.PI / 2, 0, 0, 0, 0], [0, 0.02, 1.08508], [0, 0, 1]],
    ['upper arm up, forearm level', [0, Math.PI / 2, -Math.PI / 2, 0, 0, 0], [0.5851, 0.02, 0.49998], [1, 0, 0]],
    ['wrist pitched down', [0, 0, 0, 0, Math.PI / 2, 0], [0.69688, 0.02, -0.0868], [0, 0, -1]],
  ])('matches the hand-computed TCP with %s', (_name, q, position, direction) => {
    const tcp = forwardKinematics(chain, q);
    expectVec(tcp.positionM, position);
    expectVec(toolDirection(tcp), direction);
  });

  it('draws every joint frame', () => {
    const poses = linkPoses(chain, [0, 0, 0, 0, 0, 0]);
    expect(poses.map((p) => p.linkName)).toEqual(['link1', 'link2', 'link3', 'link4', 'link5', 'link6']);
    const positions = [
      [0, 0, 0.0892],
      [0, 0, 0.1507],
      [0.34928, 0.02, 0.1507],
      [0.41928, 0.02, 0.1507],
      [0.69688, 0.02, 0.1507],
      [0.85438, 0.02, 0.1507],
    ];
    poses.forEach((p, i) => expectVec(p.pose.positionM, positions[i]!));
  });

  it('has a Jacobian that matches finite differences of FK', () => {
    const random = seededRandom(3);
    const h = 1e-6;
    for (let trial = 0; trial < 20; trial += 1) {
      const q = randomQ(random, 0.05);
      const jacobian = geometricJacobian(chain, q);
      expect(jacobian).toHaveLength(6);
      for (let j = 0; j < 6; j += 1) {
        const plus = forwardKinematics(
          chain,
          q.map((v, k) => (k === j ? v + h : v)),
        );
        const minus = forwardKinematics(
          chain,
          q.map((v, k) => (k === j ? v - h : v)),
        );
        const linear = plus.positionM.map((v, i) => (v - minus.positionM[i]!) / (2 * h));
        const angular = rotationErrorVector(plus.rotation, minus.rotation).map((v) => v / (2 * h));
        expectVec(
          jacobian.map((row) => row[j]!),
          [...linear, ...angular],
          6,
        );
      }
    }
  });

  it('has a home pose with the gripper down above the table, well inside the limits', () => {
    expect(A1_HOME_Q_RAD).toHaveLength(6);
    A1_HOME_Q_RAD.forEach((q, i) => {
      expect(q).toBeGreaterThanOrEqual(A1_JOINT_LIMITS[i]!.lowerRad + 0.25);
      expect(q).toBeLessThanOrEqual(A1_JOINT_LIMITS[i]!.upperRad - 0.25);
    });
    const tcp = forwardKinematics(chain, A1_HOME_Q_RAD);
    const [x, y, z] = tcp.positionM;
    expect(x).toBeGreaterThan(0.3);
    expect(x).toBeLessThan(0.4);
    expect(Math.abs(y)).toBeLessThan(0.05);
    expect(z).toBeGreaterThan(0.15);
    expect(z).toBeLessThan(0.3);
    expectVec(toolDirection(tcp), [0, 0, -1]);
  });
});

describe('inverse kinematics', () => {
  it('recovers FK of random configurations from a perturbed seed', () => {
    // Joints kept 0.1 rad inside A1_JOINT_LIMITS; no wrist-singularity exclusion.
    const random = seededRandom(4);
    const trials = 500;
    let solved = 0;
    const iterations: number[] = [];
    const timesMs: number[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const q = randomQ(random, 0.1);
      const target = forwardKinematics(chain, q);
      const seed = q.map((v) => v + uniform(random, -0.3, 0.3));
      const startedMs = performance.now();
      const result = solveIk(chain, target, seed, { limits: A1_JOINT_LIMITS });
      timesMs.push(performance.now() - startedMs);
      if (!result.ok) continue;
      const error = poseError(forwardKinematics(chain, result.qRad), target);
      expect(error.positionM).toBeLessThanOrEqual(TOLERANCE_M);
      expect(error.orientationRad).toBeLessThanOrEqual(TOLERANCE_RAD);
      expect(withinLimits(result.qRad)).toBe(true);
      iterations.push(result.iterations);
      solved += 1;
    }
    iterations.sort((a, b) => a - b);
    timesMs.sort((a, b) => a - b);
    console.info(
      `IK from ±0.3 rad seeds: ${solved}/${trials} solved (${((100 * solved) / trials).toFixed(1)} %), ` +
        `median ${iterations[iterations.length >> 1]} iterations (max ${iterations.at(-1)}), ` +
        `median ${(timesMs[timesMs.length >> 1]! * 1000).toFixed(0)} µs per solve`,
    );
    expect(solved / trials).toBeGreaterThanOrEqual(0.98);
  });

  it('solves small deltas from the current pose well within a control period', () => {
    // Away from the singularities, where a 5 mm / 1° nudge can need a large swing into a limit or leave the
    // workspace: the wrist (|q5| < 0.1 rad), the stretched elbow (q3 > −0.3 rad) and the shoulder (the wrist
    // centre within 5 cm of the J1 axis; it can never come closer than the 2 cm elbow offset).
    const random = seededRandom(5);
    const timesMs: number[] = [];
    let solved = 0;
    while (timesMs.length < 400) {
      const q = randomQ(random, 0.2);
      const [wristX, wristY] = linkPoses(chain, q)[4]!.pose.positionM;
      if (Math.abs(q[4]!) < 0.1 || q[2]! > -0.3 || Math.hypot(wristX, wristY) < 0.05) continue;
      const delta = {
        dxM: uniform(random, -0.005, 0.005),
        dyM: uniform(random, -0.005, 0.005),
        dzM: uniform(random, -0.005, 0.005),
        dRollRad: uniform(random, -0.02, 0.02),
        dPitchRad: uniform(random, -0.02, 0.02),
        dYawRad: uniform(random, -0.02, 0.02),
      };
      const startedMs = performance.now();
      const result = applyEeDelta(chain, q, delta, { limits: A1_JOINT_LIMITS });
      timesMs.push(performance.now() - startedMs);
      if (result.ok) solved += 1;
    }
    timesMs.sort((a, b) => a - b);
    const medianMs = timesMs[timesMs.length >> 1]!;
    console.info(
      `IK small deltas: ${solved}/400 solved, median ${(medianMs * 1000).toFixed(0)} µs, ` +
        `95th percentile ${(timesMs[Math.floor(timesMs.length * 0.95)]! * 1000).toFixed(0)} µs`,
    );
    expect(solved).toBe(400);
    expect(medianMs).toBeLessThan(1);
  });

  it('applies a Cartesian nudge (+2 cm x, +5° yaw) from the home pose', () => {
    const home = forwardKinematics(chain, A1_HOME_Q_RAD);
    const delta = { dxM: 0.02, dyM: 0, dzM: 0, dRollRad: 0, dPitchRad: 0, dYawRad: 5 * DEG };
    const result = applyEeDelta(chain, A1_HOME_Q_RAD, delta, { limits: A1_JOINT_LIMITS });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(withinLimits(result.qRad)).toBe(true);
    const expected: Pose = {
      positionM: [home.positionM[0] + 0.02, home.positionM[1], home.positionM[2]],
      rotation: multiplyMat3(rpyToMatrix(0, 0, 5 * DEG), home.rotation),
    };
    const error = poseError(forwardKinematics(chain, result.qRad), expected);
    expect(error.positionM).toBeLessThanOrEqual(TOLERANCE_M);
    expect(error.orientationRad).toBeLessThanOrEqual(TOLERANCE_RAD);
    expect(result.positionErrorM).toBeCloseTo(error.positionM, 9);
  });

  it('refuses a target beyond the reach, naming the distances', () => {
    const { shoulderM, reachM } = armReach(chain);
    expectVec(shoulderM, [0, 0, 0.1507]);
    expect(reachM).toBeCloseTo(0.935, 3);
    const target: Pose = { positionM: [2, 0, 0.1507], rotation: rpyToMatrix(0, 0, 0) };
    const result = solveIk(chain, target, A1_HOME_Q_RAD);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe("target is 2.00 m from the shoulder, beyond the arm's reach of 0.93 m");
    expect(withinLimits(result.bestQRad)).toBe(true);
  });

  it('reports the joint limits when the target needs a joint beyond the narrowed range', () => {
    const q = [...A1_HOME_Q_RAD];
    q[5] = 1.5;
    const target = forwardKinematics(chain, q);
    const limits = A1_JOINT_LIMITS.map((limit, i) => (i === 5 ? { lowerRad: -0.5, upperRad: 0.5 } : limit));
    const result = solveIk(chain, target, A1_HOME_Q_RAD, { limits });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(/^no joint solution within limits: best is \d+\.\d mm \/ \d+\.\d° from the target/);
    expect(result.reason).toContain('arm_joint6 is at its limit');
    expect(result.bestQRad[5]).toBeCloseTo(0.5, 9);
    expect(withinLimits(result.bestQRad, limits)).toBe(true);
    expect(result.orientationErrorRad).toBeGreaterThan(0.5);
  });

  it('rejects malformed input with a reason instead of throwing', () => {
    const target = forwardKinematics(chain, A1_HOME_Q_RAD);
    const short = solveIk(chain, target, [0, 1, -1]);
    expect(short).toMatchObject({ ok: false, reason: 'the seed has 3 joint angles, the arm has 6' });
    const nan = solveIk(chain, { ...target, positionM: [NaN, 0, 0] }, A1_HOME_Q_RAD);
    expect(nan).toMatchObject({ ok: false, reason: 'the target pose contains a value that is not a finite number' });
  });

  it('returns immediately when the seed already meets the target', () => {
    const target = forwardKinematics(chain, A1_HOME_Q_RAD);
    const result = solveIk(chain, target, A1_HOME_Q_RAD);
    expect(result).toMatchObject({ ok: true, iterations: 0, qRad: [...A1_HOME_Q_RAD] });
  });
});
