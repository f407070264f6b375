import type { KinematicChain } from '../../../shared/robot/kinematics';
import { sceneTask } from '../../../shared/sim/world/sceneGenerator';
import { taskObjectKinds } from '../../../shared/sim/world/tasks';
import { trueTaskState } from '../../worldModel/wmEvaluation';
import { planDemoEpisodes, type DemoConfig } from '../demonstrations/demoConfig';
import type { DemoDataset } from '../demonstrations/demoDataset';
import { rollOutDemo } from '../demonstrations/demoRollout';
import { WM_LATENT_NAMES } from '../defaultModel/defaultPrefix';

const LATENT = WM_LATENT_NAMES.length;

/**
 * The simulator's task state (WM_LATENT_NAMES, trueTaskState) at every sample of a transition dataset.
 * The rollouts are seeded, so each episode is rolled out again (no drawing: a few seconds) and its steps
 * matched to the samples in order; a sample whose robot state differs from the replayed step's means the
 * dataset was not made with this config, and is refused rather than mislabelled.
 */
export function trueTaskStates(chain: KinematicChain, config: DemoConfig, dataset: DemoDataset): Float32Array {
  if (config.sampleEvery !== 1) throw new Error('true task states need every step drawn (sampleEvery 1)');
  const plans = planDemoEpisodes(config);
  const states = new Float32Array(dataset.size * LATENT);
  let index = 0;
  while (index < dataset.size) {
    const episode = dataset.episodeOf(index);
    const plan = plans[episode];
    if (!plan) throw new Error(`sample ${index} comes from episode ${episode}, which the config does not plan`);
    const demo = rollOutDemo(chain, plan, config);
    const kinds = taskObjectKinds(sceneTask(demo.steps[0]!.snapshot));
    for (const step of demo.steps) {
      if (index >= dataset.size || dataset.episodeOf(index) !== episode)
        throw new Error(`episode ${episode} has more steps replayed than samples in the dataset`);
      const stored = dataset.get(index).robotState;
      if (!stored || stored.some((value, i) => Math.abs(value - step.robotState[i]!) > 1e-4))
        throw new Error(`sample ${index} (episode ${episode}) does not match its replayed step: another config?`);
      states.set(trueTaskState(chain, step.snapshot, plan.template, kinds), index * LATENT);
      index += 1;
    }
  }
  return states;
}
