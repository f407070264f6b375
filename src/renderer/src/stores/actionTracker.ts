import { ref, shallowRef, type Ref } from 'vue';

/** A failed action as the operator sees it. */
export interface ActionError<A extends string> {
  action: A;
  /** What was attempted, in the operator's words ("Load /data/models/nora"). */
  label: string;
  code: string;
  message: string;
  atMs: number;
}

export interface ActionTrackerOptions {
  /**
   * Which success clears the last error: 'same' only a success of the action that failed (the default),
   * 'any' a success of any action.
   */
  clearOn?: 'same' | 'any';
}

/**
 * The actions a store has in flight and the last one that failed, for stores whose actions never throw:
 * `run` keeps a failure in `lastError` (in the operator's words, through `errorOf`) and answers null.
 */
export function useActionTracker<A extends string>(
  errorOf: (thrown: unknown) => { code: string; message: string },
  { clearOn = 'same' }: ActionTrackerOptions = {},
) {
  const lastError = shallowRef<ActionError<A> | null>(null);
  /** Actions in flight (several may overlap, the same one included). */
  const pending = ref<A[]>([]) as Ref<A[]>;

  function isPending(action: A): boolean {
    return pending.value.includes(action);
  }

  function errorFor(action: A): ActionError<A> | null {
    return lastError.value?.action === action ? lastError.value : null;
  }

  function clearError(action?: A): void {
    if (!action || lastError.value?.action === action) lastError.value = null;
  }

  /** Runs one call; on success clears the last error (see `clearOn`), on failure keeps it and answers null. */
  async function run<T>(action: A, label: string, call: () => Promise<T>): Promise<T | null> {
    pending.value = [...pending.value, action];
    try {
      const result = await call();
      if (clearOn === 'any' || lastError.value?.action === action) lastError.value = null;
      return result;
    } catch (thrown) {
      lastError.value = { action, label, ...errorOf(thrown), atMs: Date.now() };
      return null;
    } finally {
      const index = pending.value.indexOf(action);
      if (index >= 0) pending.value = pending.value.filter((_, i) => i !== index);
    }
  }

  return { lastError, pending, isPending, errorFor, clearError, run };
}
