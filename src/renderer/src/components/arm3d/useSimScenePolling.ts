import { onBeforeUnmount, shallowRef, watch, type Ref } from 'vue';
import type { SceneSummary } from '../../../../shared/sim/sceneSummary';
import { useBridge } from '../../bridge/connectBridge';

/** Objects move only while held: 5 Hz is plenty for a glance, and cheap. */
export const SIM_SCENE_POLL_MS = 200;

/**
 * Polls `sim.scene` while `active` (the panel is on screen and the link is the sim); the latest summary,
 * or null when inactive or the sim has none. One call in flight at most; a failed poll keeps the last scene.
 */
export function useSimScenePolling(active: Ref<boolean>): Ref<SceneSummary | null> {
  const scene = shallowRef<SceneSummary | null>(null);
  let timer: ReturnType<typeof setInterval> | null = null;
  let inFlight = false;

  async function poll(): Promise<void> {
    if (inFlight || !active.value) return;
    inFlight = true;
    try {
      const next = await useBridge().call('sim.scene', {});
      if (active.value) scene.value = next;
    } catch {
      // The next poll tries again; the view keeps the last scene meanwhile.
    } finally {
      inFlight = false;
    }
  }

  function stop(): void {
    if (timer !== null) clearInterval(timer);
    timer = null;
  }

  watch(
    active,
    (isActive) => {
      stop();
      if (!isActive) {
        scene.value = null;
        return;
      }
      void poll();
      timer = setInterval(() => void poll(), SIM_SCENE_POLL_MS);
    },
    { immediate: true },
  );
  onBeforeUnmount(stop);
  return scene;
}
