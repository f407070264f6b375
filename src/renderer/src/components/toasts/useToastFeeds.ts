import { watch, type WatchStopHandle } from 'vue';
import type { ArmState } from '../../../../shared/arm';
import { useArmStore } from '../../stores/armStore';
import { useCameraStore } from '../../stores/cameraStore';
import { useEpisodesStore } from '../../stores/episodesStore';
import { useEvaluationStore } from '../../stores/evaluationStore';
import { usePolicyStore } from '../../stores/policyStore';
import { useRefineStore } from '../../stores/refineStore';
import { useSystemStore } from '../../stores/systemStore';
import { useToastStore } from '../../stores/toastStore';
import { useTrainingStore } from '../../stores/trainingStore';
import { isDiskLow, tightestDisk } from '../status/statusText';
import { actionErrorToast, armToasts, lowDiskToast, type FailedAction } from './toastText';

/**
 * Feeds the toast stack: the arm's new faults and the governor's own holds (from `arm.state`), every failed
 * action of the console's stores (their `lastError`), and a disk running low (from `system.health`).
 * Returns a function that stops the feeds.
 */
export function useToastFeeds(): () => void {
  const toasts = useToastStore();
  const arm = useArmStore();
  const system = useSystemStore();
  const stops: WatchStopHandle[] = [];

  let previousArm: ArmState | null = null;
  stops.push(
    watch(
      () => arm.state,
      (state) => {
        if (!state) return;
        for (const toast of armToasts(previousArm, state)) toasts.push(toast);
        previousArm = state;
      },
    ),
  );

  const stores: [string, { lastError: FailedAction | null }][] = [
    ['arm', arm],
    ['policy', usePolicyStore()],
    ['episodes', useEpisodesStore()],
    ['cameras', useCameraStore()],
    ['evaluation', useEvaluationStore()],
    ['training', useTrainingStore()],
    ['refine', useRefineStore()],
  ];
  const sources = stores.map(([source, store]): [string, () => FailedAction | null] => [source, () => store.lastError]);
  for (const [source, lastError] of sources) {
    // Each failure is a new object: a repeat of the same failure comes again (and replaces its toast).
    stops.push(
      watch(lastError, (error) => {
        if (error) toasts.push(actionErrorToast(source, error));
      }),
    );
  }

  let diskWasLow = false;
  stops.push(
    watch(
      () => tightestDisk(system.health?.disks),
      (disk) => {
        const low = isDiskLow(disk);
        if (low && !diskWasLow && disk) toasts.push(lowDiskToast(disk));
        diskWasLow = low;
      },
    ),
  );

  return () => stops.forEach((stop) => stop());
}
