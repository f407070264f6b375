import { computed, ref, watch, type Ref } from 'vue';
import { settingsSchema, type Settings } from '../../../../shared/settings';
import { useSettingsStore, type SettingsSectionId } from '../../stores/settingsStore';

/**
 * A section's draft: built from the saved settings, edited freely, sent only on Save. It follows the saved
 * settings when its own part of them changes (a save, another client), never when another section saves.
 */
export function useSectionDraft<D>(section: SettingsSectionId, fromSettings: (settings: Settings) => D) {
  const store = useSettingsStore();
  const savedText = () => JSON.stringify(fromSettings(store.settings ?? settingsSchema.parse({})));
  const snapshot = ref(savedText());
  const draft = ref(JSON.parse(snapshot.value) as D) as Ref<D>;

  /** Back to what is saved (after a save, or to drop the edits). */
  function resetToSaved(): void {
    snapshot.value = savedText();
    draft.value = JSON.parse(snapshot.value) as D;
  }

  watch(
    () => (store.settings ? savedText() : null),
    (text) => {
      if (text !== null && text !== snapshot.value) resetToSaved();
    },
  );
  const dirty = computed(() => JSON.stringify(draft.value) !== snapshot.value);
  watch(dirty, (value) => (store.dirty[section] = value), { immediate: true });

  /** Saves through `send` (a store call); on success the draft becomes the saved value. */
  async function saveWith(send: () => Promise<boolean>): Promise<boolean> {
    const ok = await send();
    if (ok) resetToSaved();
    return ok;
  }

  return { store, draft, dirty, resetToSaved, saveWith };
}
