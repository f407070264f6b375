import type { GoalProgress } from '../../../../shared/policy/policyTypes';

/** Whole percent of a 0 … 1 fraction. */
export const percentOf = (fraction: number): number => Math.round(fraction * 100);

/** The line under the world model's progress bar: which model, against which goal frame, the energy. */
export function goalProgressDetail(progress: Extract<GoalProgress, { state: 'on' }>): string {
  return (
    `${progress.worldModel} · goal: episode ${progress.goal.episodeId}, frame ${progress.goal.frameIndex} · ` +
    `energy ${progress.energy.toFixed(3)}`
  );
}

/** The figure next to the bar: now, and what the predictor expects after the chunk being run. */
export function goalProgressFigure(progress: Extract<GoalProgress, { state: 'on' }>): string {
  const now = `${percentOf(progress.fraction)} %`;
  return progress.predictedFraction === null
    ? now
    : `${now} → ${percentOf(progress.predictedFraction)} % after this chunk`;
}
