import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { IDLE_RUN_STATUS, type PolicyInfo, type RunStatus } from '../../../shared/policy/policyTypes';
import { useBridge } from '../bridge/connectBridge';
import { useActionTracker, type ActionError } from './actionTracker';
import { coachErrorText } from './coachErrorText';

/** The policy and run actions the console offers; each maps to one contract method. */
export type PolicyAction = 'load' | 'unload' | 'pickFolder' | 'start' | 'stop';

/** A failed action as the operator sees it (label: "Load /data/models/nora"). */
export type PolicyActionError = ActionError<PolicyAction>;

/** The message of a thrown CoachError, in the operator's words (coachErrorText). */
export function policyErrorOf(thrown: unknown): { code: string; message: string } {
  return coachErrorText(thrown, 'this version of Coach’s main process has no policy runner');
}

/** Phases in which an attempt is under way (the arm may move). */
export function isRunning(status: RunStatus): boolean {
  return status.phase === 'starting' || status.phase === 'inferring' || status.phase === 'executing';
}

/**
 * The policy as the console sees it: the loaded model package (policy.info, re-read after every
 * load/unload and now and then), the attempt from the `run.status` stream, and one action per method.
 * Actions never throw: a failure is kept in `lastError` until the same kind of action succeeds.
 */
export const usePolicyStore = defineStore('policy', () => {
  const info = shallowRef<PolicyInfo | null>(null);
  /** True once policy.info answered (null included). */
  const infoLoaded = ref(false);
  const infoError = ref<string | null>(null);
  const status = shallowRef<RunStatus>(IDLE_RUN_STATUS);
  const statusError = ref<string | null>(null);
  const { lastError, pending, isPending, errorFor, clearError, run } = useActionTracker<PolicyAction>(policyErrorOf);
  /**
   * Whether system.pickFolder opens a dialog: Electron has one, a browser does not. Assumed from the
   * transport until a pickFolder answer says otherwise.
   */
  const pickFolderSupported = ref(false);
  let started = false;
  let infoInFlight = false;

  const running = computed(() => isRunning(status.value));
  const loaded = computed(() => info.value !== null);
  /** The predicted chunk to draw, while an attempt runs. */
  const liveOverlay = computed(() => (running.value ? status.value.overlay : null));

  function takeStatus(next: RunStatus): void {
    const current = status.value;
    // A call's answer may arrive after a newer stream value: keep the newest attempt's latest state.
    if (next.runId < current.runId) return;
    if (next.runId === current.runId && next !== current) {
      if (current.phase === 'finished' && next.phase !== 'finished') return;
      if (next.phase !== 'finished' && next.elapsedS < current.elapsedS) return;
    }
    status.value = next;
  }

  async function refreshInfo(): Promise<void> {
    if (infoInFlight) return;
    infoInFlight = true;
    try {
      info.value = await useBridge().call('policy.info', {});
      infoLoaded.value = true;
      infoError.value = null;
    } catch (thrown) {
      infoError.value = policyErrorOf(thrown).message;
    } finally {
      infoInFlight = false;
    }
  }

  async function refreshStatus(): Promise<void> {
    try {
      takeStatus(await useBridge().call('run.status', {}));
      statusError.value = null;
    } catch (thrown) {
      statusError.value = policyErrorOf(thrown).message;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    pickFolderSupported.value = bridge.transport === 'electron-ipc';
    bridge.subscribe(
      'run.status',
      {},
      (next) => {
        takeStatus(next);
        statusError.value = null;
      },
      (error) => (statusError.value = policyErrorOf(error).message),
    );
    // Every load, unload or worker failure (from this console or another client) arrives on this stream.
    bridge.subscribe(
      'policy.info',
      {},
      (next) => {
        info.value = next;
        infoLoaded.value = true;
        infoError.value = null;
      },
      (error) => (infoError.value = policyErrorOf(error).message),
    );
    if (bridge.connectionState() === 'open') void refreshStatus();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') void refreshStatus();
    });
  }

  async function load(path: string): Promise<boolean> {
    const folder = path.trim();
    if (!folder) {
      lastError.value = {
        action: 'load',
        label: 'Load a model package',
        code: 'invalid_arguments',
        message: 'enter the path of a model package folder',
        atMs: Date.now(),
      };
      return false;
    }
    const result = await run('load', `Load ${folder}`, () => useBridge().call('policy.load', { path: folder }));
    if (result) {
      info.value = result;
      infoLoaded.value = true;
      infoError.value = null;
      return true;
    }
    return false;
  }

  async function unload(): Promise<boolean> {
    const name = info.value?.name ?? 'the model';
    const ok = (await run('unload', `Unload ${name}`, async () => {
      await useBridge().call('policy.unload', {});
      return true;
    })) as boolean | null;
    await refreshInfo();
    return ok === true;
  }

  /** Asks main for a folder with the desktop dialog; null where there is none (or the operator cancelled). */
  async function pickFolder(title = 'Choose a model package folder'): Promise<string | null> {
    const result = await run('pickFolder', 'Browse for a folder', () =>
      useBridge().call('system.pickFolder', { title }),
    );
    if (!result) return null;
    pickFolderSupported.value = result.supported;
    return result.path;
  }

  async function startRun(instruction: string): Promise<boolean> {
    const result = await run('start', `Run “${instruction.trim()}”`, () =>
      useBridge().call('run.start', { instruction: instruction.trim() }),
    );
    if (result) takeStatus(result);
    return result !== null;
  }

  async function stopRun(reason?: string): Promise<boolean> {
    const result = await run('stop', 'Stop the attempt', () =>
      useBridge().call('run.stop', reason === undefined ? {} : { reason }),
    );
    if (result) takeStatus(result);
    return result !== null;
  }

  return {
    info,
    infoLoaded,
    infoError,
    status,
    statusError,
    lastError,
    pending,
    pickFolderSupported,
    running,
    loaded,
    liveOverlay,
    isPending,
    errorFor,
    clearError,
    start,
    refreshInfo,
    refreshStatus,
    load,
    unload,
    pickFolder,
    startRun,
    stopRun,
  };
});
