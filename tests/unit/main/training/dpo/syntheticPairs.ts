import type { PreferenceDataset, PreferenceSample } from '../../../../../src/main/training/trainingTypes';
import { syntheticDataset, type SyntheticOptions } from '../bc/syntheticDataset';

/**
 * Deterministic preference pairs over syntheticDataset's observations: chosen = the sample's chunk, rejected
 * = the opposite motion with the gripper flipped (inside coach-test's q01/q99). `change` edits a pair (bad
 * inputs in tests).
 */
export function syntheticPairs(
  options: SyntheticOptions,
  change?: (pair: PreferenceSample, index: number) => PreferenceSample,
): PreferenceDataset {
  const samples = syntheticDataset(options);
  const dims = options.dims ?? 7;
  return {
    size: samples.size,
    get(index: number): PreferenceSample {
      const { actions, ...observation } = samples.get(index);
      const rejected = actions.map((value, k) => (k % dims === dims - 1 ? 1 - value : -value));
      const pair: PreferenceSample = { ...observation, chosen: actions, rejected };
      return change ? change(pair, index) : pair;
    },
  };
}
