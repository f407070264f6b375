import { defineStore } from 'pinia';
import { computed, reactive, ref, shallowRef, watch } from 'vue';
import type {
  EpisodeCounts,
  EpisodeEvent,
  EpisodeFilter,
  EpisodeFrame,
  EpisodeLabel,
  EpisodeOutcome,
  EpisodeReplay,
  EpisodeSummary,
  ExportFormat,
  ExportProgress,
} from '../../../shared/episodes/episodeTypes';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { coachErrorText } from './coachErrorText';

/** The episode actions the console offers; each maps to one or a few contract calls. */
export type EpisodeAction =
  'label' | 'note' | 'exclude' | 'delete' | 'undo' | 'mark' | 'manual' | 'export' | 'cancelExport' | 'pickFolder';

/** A failed action as the operator sees it (label: "Label 3 episodes good"). */
export type EpisodeActionError = ActionError<EpisodeAction>;

export interface ExportCodecs {
  ffmpeg: string | null;
  h264: boolean;
  av1: boolean;
}

/** The browser's filter as the form holds it: '' means "any". */
export interface EpisodeFilterForm {
  task: string;
  outcome: EpisodeOutcome | '';
  label: EpisodeLabel | 'unlabeled' | '';
  modelVersion: string;
  /** yyyy-mm-dd (an <input type="date">), local days, both inclusive. */
  fromDate: string;
  toDate: string;
  includeExcluded: boolean;
}

/** The message of a thrown CoachError, in the operator's words (coachErrorText). */
export function episodeErrorOf(thrown: unknown): { code: string; message: string } {
  return coachErrorText(thrown, 'this version of Coach’s main process does not record episodes');
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Local midnight of a yyyy-mm-dd date, ms since the epoch (NaN for a malformed date). */
function localMidnightMs(date: string): number {
  const [year, month, day] = date.split('-').map(Number);
  if (!year || !month || !day) return Number.NaN;
  return new Date(year, month - 1, day).getTime();
}

/** The contract's filter for a form; '' fields are left out. */
export function filterFromForm(form: EpisodeFilterForm): EpisodeFilter {
  const filter: EpisodeFilter = { includeExcluded: form.includeExcluded };
  const task = form.task.trim();
  if (task) filter.task = task;
  if (form.outcome) filter.outcomes = [form.outcome];
  if (form.label) filter.labels = [form.label];
  if (form.modelVersion) filter.modelVersion = form.modelVersion;
  const fromMs = form.fromDate ? localMidnightMs(form.fromDate) : Number.NaN;
  if (Number.isFinite(fromMs)) filter.fromMs = fromMs;
  // "To" names a day: everything started before the next midnight.
  const toMs = form.toDate ? localMidnightMs(form.toDate) : Number.NaN;
  if (Number.isFinite(toMs)) filter.toMs = toMs + DAY_MS;
  return filter;
}

function emptyForm(): EpisodeFilterForm {
  return {
    task: '',
    outcome: '',
    label: '',
    modelVersion: '',
    fromDate: '',
    toDate: '',
    includeExcluded: true,
  };
}

const TERMINAL_EXPORT_PHASES: ReadonlySet<ExportProgress['phase']> = new Set(['done', 'failed', 'cancelled']);

export function isExportFinished(progress: ExportProgress): boolean {
  return TERMINAL_EXPORT_PHASES.has(progress.phase);
}

/** Rows per page of the browser. */
export const EPISODE_PAGE_SIZE = 50;
/** Catalog events come in bursts (a bulk label touches many rows): refresh once they settle. */
const REFRESH_DEBOUNCE_MS = 150;
const FILTER_DEBOUNCE_MS = 250;

/**
 * Recorded episodes as the console sees them: the browser's page, filter, counts and selection, the
 * label prompt after each attempt, the manual-session recorder, the replay view's episode and the export
 * job. Everything refreshes from the `episodes.events` and `export.progress` streams. Actions never
 * throw: a failure is kept in `lastError` until the same kind of action succeeds.
 */
export const useEpisodesStore = defineStore('episodes', () => {
  const form = reactive<EpisodeFilterForm>(emptyForm());
  const page = ref(0);
  const episodes = shallowRef<EpisodeSummary[]>([]);
  const total = ref(0);
  const counts = shallowRef<EpisodeCounts | null>(null);
  /** Every model version in the catalog (for the filter's choices), whatever the filter. */
  const modelVersions = shallowRef<string[]>([]);
  /** Episodes in the catalog, whatever the filter. */
  const catalogTotal = ref(0);
  const loaded = ref(false);
  const listError = ref<string | null>(null);
  const selected = ref<number[]>([]);
  const { lastError, pending, isPending, errorFor, clearError, run } = useActionTracker<EpisodeAction>(episodeErrorOf);
  /** The ids of the last delete, while episodes.undoDelete can bring them back. */
  const undoableIds = ref<number[]>([]);

  /** The newest attempt recorded: what the label prompt shows. */
  const promptEpisode = shallowRef<EpisodeSummary | null>(null);
  const promptOpen = ref(false);
  /** The prompt's episode was deleted: hidden until an undo brings it back. */
  const promptDeleted = ref(false);

  /** The manual session being recorded, if any. */
  const manualEpisode = shallowRef<EpisodeSummary | null>(null);
  /** The episode being recorded now (an attempt or a manual session), if any: the status bar shows it. */
  const recordingEpisode = shallowRef<EpisodeSummary | null>(null);

  const replayId = ref<number | null>(null);
  const replay = shallowRef<EpisodeReplay | null>(null);
  const replayError = ref<string | null>(null);
  const replayLoading = ref(false);

  const exportOpen = ref(false);
  /** The newest export.progress value (this console's job or another client's). */
  const exportProgress = shallowRef<ExportProgress | null>(null);
  /** The job this console started last: the dialog shows its progress. */
  const exportJobId = ref<number | null>(null);
  const codecs = shallowRef<ExportCodecs | null>(null);
  const codecsError = ref<string | null>(null);
  /** Whether system.pickFolder opens a dialog: Electron has one, a browser does not. */
  const pickFolderSupported = ref(false);

  let started = false;
  let listSeq = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let filterTimer: ReturnType<typeof setTimeout> | null = null;

  const filter = computed(() => filterFromForm(form));
  const pageCount = computed(() => Math.max(1, Math.ceil(total.value / EPISODE_PAGE_SIZE)));
  const selectedSet = computed(() => new Set(selected.value));
  const allOnPageSelected = computed(
    () => episodes.value.length > 0 && episodes.value.every((episode) => selectedSet.value.has(episode.id)),
  );
  const recordingManual = computed(() => manualEpisode.value !== null);
  const jobProgress = computed(() =>
    exportProgress.value && exportProgress.value.jobId === exportJobId.value ? exportProgress.value : null,
  );
  const exporting = computed(() => (jobProgress.value ? !isExportFinished(jobProgress.value) : false));

  // ---- browser ----

  async function refresh(): Promise<void> {
    const seq = ++listSeq;
    const bridge = useBridge();
    const current = filter.value;
    try {
      const [list, filteredCounts, allCounts] = await Promise.all([
        bridge.call('episodes.list', {
          filter: current,
          limit: EPISODE_PAGE_SIZE,
          offset: page.value * EPISODE_PAGE_SIZE,
        }),
        bridge.call('episodes.counts', { filter: current }),
        bridge.call('episodes.counts', { filter: { includeExcluded: true } }),
      ]);
      if (seq !== listSeq) return;
      // A delete can empty the last page: show the one before it.
      if (list.episodes.length === 0 && list.total > 0 && page.value > 0) {
        page.value = Math.max(0, Math.ceil(list.total / EPISODE_PAGE_SIZE) - 1);
        void refresh();
        return;
      }
      episodes.value = list.episodes;
      total.value = list.total;
      counts.value = filteredCounts;
      catalogTotal.value = allCounts.total;
      modelVersions.value = allCounts.byModelVersion.map((entry) => entry.modelVersion).sort();
      const visible = new Set(list.episodes.map((episode) => episode.id));
      if (selected.value.some((id) => !visible.has(id)))
        selected.value = selected.value.filter((id) => visible.has(id));
      loaded.value = true;
      listError.value = null;
    } catch (thrown) {
      if (seq === listSeq) listError.value = episodeErrorOf(thrown).message;
    }
  }

  function scheduleRefresh(delayMs = REFRESH_DEBOUNCE_MS): void {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, delayMs);
  }

  watch(
    form,
    () => {
      if (filterTimer) clearTimeout(filterTimer);
      filterTimer = setTimeout(() => {
        filterTimer = null;
        page.value = 0;
        void refresh();
      }, FILTER_DEBOUNCE_MS);
    },
    { deep: true },
  );

  function resetFilter(): void {
    Object.assign(form, emptyForm());
  }

  function goToPage(next: number): void {
    const clamped = Math.max(0, Math.min(pageCount.value - 1, next));
    if (clamped === page.value) return;
    page.value = clamped;
    void refresh();
  }

  function toggleSelected(id: number, on: boolean): void {
    const has = selectedSet.value.has(id);
    if (on && !has) selected.value = [...selected.value, id];
    else if (!on && has) selected.value = selected.value.filter((other) => other !== id);
  }

  function selectAllOnPage(on: boolean): void {
    selected.value = on ? episodes.value.map((episode) => episode.id) : [];
  }

  /** Puts changed episodes in place in the page and the prompt, without waiting for the refresh. */
  function takeEpisodes(changed: EpisodeSummary[]): void {
    const byId = new Map(changed.map((episode) => [episode.id, episode]));
    if (episodes.value.some((episode) => byId.has(episode.id)))
      episodes.value = episodes.value.map((episode) => byId.get(episode.id) ?? episode);
    const prompt = promptEpisode.value && byId.get(promptEpisode.value.id);
    if (prompt) promptEpisode.value = prompt;
    const replayed = replay.value && byId.get(replay.value.episode.id);
    if (replayed && replay.value) replay.value = { ...replay.value, episode: replayed };
  }

  function countText(ids: number[]): string {
    return ids.length === 1 ? `episode #${ids[0]}` : `${ids.length} episodes`;
  }

  async function label(ids: number[], value: EpisodeLabel | null): Promise<boolean> {
    if (!ids.length) return false;
    const result = await run('label', `Label ${countText(ids)} ${value ?? '(clear)'}`, () =>
      useBridge().call('episodes.label', { ids, label: value }),
    );
    if (result) takeEpisodes(result);
    scheduleRefresh();
    return result !== null;
  }

  async function setExcluded(ids: number[], excluded: boolean): Promise<boolean> {
    if (!ids.length) return false;
    const result = await run('exclude', `${excluded ? 'Exclude' : 'Include'} ${countText(ids)}`, () =>
      useBridge().call('episodes.setExcluded', { ids, excluded }),
    );
    if (result) takeEpisodes(result);
    scheduleRefresh();
    return result !== null;
  }

  async function setNote(id: number, note: string): Promise<boolean> {
    const result = await run('note', `Save the note of episode #${id}`, () =>
      useBridge().call('episodes.setNote', { id, note }),
    );
    if (result) takeEpisodes([result]);
    scheduleRefresh();
    return result !== null;
  }

  async function remove(ids: number[]): Promise<boolean> {
    if (!ids.length) return false;
    const result = await run('delete', `Delete ${countText(ids)}`, () => useBridge().call('episodes.delete', { ids }));
    if (result) {
      undoableIds.value = result.deleted;
      const gone = new Set(result.deleted);
      selected.value = selected.value.filter((id) => !gone.has(id));
      if (replayId.value !== null && gone.has(replayId.value)) closeReplay();
    }
    scheduleRefresh(0);
    return result !== null;
  }

  async function undoDelete(): Promise<boolean> {
    const result = await run('undo', 'Undo the delete', () => useBridge().call('episodes.undoDelete', {}));
    if (result) undoableIds.value = [];
    scheduleRefresh(0);
    return result !== null;
  }

  // ---- label prompt ----

  function openPrompt(): void {
    if (promptEpisode.value && !promptDeleted.value) promptOpen.value = true;
  }

  function closePrompt(): void {
    promptOpen.value = false;
  }

  /** The prompt's answer: the label, plus the note and "exclude from training" where they changed. */
  async function answerPrompt(value: EpisodeLabel, note: string, excluded: boolean): Promise<boolean> {
    const episode = promptEpisode.value;
    if (!episode) return false;
    const ids = [episode.id];
    if (!(await label(ids, value))) return false;
    if (note !== episode.note && !(await setNote(episode.id, note))) return false;
    if (excluded !== episode.excluded && !(await setExcluded(ids, excluded))) return false;
    promptOpen.value = false;
    return true;
  }

  /** Saves the prompt's note and exclusion without labelling. */
  async function savePromptDetails(note: string, excluded: boolean): Promise<boolean> {
    const episode = promptEpisode.value;
    if (!episode) return false;
    if (note !== episode.note && !(await setNote(episode.id, note))) return false;
    if (excluded !== episode.excluded && !(await setExcluded([episode.id], excluded))) return false;
    return true;
  }

  async function refetchPromptEpisode(id: number): Promise<void> {
    try {
      const episode = await useBridge().call('episodes.get', { id });
      if (promptEpisode.value?.id === id) promptEpisode.value = episode;
    } catch {
      // Deleted meanwhile: the 'deleted' event clears the prompt.
    }
  }

  // ---- manual sessions ----

  async function findRecordingManual(): Promise<void> {
    try {
      const list = await useBridge().call('episodes.list', {
        filter: { kind: 'manual', includeExcluded: true },
        limit: 1,
        offset: 0,
      });
      const newest = list.episodes[0];
      manualEpisode.value = newest && newest.status === 'recording' ? newest : null;
    } catch {
      // The browser shows the catalog's error.
    }
  }

  /** After a (re)connection: is the newest episode still being recorded? */
  async function findRecording(): Promise<void> {
    try {
      const list = await useBridge().call('episodes.list', { filter: { includeExcluded: true }, limit: 1, offset: 0 });
      const newest = list.episodes[0];
      recordingEpisode.value = newest && newest.status === 'recording' ? newest : null;
    } catch {
      // The browser shows the catalog's error.
    }
  }

  async function startManual(): Promise<boolean> {
    const result = await run('manual', 'Start recording a manual session', () =>
      useBridge().call('episodes.startManual', { instruction: 'manual session' }),
    );
    if (result) manualEpisode.value = result;
    scheduleRefresh();
    return result !== null;
  }

  async function stopManual(): Promise<boolean> {
    const result = await run('manual', 'Stop recording the manual session', () =>
      useBridge().call('episodes.stopManual', {}),
    );
    if (result) manualEpisode.value = null;
    scheduleRefresh();
    return result !== null;
  }

  // ---- replay ----

  async function loadReplay(id: number): Promise<void> {
    replayLoading.value = true;
    try {
      const next = await useBridge().call('episodes.replay', { id });
      if (replayId.value !== id) return;
      replay.value = next;
      replayError.value = null;
    } catch (thrown) {
      if (replayId.value === id) replayError.value = episodeErrorOf(thrown).message;
    } finally {
      if (replayId.value === id) replayLoading.value = false;
    }
  }

  function openReplay(id: number): void {
    if (replayId.value === id && replay.value) return;
    replayId.value = id;
    replay.value = null;
    replayError.value = null;
    void loadReplay(id);
  }

  function closeReplay(): void {
    replayId.value = null;
    replay.value = null;
    replayError.value = null;
    replayLoading.value = false;
  }

  async function fetchFrame(id: number, camera: string, index: number): Promise<EpisodeFrame> {
    return useBridge().call('episodes.frame', { id, camera, index });
  }

  async function addMark(
    id: number,
    startS: number,
    endS: number,
    value: EpisodeLabel,
    note: string,
  ): Promise<boolean> {
    const result = await run('mark', `Mark ${startS.toFixed(2)}–${endS.toFixed(2)} s of episode #${id}`, () =>
      useBridge().call('episodes.addMark', { id, startS, endS, label: value, note }),
    );
    if (result) takeEpisodes([result]);
    return result !== null;
  }

  async function removeMark(id: number, markId: number): Promise<boolean> {
    const result = await run('mark', `Remove a mark of episode #${id}`, () =>
      useBridge().call('episodes.removeMark', { id, markId }),
    );
    if (result) takeEpisodes([result]);
    return result !== null;
  }

  // ---- export ----

  function takeProgress(next: ExportProgress | null): void {
    if (!next) return;
    const current = exportProgress.value;
    if (current && next.jobId < current.jobId) return;
    // A call's answer may arrive after a newer stream value: a finished job stays finished.
    if (current && next.jobId === current.jobId && isExportFinished(current) && !isExportFinished(next)) return;
    exportProgress.value = next;
  }

  async function loadCodecs(): Promise<void> {
    try {
      codecs.value = await useBridge().call('export.codecs', {});
      codecsError.value = null;
    } catch (thrown) {
      codecsError.value = episodeErrorOf(thrown).message;
    }
  }

  /** How many episodes a filter matches (for the export dialog); null when the catalog cannot say. */
  async function countMatching(matching: EpisodeFilter): Promise<number | null> {
    try {
      return (await useBridge().call('episodes.counts', { filter: matching })).total;
    } catch {
      return null;
    }
  }

  function openExport(): void {
    exportOpen.value = true;
    if (!codecs.value) void loadCodecs();
  }

  function closeExport(): void {
    exportOpen.value = false;
  }

  async function startExport(request: {
    format: ExportFormat;
    outDir: string;
    filter: EpisodeFilter;
    videoCodec: 'h264' | 'av1';
  }): Promise<boolean> {
    const result = await run('export', `Export to ${request.outDir}`, () =>
      useBridge().call('export.start', { ...request, robotType: 'galaxea_a1' }),
    );
    if (result) {
      exportJobId.value = result.jobId;
      takeProgress(result);
    }
    return result !== null;
  }

  async function cancelExport(): Promise<boolean> {
    const jobId = exportJobId.value;
    if (jobId === null) return false;
    const result = await run('cancelExport', 'Cancel the export', () => useBridge().call('export.cancel', { jobId }));
    if (result) takeProgress(result);
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

  // ---- streams ----

  function onEvent(event: EpisodeEvent): void {
    const episode = event.episode;
    if (event.kind === 'recording' && episode?.kind === 'manual') manualEpisode.value = episode;
    if (event.kind === 'recording' && episode) recordingEpisode.value = episode;
    const recordingId = recordingEpisode.value?.id;
    if (
      recordingId !== undefined &&
      (event.kind === 'recorded' || event.kind === 'deleted') &&
      event.ids.includes(recordingId)
    )
      recordingEpisode.value = null;
    if (event.kind === 'recorded' && episode) {
      if (episode.kind === 'manual') {
        if (manualEpisode.value?.id === episode.id) manualEpisode.value = null;
      } else {
        promptEpisode.value = episode;
        promptOpen.value = true;
        promptDeleted.value = false;
      }
    }
    // An edit of one episode carries it; an edit of many names them only.
    if (event.kind === 'updated' && episode) takeEpisodes([episode]);
    const promptId = promptEpisode.value?.id;
    if (promptId !== undefined && event.ids.includes(promptId)) {
      if (event.kind === 'deleted') {
        promptOpen.value = false;
        promptDeleted.value = true;
      } else if (event.kind === 'restored' || (event.kind === 'updated' && !episode)) {
        promptDeleted.value = false;
        void refetchPromptEpisode(promptId);
      }
    }
    if (event.kind === 'deleted' && replayId.value !== null && event.ids.includes(replayId.value)) closeReplay();
    if (event.kind === 'updated' && !episode && replayId.value !== null && event.ids.includes(replayId.value)) {
      void refreshReplayEpisode(replayId.value);
    }
    scheduleRefresh();
  }

  async function refreshReplayEpisode(id: number): Promise<void> {
    try {
      const episode = await useBridge().call('episodes.get', { id });
      if (replay.value?.episode.id === id) replay.value = { ...replay.value, episode };
    } catch {
      // Deleted meanwhile: the 'deleted' event closes the replay.
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    pickFolderSupported.value = bridge.transport === 'electron-ipc';
    bridge.subscribe('episodes.events', {}, onEvent, (error) => (listError.value = episodeErrorOf(error).message));
    bridge.subscribe('export.progress', {}, takeProgress);
    const load = () => {
      void refresh();
      void findRecordingManual();
      void findRecording();
    };
    if (bridge.connectionState() === 'open') load();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') load();
    });
  }

  return {
    form,
    filter,
    page,
    pageCount,
    episodes,
    total,
    counts,
    modelVersions,
    catalogTotal,
    loaded,
    listError,
    selected,
    selectedSet,
    allOnPageSelected,
    lastError,
    pending,
    undoableIds,
    promptEpisode,
    promptOpen,
    promptDeleted,
    manualEpisode,
    recordingEpisode,
    recordingManual,
    replayId,
    replay,
    replayError,
    replayLoading,
    exportOpen,
    exportProgress,
    exportJobId,
    jobProgress,
    exporting,
    codecs,
    codecsError,
    pickFolderSupported,
    isPending,
    errorFor,
    clearError,
    start,
    refresh,
    resetFilter,
    goToPage,
    toggleSelected,
    selectAllOnPage,
    label,
    setExcluded,
    setNote,
    remove,
    undoDelete,
    openPrompt,
    closePrompt,
    answerPrompt,
    savePromptDetails,
    startManual,
    stopManual,
    openReplay,
    closeReplay,
    fetchFrame,
    addMark,
    removeMark,
    countMatching,
    openExport,
    closeExport,
    startExport,
    cancelExport,
    pickFolder,
  };
});
