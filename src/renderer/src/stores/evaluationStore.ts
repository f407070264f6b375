import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import type { EvaluationProgress, EvaluationReport } from '../../../shared/evaluation/evaluationTypes';
import type { SeedSet } from '../../../shared/evaluation/seedSets';
import type { TaskTemplate } from '../../../shared/sim/world/tasks';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { policyErrorOf } from './policyStore';

/** The evaluation actions the console offers; each maps to one contract method. */
export type EvaluationAction = 'start' | 'cancel';

/** A failed action as the operator sees it (label: "Evaluate coach-test"). */
export type EvaluationActionError = ActionError<EvaluationAction>;

/** What the "Evaluate" form asks for; modelPath '' means the loaded model. */
export interface EvaluationForm {
  modelPath: string;
  templates: TaskTemplate[];
  episodesPerTemplate: number;
  maxStrokes: number;
  seedSet: SeedSet;
  seed: number;
}

/** A stored report's stable key (stored reports have an id; an unstored one is known by its start time). */
export function reportKey(report: EvaluationReport): string {
  return report.id !== null ? `id-${report.id}` : `t-${report.startedAtMs}`;
}

/** The newest report of each model name + version (the list is newest first). */
export function newestPerVersion(reports: EvaluationReport[]): string[] {
  const seen = new Set<string>();
  const keys: string[] = [];
  for (const report of reports) {
    const version = `${report.model.name}\u0000${report.model.version}`;
    if (seen.has(version)) continue;
    seen.add(version);
    keys.push(reportKey(report));
  }
  return keys;
}

/** A thrown CoachError in words (validation messages without schema paths). */
export function evaluationErrorOf(thrown: unknown): { code: string; message: string } {
  const error = policyErrorOf(thrown);
  if (error.code === 'unknown_method' || error.code === 'unknown_stream')
    return { ...error, message: 'this version of Coach’s main process cannot evaluate models' };
  return error;
}

export function isEvaluationFinished(progress: EvaluationProgress): boolean {
  return progress.phase === 'done' || progress.phase === 'failed' || progress.phase === 'cancelled';
}

/**
 * Sim evaluations of model versions: the running (or last) one from the `eval.progress` stream, the stored
 * reports from `eval.list`, and which of them the comparison shows. Actions never throw: a failure is kept
 * in `lastError` until the same kind of action succeeds.
 */
export const useEvaluationStore = defineStore('evaluation', () => {
  const progress = shallowRef<EvaluationProgress | null>(null);
  const progressError = ref<string | null>(null);
  const reports = shallowRef<EvaluationReport[]>([]);
  const reportsLoaded = ref(false);
  const reportsError = ref<string | null>(null);
  /** Keys (reportKey) of the reports the comparison shows, in no particular order. */
  const compared = ref<string[]>([]);
  /** False until the operator ticks or unticks a report: until then the default (newest per version) applies. */
  let comparedChosen = false;
  const { lastError, pending, isPending, errorFor, clearError, run } =
    useActionTracker<EvaluationAction>(evaluationErrorOf);
  let started = false;
  let listInFlight: Promise<void> | null = null;
  let listAgain = false;

  const running = computed(() => progress.value !== null && !isEvaluationFinished(progress.value));
  const comparedSet = computed(() => new Set(compared.value));
  /** The compared reports, oldest first (left to right, as versions come). */
  const comparedReports = computed(() =>
    reports.value.filter((report) => comparedSet.value.has(reportKey(report))).reverse(),
  );

  function takeReports(next: EvaluationReport[]): void {
    reports.value = next;
    reportsLoaded.value = true;
    const known = new Set(next.map(reportKey));
    if (!comparedChosen) compared.value = newestPerVersion(next);
    else compared.value = compared.value.filter((key) => known.has(key));
  }

  async function refreshReports(): Promise<void> {
    if (listInFlight) {
      listAgain = true;
      return listInFlight;
    }
    listInFlight = (async () => {
      do {
        listAgain = false;
        try {
          takeReports(await useBridge().call('eval.list', {}));
          reportsError.value = null;
        } catch (thrown) {
          reportsError.value = evaluationErrorOf(thrown).message;
        }
      } while (listAgain);
    })().finally(() => (listInFlight = null));
    return listInFlight;
  }

  function takeProgress(next: EvaluationProgress | null): void {
    if (!next) return;
    const current = progress.value;
    if (current && next.jobId < current.jobId) return;
    // A call's answer may arrive after a newer stream value: a finished job stays finished, counts only grow.
    if (current && next.jobId === current.jobId) {
      if (isEvaluationFinished(current) && !isEvaluationFinished(next)) return;
      if (!isEvaluationFinished(next) && next.episodesDone < current.episodesDone) return;
    }
    const justDone = next.phase === 'done' && !(current?.jobId === next.jobId && current.phase === 'done');
    progress.value = next;
    progressError.value = null;
    if (justDone && next.report) {
      // The operator just ran it: show it beside what is already compared.
      const key = reportKey(next.report);
      if (!reports.value.some((report) => reportKey(report) === key)) reports.value = [next.report, ...reports.value];
      if (!compared.value.includes(key)) compared.value = [...compared.value, key];
      comparedChosen = true;
      void refreshReports();
    }
  }

  function setCompared(key: string, on: boolean): void {
    comparedChosen = true;
    const has = compared.value.includes(key);
    if (on && !has) compared.value = [...compared.value, key];
    else if (!on && has) compared.value = compared.value.filter((other) => other !== key);
  }

  function compareNewestPerVersion(): void {
    comparedChosen = true;
    compared.value = newestPerVersion(reports.value);
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    bridge.subscribe(
      'eval.progress',
      {},
      takeProgress,
      (error) => (progressError.value = evaluationErrorOf(error).message),
    );
    if (bridge.connectionState() === 'open') void refreshReports();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') void refreshReports();
    });
  }

  async function evaluate(form: EvaluationForm, modelLabel: string): Promise<boolean> {
    const modelPath = form.modelPath.trim();
    const result = await run('start', `Evaluate ${modelPath || modelLabel}`, () =>
      useBridge().call('eval.start', {
        ...(modelPath ? { modelPath } : {}),
        templates: form.templates,
        episodesPerTemplate: form.episodesPerTemplate,
        maxStrokes: form.maxStrokes,
        seedSet: form.seedSet,
        seed: form.seed,
      }),
    );
    if (result) takeProgress(result);
    return result !== null;
  }

  async function cancel(): Promise<boolean> {
    const jobId = progress.value?.jobId;
    if (jobId === undefined) return false;
    const result = await run('cancel', 'Cancel the evaluation', () => useBridge().call('eval.cancel', { jobId }));
    if (result) takeProgress(result);
    return result !== null;
  }

  return {
    progress,
    progressError,
    reports,
    reportsLoaded,
    reportsError,
    compared,
    comparedSet,
    comparedReports,
    lastError,
    pending,
    running,
    isPending,
    errorFor,
    clearError,
    start,
    refreshReports,
    setCompared,
    compareNewestPerVersion,
    evaluate,
    cancel,
  };
});
