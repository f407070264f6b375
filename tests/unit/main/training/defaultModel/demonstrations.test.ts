import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArmChain } from '../../../../../src/main/robot/urdf/loadUrdf';
import { renderPolicyImage } from '../../../../../src/main/sim/render/sceneRenderer';
import { actionStats } from '../../../../../src/main/training/demonstrations/actionStats';
import { demoCacheDir, loadDemoCache, saveDemoCache } from '../../../../../src/main/training/demonstrations/demoCache';
import {
  DEFAULT_DEMO_CONFIG,
  planDemoEpisodes,
  type DemoConfig,
} from '../../../../../src/main/training/demonstrations/demoConfig';
import {
  chunkTarget,
  keypointPixels,
  keypointPointsM,
  rollOutDemo,
} from '../../../../../src/main/training/demonstrations/demoRollout';
import { cameraForArm, cameraFromSpec, projectPoint } from '../../../../../src/main/sim/render/cameraProjection';
import { findCamera } from '../../../../../src/main/sim/render/sceneRenderer';
import { forwardKinematics } from '../../../../../src/shared/robot/kinematics';
import { generateDemonstrations } from '../../../../../src/main/training/demonstrations/generateDemonstrations';
import { GRIPPER_MAX_STROKE_MM } from '../../../../../src/shared/robot/a1Spec';
import { isHeldOutSeed, sceneSeed } from '../../../../../src/shared/evaluation/seedSets';
import type { ExpertAction } from '../../../../../src/shared/sim/world/scriptedExpert';
import { TASK_TEMPLATES } from '../../../../../src/shared/sim/world/tasks';

const repoRoot = path.resolve(__dirname, '../../../../..');
const chain = loadArmChain(repoRoot);
/** Small pictures and one episode per template keep the test quick; the pipeline is the same. */
const tiny: DemoConfig = {
  ...DEFAULT_DEMO_CONFIG,
  episodesPerTemplate: 1,
  camera: { widthPx: 64, heightPx: 48 },
  wristCamera: { widthPx: 32, heightPx: 24 },
};

describe('demonstration plan', () => {
  it('uses training seeds only, none below firstSeedIndex (kept for validation), all templates and distractor counts', () => {
    const plans = planDemoEpisodes(DEFAULT_DEMO_CONFIG);
    expect(plans).toHaveLength(DEFAULT_DEMO_CONFIG.episodesPerTemplate * TASK_TEMPLATES.length);
    expect(plans.some((plan) => isHeldOutSeed(plan.seed))).toBe(false);
    for (const template of TASK_TEMPLATES) {
      const seeds = plans.filter((plan) => plan.template === template).map((plan) => plan.seed);
      expect(Math.min(...seeds)).toBe(sceneSeed('train', template, DEFAULT_DEMO_CONFIG.firstSeedIndex));
    }
    expect(new Set(plans.map((plan) => plan.distractors))).toEqual(new Set([0, 1, 2, 3]));
    const noisy = plans.filter((plan) => plan.noiseStd > 0).length / plans.length;
    expect(noisy).toBeCloseTo(1 - 1 / DEFAULT_DEMO_CONFIG.noisyEvery, 1);
  });
});

describe('demonstrations', () => {
  it('are deterministic, and each sample is the rendered scene, the robot state and the next expert chunk', async () => {
    const first = await generateDemonstrations(chain, tiny);
    const again = await generateDemonstrations(chain, tiny);
    expect(first.report.samples).toBe(first.dataset.size);
    expect(again.dataset.size).toBe(first.dataset.size);
    for (let i = 0; i < first.dataset.size; i += 7) {
      const a = first.dataset.get(i);
      const b = again.dataset.get(i);
      expect(Buffer.compare(Buffer.from(a.image), Buffer.from(b.image))).toBe(0);
      expect(Array.from(a.actions)).toEqual(Array.from(b.actions));
      expect(a.robotState).toEqual(b.robotState);
    }

    // The first episode's samples, checked against a fresh rollout of the same plan.
    const plan = planDemoEpisodes(tiny)[0]!;
    const demo = rollOutDemo(chain, plan, tiny);
    expect(demo.success).toBe(true);
    const actions = demo.steps.map((step) => step.action);
    for (const k of [0, Math.floor(demo.steps.length / 2), demo.steps.length - 1]) {
      const sample = first.dataset.get(k);
      const step = demo.steps[k]!;
      expect(first.dataset.episodeOf(k)).toBe(0);
      expect(sample.instruction).toBe(demo.instruction);
      const rendered = renderPolicyImage(step.snapshot, chain, 'scene', 64, 48);
      expect(Buffer.compare(Buffer.from(sample.image), Buffer.from(rendered))).toBe(0);
      const state = [...step.snapshot.armQRad, step.snapshot.gripperOpeningMm / GRIPPER_MAX_STROKE_MM];
      state.forEach((value, d) => expect(sample.robotState![d]).toBeCloseTo(value, 5));
      expect(Array.from(sample.actions)).toEqual(Array.from(chunkTarget(actions, k, 5)));
      // Warm-up labels: where the named object, the goal and the TCP appear in this picture.
      const keypoints = keypointPixels(chain, step.snapshot, tiny.camera);
      Array.from(first.dataset.keypointsOf(k)).forEach((v, i) => expect(v).toBeCloseTo(keypoints[i]!, 3));
      const camera = cameraFromSpec(findCamera(step.snapshot, 'scene'), tiny.camera);
      const tcp = projectPoint(camera, forwardKinematics(chain, step.snapshot.armQRad).positionM)!;
      expect([keypoints[4], keypoints[5]]).toEqual([tcp.xPx, tcp.yPx]);
      // The wrist camera's picture, and where the named object and the goal appear in it when in view.
      const wrist = renderPolicyImage(step.snapshot, chain, 'wrist', 32, 24);
      expect(Buffer.compare(Buffer.from(sample.moreImages!.wrist!), Buffer.from(wrist))).toBe(0);
      const wristCamera = cameraForArm(
        findCamera(step.snapshot, 'wrist'),
        chain,
        step.snapshot.armQRad,
        tiny.wristCamera!,
      );
      const wristLabels = first.dataset.wristKeypointsOf(k)!;
      keypointPointsM(chain, step.snapshot)
        .slice(0, 2)
        .forEach((point, q) => {
          const seen = projectPoint(wristCamera, point);
          const inView = seen !== null && seen.xPx >= 0 && seen.xPx <= 32 && seen.yPx >= 0 && seen.yPx <= 24;
          expect(wristLabels[q * 3 + 2]).toBe(inView ? 1 : 0);
          if (inView) {
            expect(wristLabels[q * 3]).toBeCloseTo(seen.xPx, 3);
            expect(wristLabels[q * 3 + 1]).toBeCloseTo(seen.yPx, 3);
          }
        });
    }
    // Near the start the named object lies ahead of the open gripper: in the wrist camera's view.
    expect(first.dataset.wristKeypointsOf(0)![2]).toBe(1);
  }, 60_000);

  it('draw no wrist pictures when the config has no wrist camera', async () => {
    const { wristCamera: _none, ...sceneOnly } = { ...tiny, templates: ['pick_up' as const] };
    const { dataset } = await generateDemonstrations(chain, sceneOnly);
    expect(dataset.get(0).moreImages).toBeUndefined();
    expect(dataset.wristKeypointsOf(0)).toBeNull();
  }, 60_000);

  it('pads chunks past the episode end with holding still, the gripper as the last action left it', () => {
    const actions: ExpertAction[] = [
      [0.01, 0, 0, 0, 0, 0, 1],
      [0, 0.01, 0, 0, 0, 0.05, 0],
    ];
    expect(Array.from(chunkTarget(actions, 1, 3))).toEqual(
      [
        [0, 0.01, 0, 0, 0, 0.05, 0],
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
      ]
        .flat()
        .map(Math.fround),
    );
    expect(Array.from(chunkTarget(actions, 0, 3)).slice(14)).toEqual([0, 0, 0, 0, 0, 0, 0]);
  });

  it('labels noisy rollouts with the clean expert actions (within the expert caps)', () => {
    const plan = {
      template: 'put_in' as const,
      seed: sceneSeed('train', 'put_in', 1001),
      distractors: 2,
      noiseStd: 0.004,
    };
    const demo = rollOutDemo(chain, plan, tiny);
    const clean = rollOutDemo(chain, { ...plan, noiseStd: 0 }, tiny);
    expect(demo.steps.map((s) => s.action)).not.toEqual(clean.steps.map((s) => s.action));
    for (const { action } of demo.steps) {
      expect(Math.hypot(action[0], action[1], action[2])).toBeLessThanOrEqual(0.01 + 1e-9);
      expect([0, 1]).toContain(action[6]);
    }
  });

  it('round-trips through the cache, keyed by config', async () => {
    const root = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-demos-'));
    try {
      const config: DemoConfig = { ...tiny, templates: ['pick_up'] };
      const { dataset } = await generateDemonstrations(chain, config);
      const dir = demoCacheDir(root, config);
      expect(await loadDemoCache(dir, config)).toBeNull();
      await saveDemoCache(dir, config, dataset);
      const loaded = (await loadDemoCache(dir, config))!;
      expect(loaded.size).toBe(dataset.size);
      for (const i of [0, dataset.size - 1]) {
        expect(loaded.get(i)).toEqual(dataset.get(i));
        expect(loaded.get(i).moreImages!.wrist!.length).toBe(32 * 24 * 3);
        expect(loaded.wristKeypointsOf(i)).toEqual(dataset.wristKeypointsOf(i));
      }
      expect(demoCacheDir(root, { ...config, noiseStd: 0.001 })).not.toBe(dir);
      expect(await loadDemoCache(dir, { ...config, noiseStd: 0.001 })).toBeNull();

      const stats = actionStats(loaded);
      for (let d = 0; d < 6; d += 1) expect(stats.q99[d]!).toBeGreaterThan(stats.q01[d]!);
      expect([stats.q01[6], stats.q99[6]]).toEqual([0, 1]);
    } finally {
      await fs.rm(root, { recursive: true, force: true });
    }
  }, 60_000);
});
