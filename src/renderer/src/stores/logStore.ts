import { defineStore } from 'pinia';
import { shallowRef, watch } from 'vue';
import { useBridge } from '../bridge/connectBridge';
import {
  episodeEventText,
  prependEntry,
  runEnded,
  runStartedText,
  type LogEntry,
  type LogSource,
  type LogTone,
} from '../components/log/logText';
import { useToastStore } from './toastStore';
import { usePolicyStore } from './policyStore';

/**
 * The session's log: faults and failed actions (the toasts), attempts starting and ending, episode events, layout
 * repairs. Newest first, capped; lives as long as the page (not saved).
 */
export const useLogStore = defineStore('log', () => {
  const entries = shallowRef<LogEntry[]>([]);
  let nextId = 1;
  let started = false;

  function add(tone: LogTone, source: LogSource, text: string): void {
    entries.value = prependEntry(entries.value, { id: nextId++, atMs: Date.now(), tone, source, text });
  }

  function clear(): void {
    entries.value = [];
  }

  function start(): void {
    if (started) return;
    started = true;

    let lastToastId = 0;
    const toasts = useToastStore();
    watch(
      () => toasts.toasts,
      (list) => {
        // Oldest first, so the log keeps their order; a repeated toast has a new id and logs again.
        for (const toast of [...list].reverse()) {
          if (toast.id <= lastToastId) continue;
          lastToastId = toast.id;
          // Layout warnings are logged by the layout store itself.
          if (toast.key.startsWith('layout:')) continue;
          const source: LogSource = toast.tone === 'fault' ? 'fault' : 'error';
          add(toast.tone, source, `${toast.title}: ${toast.message}`);
        }
      },
    );

    const policy = usePolicyStore();
    // Attempts up to this one ended before the page saw them: not logged.
    let baselineRun: number | null = null;
    let lastStartedRun = 0;
    let lastEndedRun = 0;
    watch(
      () => policy.status,
      (status) => {
        const ended = status.phase === 'idle' || status.phase === 'finished';
        baselineRun ??= ended ? status.runId : status.runId - 1;
        if (status.runId <= baselineRun) return;
        // Latest-value streams may skip the running phases of a short attempt: its start is logged with its end.
        if (status.runId > lastStartedRun) {
          lastStartedRun = status.runId;
          add('info', 'run', runStartedText(status));
        }
        if (status.phase === 'finished' && status.runId > lastEndedRun) {
          lastEndedRun = status.runId;
          const line = runEnded(status);
          add(line.tone, 'run', line.text);
        }
      },
    );

    useBridge().subscribe('episodes.events', {}, (event) => {
      const line = episodeEventText(event);
      if (line) add(line.tone, 'episode', line.text);
    });
  }

  return { entries, add, clear, start };
});
