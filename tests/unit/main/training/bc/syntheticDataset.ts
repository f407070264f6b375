import { ROBOT_STATE_DIMS } from '../../../../../src/shared/policy/modelManifest';
import type { BcDataset, TrainingSample } from '../../../../../src/main/training/trainingTypes';

const INSTRUCTIONS = [
  'put the grape in the plate',
  'pick up the banana',
  'move the cup near the plate',
  'put the lemon in the bowl',
];

export interface SyntheticOptions {
  size: number;
  widthPx?: number;
  heightPx?: number;
  chunkLength?: number;
  dims?: number;
  robotState?: boolean;
  /** Action values per sample, when it should disagree with the package. */
  actionValues?: number;
}

/**
 * A deterministic BcDataset whose action chunk is a function of the sample (its picture's colour and its
 * instruction): a policy that reads the context can fit it exactly. Actions stay inside coach-test's
 * q01/q99 (±0.01 m, ±0.05 rad) and the gripper is 0 or 1.
 */
export function syntheticDataset(options: SyntheticOptions): BcDataset {
  const { size, widthPx = 224, heightPx = 224, chunkLength = 5, dims = 7 } = options;
  const values = options.actionValues ?? chunkLength * dims;
  const scale = [0.01, 0.01, 0.01, 0.05, 0.05, 0.05];
  return {
    size,
    get(index: number): TrainingSample {
      const phase = (index + 1) / (size + 1);
      const image = new Uint8Array(widthPx * heightPx * 3);
      for (let p = 0; p < widthPx * heightPx; p += 1) {
        const x = p % widthPx;
        const y = Math.floor(p / widthPx);
        image[p * 3] = Math.round(255 * phase);
        image[p * 3 + 1] = (x * 3 + index * 40) % 256;
        image[p * 3 + 2] = (y * 2 + index * 70) % 256;
      }
      const actions = new Float32Array(values);
      for (let k = 0; k < values; k += 1) {
        const d = k % dims;
        const step = Math.floor(k / dims);
        actions[k] =
          d === dims - 1 ? index % 2 : scale[d % 6]! * 0.8 * Math.sin(2 * Math.PI * phase * (d + 1) + step * 0.3);
      }
      const sample: TrainingSample = { image, instruction: INSTRUCTIONS[index % INSTRUCTIONS.length]!, actions };
      if (options.robotState)
        sample.robotState = Array.from({ length: ROBOT_STATE_DIMS }, (_, k) => (k === 6 ? index % 2 : 0.1 * k * phase));
      return sample;
    },
  };
}
