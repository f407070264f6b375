import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import type { EvaluationReport } from '../../../shared/evaluation/evaluationTypes';
import type { ModelVersion } from '../../../shared/models/modelVersionTypes';
import type { PairFilter, PairSource, PairStatus, PairSummary, PreferencePair } from '../../../shared/refine/pairTypes';
import type { z } from 'zod';
import type { RefineJob, RefineRequest, refineRequestSchema } from '../../../shared/refine/refineTypes';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { coachErrorText } from './coachErrorText';
import { usePolicyStore } from './policyStore';
import { isNewerRefineJob, isRefineActive } from './refineJobOrder';

/** The refinement, model-version and pair-review actions the console offers; each maps to one contract method. */
export type RefineAction =
  | 'start'
  | 'cancel'
  | 'promote'
  | 'discard'
  | 'modelPromote'
  | 'modelRollback'
  | 'modelDelete'
  | 'modelExport'
  | 'pickFolder'
  | 'pairStatus';

/** A failed action as the operator sees it (label: "Refine coach-test"). */
export type RefineActionError = ActionError<RefineAction>;

export type BuildFrom = RefineRequest['buildFrom'];

/** What the "Settings" disclosure of Refine policy holds; steps null: the trainer's default from the pair count. */
export interface RefineSettings {
  beta: number;
  steps: number | null;
  evalEpisodesPerTemplate: number;
  buildFrom: BuildFrom;
  /** What ranks the samples of reward pairs (default gta). */
  reward?: RefineRequest['reward'];
}

/** The pair review's filter as its form holds it. */
export interface PairFilterForm {
  source: PairSource | 'any';
  status: PairStatus | 'any';
}

export const PAIR_PAGE_SIZE = 20;

/** A thrown CoachError in the operator's words (validation messages without schema paths). */
export function refineErrorOf(thrown: unknown): { code: string; message: string } {
  return coachErrorText(thrown, 'this version of Coach’s main process cannot refine policies or keep model versions');
}

/** The arguments of refine.start for these settings (only what the operator set; main fills in the rest). */
export function refineRequestOf(settings: RefineSettings): z.input<typeof refineRequestSchema> {
  return {
    buildFrom: settings.buildFrom,
    ...(settings.reward && settings.reward !== 'gta' ? { reward: settings.reward } : {}),
    beta: settings.beta,
    ...(settings.steps !== null ? { steps: settings.steps } : {}),
    evalEpisodesPerTemplate: settings.evalEpisodesPerTemplate,
  };
}

/**
 * One-click refinement (issue #8) as the console sees it: the eligible preference pairs, the refinement
 * from the `refine.status` stream, the stored evaluations its comparison names, the model versions with
 * their lineage, and a page of pairs to review. Actions never throw: a failure is kept in `lastError`
 * until the same kind of action succeeds.
 */
export const useRefineStore = defineStore('refine', () => {
  const summary = shallowRef<PairSummary | null>(null);
  const summaryError = ref<string | null>(null);
  /** Labelled attempts (good / bad) in the catalog: the ones not paired yet get pairs when refinement starts. */
  const labelled = shallowRef<{ good: number; bad: number } | null>(null);

  const job = shallowRef<RefineJob | null>(null);
  const jobLoaded = ref(false);
  const jobError = ref<string | null>(null);

  const models = shallowRef<ModelVersion[]>([]);
  const modelsLoaded = ref(false);
  const modelsError = ref<string | null>(null);
  const selectedModelId = ref<string | null>(null);
  /** The last export that succeeded, to say where it went. */
  const lastExport = shallowRef<{ id: string; path: string } | null>(null);

  /** Stored evaluations by id, fetched for the comparisons that name them. */
  const reportsById = shallowRef<ReadonlyMap<number, EvaluationReport>>(new Map());
  const reportsError = ref<string | null>(null);
  const reportsLoading = ref(false);

  const pairs = shallowRef<PreferencePair[]>([]);
  const pairsLoaded = ref(false);
  const pairsError = ref<string | null>(null);
  const pairsHasMore = ref(false);
  const pairPage = ref(0);
  const pairFilter = reactive<PairFilterForm>({ source: 'any', status: 'any' });
  const selectedPairIds = ref<number[]>([]);

  /** Whether system.pickFolder opens a dialog: assumed from the transport until an answer says otherwise. */
  const pickFolderSupported = ref(false);

  const { lastError, pending, isPending, errorFor, clearError, run } = useActionTracker<RefineAction>(refineErrorOf);
  const policy = usePolicyStore();

  let started = false;
  /** After a reconnect main may have restarted (job ids start again): its next status replaces ours. */
  let acceptAnyJob = true;
  let pairsWanted = false;
  let pairsSeq = 0;
  let summaryTimer: ReturnType<typeof setTimeout> | null = null;
  let reportsInFlight: Promise<void> | null = null;
  /** Evaluation ids an eval.list answer has been searched for (a missing one is not asked for again). */
  const checkedReportIds = new Set<number>();

  const running = computed(() => isRefineActive(job.value));
  const waitingForVerdict = computed(() => job.value?.phase === 'ready');
  const inUse = computed(() => models.value.find((version) => version.inUse) ?? null);
  const selectedModel = computed(() => models.value.find((version) => version.id === selectedModelId.value) ?? null);
  /** Roll back has somewhere to go: a version promoted before, other than the one in use. */
  const canRollBack = computed(() => models.value.some((version) => version.status === 'promoted' && !version.inUse));
  const selectedPairSet = computed(() => new Set(selectedPairIds.value));
  const allPairsOnPageSelected = computed(
    () => pairs.value.length > 0 && pairs.value.every((pair) => selectedPairSet.value.has(pair.id)),
  );

  // Loading another package (here, in the Policy panel or by another client) moves the "in use" mark.
  watch(
    () => policy.info?.path ?? null,
    () => {
      if (started) void refreshModels();
    },
  );

  // ---- reads ----

  async function refreshSummary(): Promise<void> {
    const bridge = useBridge();
    try {
      summary.value = await bridge.call('pairs.summary', {});
      summaryError.value = null;
    } catch (thrown) {
      summaryError.value = refineErrorOf(thrown).message;
    }
    try {
      const counts = await bridge.call('episodes.counts', { filter: {} });
      labelled.value = { good: counts.byLabel.good ?? 0, bad: counts.byLabel.bad ?? 0 };
    } catch {
      // Only a hint beside the summary: without it the summary stands alone.
      labelled.value = null;
    }
  }

  /** Labels and exclusions change which pairs are eligible: refresh the summary once edits settle. */
  function refreshSummarySoon(): void {
    if (summaryTimer) clearTimeout(summaryTimer);
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      void refreshSummary();
    }, 800);
  }

  async function refreshModels(): Promise<void> {
    try {
      models.value = await useBridge().call('models.list', {});
      modelsLoaded.value = true;
      modelsError.value = null;
      if (selectedModelId.value && !models.value.some((version) => version.id === selectedModelId.value))
        selectedModelId.value = null;
    } catch (thrown) {
      modelsError.value = refineErrorOf(thrown).message;
    }
  }

  function pairFilterArgs(): PairFilter {
    return {
      ...(pairFilter.source !== 'any' ? { sources: [pairFilter.source] } : {}),
      ...(pairFilter.status !== 'any' ? { statuses: [pairFilter.status] } : {}),
      // One more than a page tells whether there is a next one.
      limit: PAIR_PAGE_SIZE + 1,
      offset: pairPage.value * PAIR_PAGE_SIZE,
    };
  }

  async function refreshPairs(): Promise<void> {
    pairsWanted = true;
    const seq = (pairsSeq += 1);
    try {
      const page = await useBridge().call('pairs.list', { filter: pairFilterArgs() });
      if (seq !== pairsSeq) return;
      if (page.length === 0 && pairPage.value > 0) {
        // The page emptied (pairs filtered away): show the last one that has pairs.
        pairPage.value -= 1;
        return refreshPairs();
      }
      pairs.value = page.slice(0, PAIR_PAGE_SIZE);
      pairsHasMore.value = page.length > PAIR_PAGE_SIZE;
      pairsLoaded.value = true;
      pairsError.value = null;
      const shown = new Set(pairs.value.map((pair) => pair.id));
      selectedPairIds.value = selectedPairIds.value.filter((id) => shown.has(id));
    } catch (thrown) {
      if (seq === pairsSeq) pairsError.value = refineErrorOf(thrown).message;
    }
  }

  /**
   * Makes sure the stored evaluations with these ids are at hand (one eval.list for all of them); an id
   * that list lacks stays missing and the comparison shows the summaries instead.
   */
  async function ensureReports(ids: readonly (number | null)[]): Promise<void> {
    const wanted = ids.filter((id): id is number => id !== null);
    if (!wanted.some((id) => !checkedReportIds.has(id))) return;
    if (reportsInFlight) await reportsInFlight;
    if (!wanted.some((id) => !checkedReportIds.has(id))) return;
    reportsLoading.value = true;
    reportsInFlight = (async () => {
      try {
        const list = await useBridge().call('eval.list', {});
        const next = new Map(reportsById.value);
        for (const report of list) if (report.id !== null) next.set(report.id, report);
        reportsById.value = next;
        for (const id of wanted) checkedReportIds.add(id);
        reportsError.value = null;
      } catch (thrown) {
        reportsError.value = refineErrorOf(thrown).message;
      } finally {
        reportsLoading.value = false;
      }
    })().finally(() => (reportsInFlight = null));
    return reportsInFlight;
  }

  function reportById(id: number | null): EvaluationReport | null {
    return id === null ? null : (reportsById.value.get(id) ?? null);
  }

  // ---- the refinement ----

  function takeJob(next: RefineJob | null): void {
    jobLoaded.value = true;
    jobError.value = null;
    const current = job.value;
    if (acceptAnyJob) acceptAnyJob = false;
    else if (!next || !isNewerRefineJob(next, current)) return;
    job.value = next;
    if (next && (next.jobId !== current?.jobId || next.phase !== current.phase)) onPhase(next);
  }

  /** A phase change can mean new pairs (summary, review), a new or changed version (models), a comparison. */
  function onPhase(next: RefineJob): void {
    if (next.phase !== 'pairs') {
      void refreshSummary();
      if (pairsWanted) void refreshPairs();
    }
    if (next.phase !== 'pairs' && next.phase !== 'training') void refreshModels();
    if (next.comparison) void ensureReports([next.comparison.before.evaluationId, next.comparison.after.evaluationId]);
  }

  function refreshAll(): void {
    void refreshSummary();
    void refreshModels();
    if (pairsWanted) void refreshPairs();
    // Comparisons on show whose reports could not be read (e.g. asked for before the connection opened).
    for (const comparison of [job.value?.comparison, selectedModel.value?.comparison])
      if (comparison) void ensureReports([comparison.before.evaluationId, comparison.after.evaluationId]);
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    pickFolderSupported.value = bridge.transport === 'electron-ipc';
    bridge.subscribe('refine.status', {}, takeJob, (error) => (jobError.value = refineErrorOf(error).message));
    // Labels, exclusions and deletes change which pairs are eligible.
    bridge.subscribe('episodes.events', {}, refreshSummarySoon, () => undefined);
    if (bridge.connectionState() === 'open') refreshAll();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') {
        acceptAnyJob = true;
        checkedReportIds.clear();
        refreshAll();
      }
    });
  }

  async function startRefine(settings: RefineSettings): Promise<boolean> {
    const name = policy.info ? `${policy.info.name} v${policy.info.version}` : 'the model in use';
    const result = await run('start', `Refine ${name}`, () =>
      useBridge().call('refine.start', refineRequestOf(settings)),
    );
    if (result) {
      acceptAnyJob = false;
      if (isNewerRefineJob(result, job.value)) {
        const changed = result.jobId !== job.value?.jobId;
        job.value = result;
        if (changed) onPhase(result);
      }
      clearError('cancel');
      clearError('promote');
      clearError('discard');
    }
    return result !== null;
  }

  async function verdict(action: 'cancel' | 'promote' | 'discard', label: string): Promise<boolean> {
    const jobId = job.value?.jobId;
    if (jobId === undefined) return false;
    const method = `refine.${action}` as const;
    const result = await run(action, `${label} (refinement ${jobId})`, () => useBridge().call(method, { jobId }));
    if (result) takeJob(result);
    await refreshModels();
    return result !== null;
  }

  const cancel = () => verdict('cancel', 'Cancel the refinement');
  const promote = () => verdict('promote', 'Promote the refined version');
  const discard = () => verdict('discard', 'Discard the refined version');

  // ---- model versions ----

  function selectModel(id: string | null): void {
    selectedModelId.value = id;
    const version = models.value.find((each) => each.id === id);
    if (version?.comparison)
      void ensureReports([version.comparison.before.evaluationId, version.comparison.after.evaluationId]);
  }

  async function promoteModel(id: string): Promise<boolean> {
    const result = await run('modelPromote', `Promote ${id}`, () => useBridge().call('models.promote', { id }));
    await refreshModels();
    return result !== null;
  }

  async function rollback(): Promise<boolean> {
    const result = await run('modelRollback', 'Roll back to the version promoted before', () =>
      useBridge().call('models.rollback', {}),
    );
    await refreshModels();
    return result !== null;
  }

  async function deleteModel(id: string): Promise<boolean> {
    const result = await run('modelDelete', `Delete ${id}`, () => useBridge().call('models.delete', { id }));
    await refreshModels();
    return result !== null;
  }

  async function exportModel(id: string, dir: string): Promise<boolean> {
    const folder = dir.trim();
    if (!folder) {
      lastError.value = {
        action: 'modelExport',
        label: `Export ${id}`,
        code: 'invalid_arguments',
        message: 'enter the folder to export into (a new or empty one)',
        atMs: Date.now(),
      };
      return false;
    }
    const result = await run('modelExport', `Export ${id} to ${folder}`, () =>
      useBridge().call('models.export', { id, dir: folder }),
    );
    if (result) lastExport.value = { id, path: result.path };
    return result !== null;
  }

  /** Asks main for a folder with the desktop dialog; null where there is none (or the operator cancelled). */
  async function pickFolder(title: string): Promise<string | null> {
    const result = await run('pickFolder', 'Browse for a folder', () =>
      useBridge().call('system.pickFolder', { title }),
    );
    if (!result) return null;
    pickFolderSupported.value = result.supported;
    return result.path;
  }

  // ---- pair review ----

  function setPairFilter(patch: Partial<PairFilterForm>): void {
    Object.assign(pairFilter, patch);
    pairPage.value = 0;
    selectedPairIds.value = [];
    void refreshPairs();
  }

  function goToPairPage(page: number): void {
    if (page < 0 || (page > pairPage.value && !pairsHasMore.value)) return;
    pairPage.value = page;
    selectedPairIds.value = [];
    void refreshPairs();
  }

  function togglePair(id: number, on: boolean): void {
    const has = selectedPairSet.value.has(id);
    if (on && !has) selectedPairIds.value = [...selectedPairIds.value, id];
    else if (!on && has) selectedPairIds.value = selectedPairIds.value.filter((other) => other !== id);
  }

  function selectAllPairsOnPage(on: boolean): void {
    selectedPairIds.value = on ? pairs.value.map((pair) => pair.id) : [];
  }

  async function setPairStatus(ids: readonly number[], status: PairStatus): Promise<boolean> {
    if (ids.length === 0) return false;
    const what = ids.length === 1 ? `pair ${ids[0]}` : `${ids.length} pairs`;
    const verb = status === 'active' ? 'Restore' : status === 'flipped' ? 'Flip' : 'Discard';
    const result = await run('pairStatus', `${verb} ${what}`, () =>
      useBridge().call('pairs.setStatus', { ids: [...ids], status }),
    );
    await Promise.all([refreshPairs(), refreshSummary()]);
    return result !== null;
  }

  return {
    summary,
    summaryError,
    labelled,
    job,
    jobLoaded,
    jobError,
    running,
    waitingForVerdict,
    models,
    modelsLoaded,
    modelsError,
    inUse,
    selectedModelId,
    selectedModel,
    canRollBack,
    lastExport,
    reportsById,
    reportsError,
    reportsLoading,
    pairs,
    pairsLoaded,
    pairsError,
    pairsHasMore,
    pairPage,
    pairFilter,
    selectedPairIds,
    selectedPairSet,
    allPairsOnPageSelected,
    pickFolderSupported,
    lastError,
    pending,
    isPending,
    errorFor,
    clearError,
    start,
    refreshSummary,
    refreshModels,
    refreshPairs,
    ensureReports,
    reportById,
    startRefine,
    cancel,
    promote,
    discard,
    selectModel,
    promoteModel,
    rollback,
    deleteModel,
    exportModel,
    pickFolder,
    setPairFilter,
    goToPairPage,
    togglePair,
    selectAllPairsOnPage,
    setPairStatus,
  };
});
