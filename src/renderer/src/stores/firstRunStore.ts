import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useBridge } from '../bridge/connectBridge';
import { usePolicyStore } from './policyStore';

/** The guided first task. */
export const FIRST_RUN_INSTRUCTION = 'put the grape in the plate';

/**
 * The first-run guide: shown on a data folder whose settings say it was never done (ui.firstRunDone), until the first
 * attempt ends or the operator skips it; then saved as done, so it never shows again.
 */
export const useFirstRunStore = defineStore('firstRun', () => {
  /** null until the settings answered. */
  const done = ref<boolean | null>(null);
  const policy = usePolicyStore();
  let started = false;

  const attemptRunning = computed(() => policy.status.runId >= 1 && policy.running);
  const visible = computed(() => done.value === false);

  async function load(): Promise<void> {
    try {
      const settings = await useBridge().call('settings.get', {});
      if (done.value !== true) done.value = settings.ui.firstRunDone;
      checkAttempt();
    } catch {
      // Without the settings the guide stays away rather than nag.
    }
  }

  /** Done once an attempt has ended (the operator's own or one from the CLI: the bench works either way). */
  function checkAttempt(): void {
    const status = policy.status;
    if (done.value === false && status.runId >= 1 && (status.phase === 'finished' || status.phase === 'idle'))
      void finish();
  }

  async function finish(): Promise<void> {
    if (done.value === true) return;
    done.value = true;
    try {
      await useBridge().call('settings.update', { ui: { firstRunDone: true } });
    } catch {
      // Not saved: it shows again next time, which is harmless.
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    if (bridge.connectionState() === 'open') void load();
    bridge.onConnectionState((connection) => {
      if (connection === 'open' && done.value === null) void load();
    });
    watch(() => policy.status, checkAttempt);
  }

  return { done, visible, attemptRunning, start, finish };
});
