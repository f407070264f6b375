import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { TrainingJob } from '../../../shared/training/trainingJobTypes';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { policyErrorOf } from './policyStore';

/** The training actions the console offers; each maps to one contract method. */
export type TrainingAction = 'startDemonstrations' | 'cancel';

/** A failed action as the operator sees it (label: "Train from demonstrations"). */
export type TrainingActionError = ActionError<TrainingAction>;

/** What the "Train from demonstrations" form asks for. */
export interface DemonstrationForm {
  episodesPerTemplate: number;
  steps: number;
  batchSize: number;
  learningRate: number;
  seed: number;
}

/** A thrown CoachError in words (validation messages without schema paths). */
export function trainingErrorOf(thrown: unknown): { code: string; message: string } {
  const error = policyErrorOf(thrown);
  if (error.code === 'unknown_method' || error.code === 'unknown_stream')
    return { ...error, message: 'this version of Coach’s main process cannot train models' };
  return error;
}

export function isTrainingFinished(job: TrainingJob): boolean {
  return job.phase === 'done' || job.phase === 'failed' || job.phase === 'cancelled';
}

/** Whether `next` may replace `current` (the same job): a finished job stays finished, steps only grow. */
function isNewer(next: TrainingJob, current: TrainingJob): boolean {
  if (isTrainingFinished(current)) return isTrainingFinished(next);
  if (isTrainingFinished(next)) return true;
  return next.step >= current.step;
}

/**
 * The session's training jobs from the `training.jobs` stream (newest first), the job the view shows,
 * and one action per method. Actions never throw: a failure is kept in `lastError` until the same kind
 * of action succeeds.
 */
export const useTrainingStore = defineStore('training', () => {
  const jobs = shallowRef<TrainingJob[]>([]);
  const jobsLoaded = ref(false);
  const jobsError = ref<string | null>(null);
  /** The job the detail shows; null follows the newest. */
  const selectedJobId = ref<number | null>(null);
  const { lastError, pending, isPending, errorFor, clearError, run } =
    useActionTracker<TrainingAction>(trainingErrorOf);
  let started = false;

  const selectedJob = computed(
    () => jobs.value.find((job) => job.jobId === selectedJobId.value) ?? jobs.value[0] ?? null,
  );
  const runningJob = computed(() => jobs.value.find((job) => !isTrainingFinished(job)) ?? null);

  /** The stream's list, keeping any job state that is newer than it (a call's answer may come first). */
  function takeJobs(next: TrainingJob[]): void {
    const current = new Map(jobs.value.map((job) => [job.jobId, job]));
    const merged = next.map((job) => {
      const known = current.get(job.jobId);
      return known && !isNewer(job, known) ? known : job;
    });
    // Jobs a call reported that the stream has not listed yet stay (newest first).
    const listed = new Set(next.map((job) => job.jobId));
    const extra = jobs.value.filter((job) => !listed.has(job.jobId));
    jobs.value = [...extra, ...merged].sort((a, b) => b.jobId - a.jobId);
    jobsLoaded.value = true;
    jobsError.value = null;
  }

  function takeJob(job: TrainingJob): void {
    const known = jobs.value.find((other) => other.jobId === job.jobId);
    if (known && !isNewer(job, known)) return;
    jobs.value = [job, ...jobs.value.filter((other) => other.jobId !== job.jobId)].sort((a, b) => b.jobId - a.jobId);
  }

  async function refreshJobs(): Promise<void> {
    try {
      takeJobs(await useBridge().call('training.jobs', {}));
    } catch (thrown) {
      jobsError.value = trainingErrorOf(thrown).message;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    bridge.subscribe('training.jobs', {}, takeJobs, (error) => (jobsError.value = trainingErrorOf(error).message));
    if (bridge.connectionState() === 'open') void refreshJobs();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') void refreshJobs();
    });
  }

  function select(jobId: number | null): void {
    selectedJobId.value = jobId;
  }

  async function startDemonstrations(form: DemonstrationForm): Promise<boolean> {
    const result = await run('startDemonstrations', 'Train from demonstrations', () =>
      useBridge().call('training.startDemonstrations', { ...form }),
    );
    if (result) {
      takeJob(result);
      selectedJobId.value = result.jobId;
    }
    return result !== null;
  }

  async function cancel(jobId: number): Promise<boolean> {
    const result = await run('cancel', `Cancel training job ${jobId}`, () =>
      useBridge().call('training.cancel', { jobId }),
    );
    if (result) takeJob(result);
    return result !== null;
  }

  return {
    jobs,
    jobsLoaded,
    jobsError,
    selectedJobId,
    selectedJob,
    runningJob,
    lastError,
    pending,
    isPending,
    errorFor,
    clearError,
    start,
    refreshJobs,
    select,
    startDemonstrations,
    cancel,
  };
});
