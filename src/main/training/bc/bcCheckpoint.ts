import { readCheckpoint, writeCheckpoint } from '../checkpoint/checkpointFile';
import type { BcHyperparameters } from './bcOptions';
import type { PrefixMode } from './prefixContext';
import { TrainingError } from './trainingErrors';

/** What a behaviour-cloning checkpoint records besides its tensors (params, m, v). */
export interface BcCheckpointMeta {
  kind: 'behaviour-cloning';
  /** Updates done: a resumed run continues with update `step`. */
  step: number;
  hyperparameters: BcHyperparameters;
  /** Each step's draws are drawStep(seed, step): the seed and the step are the whole RNG state. */
  rng: { seed: number; scheme: 'drawStep(seed, step)' };
  prefixMode: PrefixMode;
  base: { name: string; version: string; prefixSha256: string; expertSha256: string };
  datasetSize: number;
  recentLosses: number[];
  createdAt: string;
}

export interface BcCheckpoint {
  meta: BcCheckpointMeta;
  params: Record<string, Float32Array>;
  m: Record<string, Float32Array>;
  v: Record<string, Float32Array>;
}

export async function saveBcCheckpoint(file: string, checkpoint: BcCheckpoint): Promise<void> {
  await writeCheckpoint(file, {
    meta: checkpoint.meta as unknown as Record<string, unknown>,
    groups: { params: checkpoint.params, m: checkpoint.m, v: checkpoint.v },
  });
}

export async function loadBcCheckpoint(file: string): Promise<BcCheckpoint> {
  let raw;
  try {
    raw = await readCheckpoint(file);
  } catch (error) {
    throw new TrainingError('training_checkpoint_mismatch', `cannot resume: ${(error as Error).message}`);
  }
  const meta = raw.meta as unknown as BcCheckpointMeta;
  if (meta.kind !== 'behaviour-cloning')
    throw new TrainingError('training_checkpoint_mismatch', `${file} is not a behaviour-cloning checkpoint`);
  return { meta, params: raw.groups.params ?? {}, m: raw.groups.m ?? {}, v: raw.groups.v ?? {} };
}
