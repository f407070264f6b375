import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { addToast, TOAST_HIDE_MS, type Toast, type ToastInput } from '../components/toasts/toastText';

/**
 * The toasts in the corner: faults and failed actions with what to do. Faults stay until dismissed; the others
 * hide after a few seconds (a repeat of the same toast restarts its time).
 */
export const useToastStore = defineStore('toasts', () => {
  /** Newest first. */
  const toasts = shallowRef<Toast[]>([]);
  const timers = new Map<number, ReturnType<typeof setTimeout>>();
  let nextId = 1;

  function forget(id: number): void {
    const timer = timers.get(id);
    if (timer) clearTimeout(timer);
    timers.delete(id);
  }

  function dismiss(id: number): void {
    forget(id);
    toasts.value = toasts.value.filter((toast) => toast.id !== id);
  }

  function push(input: ToastInput): Toast {
    const id = nextId++;
    const next = addToast(toasts.value, input, id, Date.now());
    // Replaced and dropped toasts lose their timers.
    const kept = new Set(next.map((toast) => toast.id));
    for (const old of toasts.value) if (!kept.has(old.id)) forget(old.id);
    toasts.value = next;
    const hideMs = TOAST_HIDE_MS[input.tone];
    if (!input.sticky && hideMs > 0)
      timers.set(
        id,
        setTimeout(() => dismiss(id), hideMs),
      );
    return next[0]!;
  }

  function dismissAll(): void {
    for (const id of timers.keys()) forget(id);
    toasts.value = [];
  }

  return { toasts, push, dismiss, dismissAll };
});
