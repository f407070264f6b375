import type { RefineJob, RefinePhase } from '../../../shared/refine/refineTypes';

/** Phases in which a refinement is under way (Cancel applies). */
export const ACTIVE_REFINE_PHASES: readonly RefinePhase[] = ['pairs', 'training', 'evaluating'];
/** Phases after which nothing changes any more. */
export const FINAL_REFINE_PHASES: readonly RefinePhase[] = ['promoted', 'discarded', 'failed', 'cancelled'];

export function isRefineActive(job: RefineJob | null): boolean {
  return job !== null && ACTIVE_REFINE_PHASES.includes(job.phase);
}

export function isRefineFinal(job: RefineJob | null): boolean {
  return job !== null && FINAL_REFINE_PHASES.includes(job.phase);
}

/** How far along a phase is: pairs 0 … evaluating 2, ready 3, the final ones 4. */
function phaseRank(phase: RefinePhase): number {
  if (FINAL_REFINE_PHASES.includes(phase)) return 4;
  if (phase === 'ready') return 3;
  return ACTIVE_REFINE_PHASES.indexOf(phase);
}

/**
 * Whether `next` may replace `current` (a call's answer can arrive after a newer stream value): a newer job
 * always; the same job only forward — phases never go back, a final phase stays, and within a phase the
 * progress only grows.
 */
export function isNewerRefineJob(next: RefineJob, current: RefineJob | null): boolean {
  if (!current || next.jobId !== current.jobId) return !current || next.jobId > current.jobId;
  const nextRank = phaseRank(next.phase);
  const currentRank = phaseRank(current.phase);
  if (nextRank !== currentRank) return nextRank > currentRank;
  if (nextRank === 4) return next.phase === current.phase;
  if (nextRank === 3) return true;
  return next.fraction >= current.fraction;
}
