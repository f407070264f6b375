import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArmChain } from '../../../../../src/main/robot/urdf/loadUrdf';
import {
  WM_TRANSITION_CONFIG,
  planDemoEpisodes,
  type DemoConfig,
} from '../../../../../src/main/training/demonstrations/demoConfig';
import { rollOutDemo } from '../../../../../src/main/training/demonstrations/demoRollout';
import { generateDemonstrations } from '../../../../../src/main/training/demonstrations/generateDemonstrations';
import { trueTaskStates } from '../../../../../src/main/training/worldModel/trueTaskStates';
import { trueTaskState } from '../../../../../src/main/worldModel/wmEvaluation';
import { sceneTask } from '../../../../../src/shared/sim/world/sceneGenerator';
import { taskObjectKinds } from '../../../../../src/shared/sim/world/tasks';

const chain = loadArmChain(path.resolve(__dirname, '../../../../..'));
/** One short transition episode per template, small pictures: the pipeline train:wm uses. */
const tiny: DemoConfig = {
  ...WM_TRANSITION_CONFIG,
  episodesPerTemplate: 1,
  maxSteps: 40,
  camera: { widthPx: 64, heightPx: 48 },
};

describe("the simulator's task state at every transition sample", () => {
  it('is the replayed step’s true task state, sample by sample, and moves as the arm does', async () => {
    const { dataset } = await generateDemonstrations(chain, tiny);
    const states = trueTaskStates(chain, tiny, dataset);
    expect(states).toHaveLength(dataset.size * 6);

    const plan = planDemoEpisodes(tiny)[0]!;
    const demo = rollOutDemo(chain, plan, tiny);
    const kinds = taskObjectKinds(sceneTask(demo.steps[0]!.snapshot));
    for (const k of [0, 10, demo.steps.length - 1]) {
      const expected = trueTaskState(chain, demo.steps[k]!.snapshot, plan.template, kinds);
      Array.from(states.subarray(k * 6, k * 6 + 6)).forEach((value, d) => expect(value).toBeCloseTo(expected[d]!, 5));
    }
    // The expert moves the TCP toward the object: the object-from-TCP distance shrinks over the episode.
    const reach = (k: number) => Math.hypot(states[k * 6]!, states[k * 6 + 1]!);
    expect(reach(demo.steps.length - 1)).toBeLessThan(reach(0));
  });

  it('refuses a dataset that another config made rather than mislabel it', async () => {
    const { dataset } = await generateDemonstrations(chain, tiny);
    const other: DemoConfig = { ...tiny, firstSeedIndex: tiny.firstSeedIndex + 50 };
    expect(() => trueTaskStates(chain, other, dataset)).toThrow(/does not match its replayed step/);
  });
});
