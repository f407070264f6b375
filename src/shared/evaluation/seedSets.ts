import type { TaskTemplate } from '../sim/world/tasks';

/**
 * Scene seeds are split once and for all: training data (demonstrations, DPO pairs) only ever uses seeds
 * below HELDOUT_SEED_BASE; evaluations on the held-out set only use seeds from it. Nothing tunes on them.
 */
export const HELDOUT_SEED_BASE = 1_000_000_000;
export const SEED_SETS = ['heldout', 'train'] as const;
export type SeedSet = (typeof SEED_SETS)[number];

const TEMPLATE_OFFSET: Record<TaskTemplate, number> = { put_in: 0, pick_up: 100_000_000, move_near: 200_000_000 };

/** The i-th seed of a template in a seed set (deterministic; the sets never overlap). */
export function sceneSeed(set: SeedSet, template: TaskTemplate, index: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= 100_000_000)
    throw new RangeError(`seed index must be a whole number from 0 to 99,999,999, got ${index}`);
  const base = set === 'heldout' ? HELDOUT_SEED_BASE : 0;
  return base + TEMPLATE_OFFSET[template] + index;
}

export function isHeldOutSeed(seed: number): boolean {
  return seed >= HELDOUT_SEED_BASE;
}

/** Throws when a training pipeline is handed a held-out seed. */
export function assertTrainingSeed(seed: number): void {
  if (isHeldOutSeed(seed))
    throw new RangeError(`seed ${seed} belongs to the held-out evaluation set; training data must not use it`);
}
