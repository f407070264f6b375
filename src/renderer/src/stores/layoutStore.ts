import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { settingsPatchSchema } from '../../../shared/settings';
import {
  hidePanel,
  movePanel,
  movePanelTo,
  normaliseLayout,
  presetForWidth,
  presetLayout,
  resizeColumns,
  resizePanel,
  showPanel,
  type ConsoleLayout,
  type LayoutPresetId,
  type MoveDirection,
  type PanelId,
} from '../../../shared/ui/consoleLayout';
import { useBridge } from '../bridge/connectBridge';
import { coachErrorText } from './coachErrorText';
import { useToastStore } from './toastStore';
import { useLogStore } from './logStore';

/** Changes are saved this long after the last one (a drag makes many). */
const SAVE_DELAY_MS = 400;

/**
 * The console's panel layout. Starts with the preset for the window's width, takes the saved one from the settings
 * (ui.layout) once main answers, and saves every change (debounced). Until the operator changes something nothing
 * is saved, so a console that was never arranged keeps following the window width.
 */
export const useLayoutStore = defineStore('layout', () => {
  const preset = ref<LayoutPresetId>(presetForWidth(window.innerWidth));
  const layout = shallowRef<ConsoleLayout>(presetLayout(preset.value));
  /** True once the saved layout (or its absence) is known. */
  const loaded = ref(false);
  const saveError = ref<string | null>(null);
  let started = false;
  let changedBeforeLoad = false;
  let saveTimer: ReturnType<typeof setTimeout> | null = null;

  function warn(message: string): void {
    useToastStore().push({
      key: 'layout:restore',
      tone: 'warn',
      title: 'Saved panel layout repaired',
      message,
      action: 'Arrange the panels again if needed; Panels › Reset layout gives a clean preset',
      sticky: false,
    });
    useLogStore().add('warn', 'layout', message);
  }

  async function load(): Promise<void> {
    try {
      const settings = await useBridge().call('settings.get', {});
      if (changedBeforeLoad) return;
      const saved = settings.ui.layout;
      if (saved !== null) {
        const result = normaliseLayout(saved, preset.value);
        layout.value = result.layout;
        for (const warning of result.warnings) warn(warning);
      }
      loaded.value = true;
    } catch (thrown) {
      // The console keeps the preset; a later connection tries again.
      saveError.value = `could not read the saved layout: ${coachErrorText(thrown, 'settings unavailable').message}`;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    if (bridge.connectionState() === 'open') void load();
    bridge.onConnectionState((connection) => {
      if (connection === 'open' && !loaded.value) void load();
    });
  }

  async function save(): Promise<void> {
    saveTimer = null;
    const checked = settingsPatchSchema.strict().safeParse({ ui: { layout: layout.value } });
    if (!checked.success) {
      saveError.value = `the layout was not saved: ${checked.error.issues[0]?.message ?? 'invalid'}`;
      return;
    }
    try {
      await useBridge().call('settings.update', checked.data);
      saveError.value = null;
    } catch (thrown) {
      saveError.value = `the layout was not saved: ${coachErrorText(thrown, 'settings unavailable').message}`;
    }
  }

  function apply(next: ConsoleLayout): void {
    if (next === layout.value) return;
    layout.value = next;
    if (!loaded.value) changedBeforeLoad = true;
    if (saveTimer !== null) clearTimeout(saveTimer);
    saveTimer = setTimeout(() => void save(), SAVE_DELAY_MS);
  }

  /** Saves a pending change now (before a reload, in tests). */
  async function flush(): Promise<void> {
    if (saveTimer === null) return;
    clearTimeout(saveTimer);
    await save();
  }

  return {
    preset,
    layout,
    loaded,
    saveError,
    start,
    flush,
    move: (id: PanelId, direction: MoveDirection) => apply(movePanel(layout.value, id, direction)),
    moveTo: (id: PanelId, column: number, beforeId: PanelId | null) =>
      apply(movePanelTo(layout.value, id, column, beforeId)),
    hide: (id: PanelId) => apply(hidePanel(layout.value, id)),
    show: (id: PanelId) => apply(showPanel(layout.value, id)),
    resizePanel: (id: PanelId, heightPx: number | null) => apply(resizePanel(layout.value, id, heightPx)),
    resizeColumns: (left: number, deltaFr: number) => apply(resizeColumns(layout.value, left, deltaFr)),
    reset: (to: LayoutPresetId) => {
      preset.value = to;
      apply(presetLayout(to));
    },
  };
});
