import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { LinkConfigInput } from '../../../src/shared/arm';
import type { RunStatus } from '../../../src/shared/policy/policyTypes';
import { linkConfigSchema } from '../../../src/shared/arm';
import { FAULT_BIT } from '../../../src/shared/robot/a1Spec';
import { TaskRunner } from '../../../src/main/runner/taskRunner';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { recordSimDemonstration } from '../../../src/main/refine/recordSimDemonstration';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import { CoachError } from '../../../src/shared/contract/errors';
import { runExpertEpisode } from '../../../src/shared/sim/world';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import type { PolicyObservation } from '../../../src/main/policy/policyRuntime';
import { GoalProgressService } from '../../../src/main/worldModel/goalProgress';
import { defaultWorldModelPath } from '../../../src/main/worldModel/pairRewardChoice';
import {
  buildTestModelPackage,
  DEFAULT_TEST_PACKAGE,
} from '../../../src/main/policy/testPackage/buildTestModelPackage';

const repoRoot = path.join(__dirname, '../../..');
const testModel = path.join(repoRoot, 'resources/models/coach-test');

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

/** A console on the simulated bench with the test model loaded, the arm up and the policy camera delivering. */
async function benchWithModel(link: LinkConfigInput = { kind: 'sim' }, model = testModel): Promise<Coach> {
  const coach = createCoach({
    dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'coach-runner-')),
    host: 'test',
    arm: { autoConnect: false },
    policy: { autoLoad: false },
  });
  coaches.push(coach);
  await coach.policy.load(model);
  await coach.arm.connect(linkConfigSchema.parse(link));
  coach.cameras.addSimCameras();
  await until(() => {
    try {
      coach.cameras.policyFrame();
      return coach.arm.state().link?.state === 'up';
    } catch {
      return false;
    }
  }, 8000);
  return coach;
}

/** The console's cameras, with one of them (the policy camera, or another by name) stale until `staleUntilMs`. */
function laggingCameras(coach: Coach, camera: 'policy' | string, message: string) {
  const lag = { staleUntilMs: 0 };
  const stale = () => {
    if (Date.now() < lag.staleUntilMs) throw new CoachError('stale_frame', message);
  };
  const cameras = {
    get policyCameraName() {
      return coach.cameras.policyCameraName;
    },
    policyFrame(maxAgeMs?: number) {
      if (camera === 'policy') stale();
      return coach.cameras.policyFrame(maxAgeMs);
    },
    cameraFrame(name: string, maxAgeMs?: number) {
      if (name === camera) stale();
      return coach.cameras.cameraFrame(name, maxAgeMs);
    },
  };
  return { cameras, lag };
}

/**
 * Stale for 300 ms: the attempt waits and runs. Stale for good: refused before anything moves, after the
 * grace, with the camera's error.
 */
async function expectGraceThenRefusal(
  coach: Coach,
  { cameras, lag }: ReturnType<typeof laggingCameras>,
  reason: RegExp,
): Promise<void> {
  const runner = new TaskRunner(coach.arm, cameras, coach.policy, loadArmChain(repoRoot));
  try {
    lag.staleUntilMs = Date.now() + 300;
    runner.start('put the grape in the plate', { maxStrokes: 1, seed: 2 });
    expect(await runner.finished()).toMatchObject({ outcome: 'max_strokes', strokes: 1 });

    lag.staleUntilMs = Infinity;
    runner.start('put the grape in the plate', { maxStrokes: 1, seed: 3 });
    const final = await runner.finished();
    expect(final).toMatchObject({ outcome: 'refused', actionsSent: 0 });
    expect(final.reason).toMatch(reason);
    expect(final.elapsedS).toBeGreaterThanOrEqual(0.9);
  } finally {
    runner.close();
  }
}

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Resolves with the first status the predicate accepts (the listener runs synchronously on publish). */
function whenStatus(coach: Coach, accept: (status: RunStatus) => boolean, act?: () => void): Promise<RunStatus> {
  return new Promise((resolve) => {
    const stop = coach.runner.statusTopic.subscribe((status) => {
      if (!accept(status)) return;
      queueMicrotask(() => stop());
      act?.();
      resolve(status);
    });
  });
}

describe('TaskRunner', () => {
  it('runs chunk after chunk through the governor and ends at max strokes with its counts', async () => {
    const coach = await benchWithModel();
    const seen = new Set<string>();
    coach.runner.statusTopic.subscribe((status) => seen.add(status.phase));
    let lastTargetRad: number[] | null = null;
    coach.runner.stepTopic.subscribe((step) => (lastTargetRad = step.jointTargetRad));
    const started = coach.runner.start('put the grape in the plate', { maxStrokes: 3, seed: 7 });
    expect(started.phase).toBe('starting');
    expect(() => coach.runner.start('pick up the orange')).toThrow(/an attempt is running/);
    const final = await coach.runner.finished();
    expect(final.reason).toMatch(/3 strokes/);
    expect(final).toMatchObject({ phase: 'finished', outcome: 'max_strokes', strokes: 3, actionsSent: 15, seed: 7 });
    expect(final.reason).toMatch(/3 strokes/);
    expect([...seen]).toEqual(expect.arrayContaining(['starting', 'inferring', 'executing', 'finished']));
    expect(final.lastInferenceMs).toBeGreaterThan(0);
    expect(final.lastChunk).toHaveLength(5);
    expect(final.lastChunk!.every((row) => row.length === 7 && row.every(Number.isFinite))).toBe(true);
    // The 3D view's ghost: where the last chunk ends, i.e. the last joint target sent (6 joints + gripper motor).
    expect(final.chunkTargetRad).toHaveLength(7);
    expect(final.chunkTargetRad).toEqual(lastTargetRad);
    // The scene camera is simulated, so the predicted path is projected onto it: now + 5 actions.
    expect(final.overlay).toMatchObject({ camera: 'scene', widthPx: 640, heightPx: 480 });
    expect(final.overlay!.pointsPx).toHaveLength(6);
    // The sim laid out the typed task's scene and reports its check.
    expect((await coach.arm.sceneSummary())?.instruction).toBe('put the grape in the plate');
    expect(final.task).toEqual({ success: false, reason: expect.any(String) });
    // It really moved the arm (untrained, but its actions are not all zero) and left the motors enabled.
    expect(coach.arm.state().enabled).toBe(true);
  });

  it('with overlapInference, infers the next chunk while the last action of the current one runs', async () => {
    const coach = await benchWithModel();
    // The real policy service, with a note of how many actions had gone out when each inference began.
    const sentAtInference: number[] = [];
    let runner: TaskRunner | null = null;
    const policy = {
      info: () => coach.policy.info(),
      infer: (...args: Parameters<Coach['policy']['infer']>) => {
        sentAtInference.push(runner!.status().actionsSent);
        return coach.policy.infer(...args);
      },
    };
    runner = new TaskRunner(coach.arm, coach.cameras, policy, loadArmChain(repoRoot));
    runner.start('pick up the orange', { maxStrokes: 3, seed: 2, overlapInference: true });
    const final = await runner.finished();
    runner.close();
    expect(final).toMatchObject({ outcome: 'max_strokes', strokes: 3, actionsSent: 15 });
    // The first chunk is inferred before anything moves; the next ones while the 5th action of a chunk is sent.
    expect(sentAtInference.slice(0, 3)).toEqual([0, 4, 9]);
  });

  it('ends as a success when the sim reports the task done (the expert trajectory replayed as joint_abs chunks)', async () => {
    const coach = await benchWithModel();
    const instruction = 'pick up the orange';
    const seed = 21;
    const expert = runExpertEpisode(loadArmChain(repoRoot), seed, { instruction });
    expect(expert.success).toBe(true);
    // The kinematic expert closes the gripper in 2 steps; the real gripper (1 rad/s cap) needs ~2 s, so the
    // replay waits there, as a policy trained on the real arm would.
    const actions: number[][] = [];
    expert.jointTrajectoryRad.forEach((q, i) => {
      const gripper = expert.actions[i]![6];
      const changed = i > 0 && gripper !== expert.actions[i - 1]![6];
      for (let k = 0; k < (changed ? 20 : 1); k += 1) actions.push([...q, gripper]);
    });
    const info = coach.policy.info()!;
    const replayInfo = {
      ...info,
      name: 'expert replay',
      actionSpace: 'joint_abs' as const,
      manifest: {
        ...info.manifest,
        action: {
          space: 'joint_abs',
          chunkLength: 5,
          dims: 7,
          names: ['j1', 'j2', 'j3', 'j4', 'j5', 'j6', 'gripper'],
          normalization: { q01: Array(7).fill(-1), q99: Array(7).fill(1), mask: Array(7).fill(false) },
          gripper: { dim: 6, closedValue: 0, openValue: 1 },
        },
      },
    };
    let next = 0;
    const replay = {
      info: () => replayInfo,
      infer: async () => {
        const chunk = Array.from({ length: 5 }, () => actions[Math.min(next++, actions.length - 1)]!).flat();
        const values = Float32Array.from(chunk);
        const timings = { preprocessMs: 0, prefixMs: 0, expertMs: 0, sessionMs: 0, totalMs: 0.1 };
        return { candidates: 1, chunkLength: 5, dims: 7, normalized: values, actions: values, timings };
      },
    };
    await coach.arm.resetScene({ instruction, seed });
    const runner = new TaskRunner(coach.arm, coach.cameras, replay, loadArmChain(repoRoot));
    runner.start(instruction, { maxStrokes: 200, timeoutS: 60 });
    const final = await runner.finished();
    runner.close();
    expect(final.outcome, final.reason ?? '').toBe('success');
    expect(final.task?.success).toBe(true);
    expect(final.strokes).toBeLessThan(Math.ceil(actions.length / 5) + 2);
    expect((await coach.arm.sceneSummary())?.task?.success).toBe(true);
  }, 60_000);

  it("an instruction the sim has no check for is never judged by the scene's own task", async () => {
    const coach = await benchWithModel();
    // A scene whose task the arm cannot fail to leave unjudged: its own check is irrelevant to "wave".
    await coach.arm.resetScene({ instruction: 'pick up the orange', seed: 4 });
    coach.runner.start('wave at the camera', { maxStrokes: 2, seed: 1 });
    const final = await coach.runner.finished();
    expect(final).toMatchObject({ outcome: 'max_strokes', strokes: 2, task: null });
    expect((await coach.arm.sceneSummary())?.instruction).toBe('pick up the orange');
  });

  it('gives a lagging policy camera a moment to deliver a fresh frame, and names it when it stays stale', async () => {
    const coach = await benchWithModel();
    await expectGraceThenRefusal(
      coach,
      laggingCameras(
        coach,
        'policy',
        'the policy camera "scene" last delivered a picture 700 ms ago; check the camera',
      ),
      /the policy camera "scene" last delivered a picture/,
    );
  });

  it('ends as a timeout', async () => {
    const coach = await benchWithModel();
    coach.runner.start('pick up the orange', { timeoutS: 1, seed: 1 });
    const final = await coach.runner.finished();
    expect(final.outcome).toBe('timeout');
    expect(final.reason).toMatch(/within 1 s/);
    expect(final.elapsedS).toBeGreaterThanOrEqual(1);
    expect(final.elapsedS).toBeLessThan(2);
  });

  it('Stop (hold) during an inference ends the attempt at once and nothing of that chunk is sent', async () => {
    const coach = await benchWithModel();
    const stopped = whenStatus(
      coach,
      (status) => status.phase === 'inferring' && status.strokes === 1,
      () => void coach.runner.stop(),
    );
    coach.runner.start('put the grape in the plate', { seed: 3 });
    const atStop = await stopped;
    const final = await coach.runner.finished();
    expect(final).toMatchObject({ outcome: 'stopped', reason: 'Stop (hold) pressed', strokes: 1 });
    expect(final.actionsSent).toBe(atStop.actionsSent);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(coach.runner.status().actionsSent).toBe(atStop.actionsSent);
    expect(coach.arm.state().governor).toMatchObject({ holdLatched: true, holdReason: 'Stop (hold) pressed' });
  });

  it('Stop (hold) while a chunk executes stops sending its remaining actions', async () => {
    const coach = await benchWithModel();
    const stopped = whenStatus(
      coach,
      (status) => status.phase === 'executing' && status.actionsSent === 2,
      () =>
        void coach.arm.hold('Stop (hold) pressed').then(() => coach.runner.endNow('stopped', 'Stop (hold) pressed')),
    );
    coach.runner.start('put the grape in the plate', { seed: 4 });
    await stopped;
    const final = await coach.runner.finished();
    expect(final.outcome).toBe('stopped');
    expect(final.strokes).toBe(0);
    expect(final.actionsSent).toBeLessThanOrEqual(3);
    expect(coach.arm.state().governor.holdLatched).toBe(true);
    await expect(coach.arm.move([0, null, null, null, null, null, null])).rejects.toThrow(/hold/i);
  });

  it('a hold from anywhere (the arm panel, a fault) ends the attempt; a held arm refuses the next one', async () => {
    const coach = await benchWithModel();
    const executing = whenStatus(coach, (status) => status.phase === 'executing');
    coach.runner.start('pick up the orange', { seed: 5 });
    await executing;
    await coach.arm.sim({ kind: 'faultBits', motorId: 3, bits: 1 << FAULT_BIT.overcurrent });
    const final = await coach.runner.finished();
    expect(final.outcome).toBe('fault');
    expect(final.reason).toMatch(/arm_joint3.*overcurrent/);
    coach.runner.start('pick up the orange');
    const refused = await coach.runner.finished();
    expect(refused.outcome).toBe('fault');
    expect(refused.reason).toMatch(/clear it first/);
  });

  it('refuses to start without a model, and names what to do', async () => {
    const coach = await benchWithModel();
    await coach.policy.unload();
    expect(() => coach.runner.start('pick up the orange')).toThrow(/no model package is loaded/);
  });

  it('runs a whole attempt through the real serial code path (socat pty) and the real ONNX session', async () => {
    const coach = await benchWithModel({ kind: 'sim', transport: 'pty' });
    const before = coach.arm.state().joints.map((joint) => joint.posRad);
    coach.runner.start('move the soda bottle near the cube', { maxStrokes: 4, seed: 11 });
    const final = await coach.runner.finished();
    expect(final).toMatchObject({ outcome: 'max_strokes', strokes: 4, actionsSent: 20 });
    expect(coach.arm.state().link?.description).toMatch(/socat pty/);
    const after = coach.arm.state().joints.map((joint) => joint.posRad);
    const moved = Math.max(...after.slice(0, 6).map((value, i) => Math.abs(value - before[i]!)));
    expect(moved).toBeGreaterThan(1e-3);
  });
});

describe('TaskRunner with a package that takes a scene and a wrist camera', () => {
  let wristPackage: string;
  beforeAll(async () => {
    wristPackage = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-runner-wrist-'));
    await buildTestModelPackage(wristPackage, {
      ...DEFAULT_TEST_PACKAGE,
      name: 'coach-test-wrist',
      moreCameras: [{ name: 'wrist', widthPx: 96, heightPx: 72 }],
    });
  });

  /** The real policy service, noting the images of each observation it is given. */
  function notingPolicy(coach: Coach, seen: PolicyObservation['images'][]) {
    return {
      info: () => coach.policy.info(),
      infer: (...[observation, options]: Parameters<Coach['policy']['infer']>) => {
        seen.push(observation.images);
        return coach.policy.infer(observation, options);
      },
    };
  }

  it("feeds the policy camera's picture and the wrist camera's, each at the package's size, without decoding", async () => {
    const coach = await benchWithModel({ kind: 'sim' }, wristPackage);
    const seen: PolicyObservation['images'][] = [];
    const runner = new TaskRunner(coach.arm, coach.cameras, notingPolicy(coach, seen), loadArmChain(repoRoot));
    runner.start('pick up the orange', { maxStrokes: 2, seed: 3 });
    const final = await runner.finished();
    runner.close();
    expect(final).toMatchObject({ outcome: 'max_strokes', strokes: 2, actionsSent: 10 });
    expect(seen).toHaveLength(2);
    for (const images of seen) {
      expect(Object.keys(images).sort()).toEqual(['scene', 'wrist']);
      // The sim cameras' RGB copies: the scene camera's at 224 × 224, the wrist camera's at 96 × 72.
      expect(images.scene).toMatchObject({ format: 'rgb24', widthPx: 224, heightPx: 224 });
      expect(images.scene!.data).toHaveLength(224 * 224 * 3);
      expect(images.wrist).toMatchObject({ format: 'rgb24', widthPx: 96, heightPx: 72 });
      expect(images.wrist!.data).toHaveLength(96 * 72 * 3);
    }
    // The chunk overlay stays on the policy camera.
    expect(final.overlay).toMatchObject({ camera: 'scene' });
  });

  it('refuses the attempt before the arm moves when the console has no camera of that name, and says what to do', async () => {
    const coach = await benchWithModel({ kind: 'sim' }, wristPackage);
    await coach.cameras.remove('wrist');
    await coach.arm.resetScene({ instruction: 'pick up the orange', seed: 4 });
    const enabledBefore = coach.arm.state().enabled;
    const seen: PolicyObservation['images'][] = [];
    const runner = new TaskRunner(coach.arm, coach.cameras, notingPolicy(coach, seen), loadArmChain(repoRoot));
    runner.start('put the grape in the plate', { maxStrokes: 2, seed: 5 });
    const final = await runner.finished();
    runner.close();
    expect(final).toMatchObject({
      outcome: 'refused',
      reason:
        'the policy takes a "wrist" camera and the console has none; add a camera named "wrist" (the simulated bench has one)',
      strokes: 0,
      actionsSent: 0,
    });
    // Checked first: no inference, the motors not switched on, the scene not laid out for the typed task.
    expect(seen).toHaveLength(0);
    expect(coach.arm.state().enabled).toBe(enabledBefore);
    expect((await coach.arm.sceneSummary())?.instruction).toBe('pick up the orange');
  });

  it('gives a lagging wrist camera the same moment as the policy camera, and names it when it stays stale', async () => {
    const coach = await benchWithModel({ kind: 'sim' }, wristPackage);
    await expectGraceThenRefusal(
      coach,
      laggingCameras(coach, 'wrist', 'the camera "wrist" last delivered a picture 700 ms ago; check the camera'),
      /the camera "wrist" last delivered a picture/,
    );
  });
});

describe("the world model's progress readings", () => {
  it('say why there are none before a success of the task, then read each chunk against that success’s goal frame', async () => {
    const coach = await benchWithModel();
    const readings: NonNullable<RunStatus['goalProgress']>[] = [];
    coach.runner.statusTopic.subscribe((status) => status.goalProgress && readings.push(status.goalProgress));
    coach.runner.start('pick up the orange', { maxStrokes: 2, seed: 7 });
    expect((await coach.runner.finished()).outcome).toBe('max_strokes');
    await until(() => readings.length > 0, 5000);
    expect(readings.at(-1)).toEqual({
      state: 'off',
      reason: expect.stringMatching(/no successful attempt of "pick up the orange"/),
    });

    // A success of a task (the scripted expert, recorded as an attempt) gives that task its goal frame.
    const loaded = await loadPackagePolicy(testModel);
    const demoId = await recordSimDemonstration(loadArmChain(repoRoot), loaded.policy, coach.episodes, {
      template: 'put_in',
      seed: sceneSeed('train', 'put_in', 1000),
    }).finally(() => loaded.release());
    expect(demoId).not.toBeNull();
    readings.length = 0;
    coach.runner.start(coach.episodes.catalog.get(demoId!).instruction, { maxStrokes: 4, seed: 7 });
    await coach.runner.finished();
    await until(() => readings.some((reading) => reading.state === 'on'), 10_000);
    const on = readings.filter((reading) => reading.state === 'on');
    for (const reading of on) {
      expect(reading).toMatchObject({
        worldModel: expect.stringMatching(/^coach-wm /),
        goal: { episodeId: demoId, camera: 'scene' },
      });
      expect(reading.fraction).toBeGreaterThanOrEqual(0);
      expect(reading.fraction).toBeLessThanOrEqual(1);
      expect(reading.energy).toBeGreaterThan(0);
      // coach-test acts in ee_delta chunks of 5, as coach-wm's predictor takes: it reads the chunk's outcome too.
      expect(reading.predictedFraction).not.toBeNull();
    }
    // The first reading is where the attempt starts: no way made yet.
    expect(on[0]!.fraction).toBe(0);
  }, 60_000);

  it('reads the last chunk of an attempt that ended before its tracker was ready', async () => {
    const coach = await benchWithModel();
    const loaded = await loadPackagePolicy(testModel);
    const demoId = await recordSimDemonstration(loadArmChain(repoRoot), loaded.policy, coach.episodes, {
      template: 'put_in',
      seed: sceneSeed('train', 'put_in', 1000),
    }).finally(() => loaded.release());
    // The world model's tracker gets ready only once the one-stroke attempt has finished.
    const service = new GoalProgressService(coach.episodes, () => defaultWorldModelPath(repoRoot));
    coach.runner.setProgress({
      start: async (instruction) => {
        await coach.runner.finished();
        return service.start(instruction);
      },
    });
    const readings: NonNullable<RunStatus['goalProgress']>[] = [];
    coach.runner.statusTopic.subscribe((status) => status.goalProgress && readings.push(status.goalProgress));
    coach.runner.start(coach.episodes.catalog.get(demoId!).instruction, { maxStrokes: 1, seed: 7 });
    expect((await coach.runner.finished()).strokes).toBe(1);
    await until(() => readings.length > 0, 10_000).finally(() => service.close());
    expect(readings[0]).toMatchObject({ state: 'on', fraction: 0, goal: { episodeId: demoId } });
  }, 60_000);
});
