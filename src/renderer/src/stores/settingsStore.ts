import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import type { z } from 'zod';
import { settingsPatchSchema, type Settings } from '../../../shared/settings';
import { useBridge } from '../bridge/connectBridge';
import { coachErrorText } from './coachErrorText';
import { fieldErrorsFrom, type FieldErrors } from '../components/settings/settingsForm';

/** The Settings panel's sections; each saves on its own. */
export const SETTINGS_SECTIONS = ['arm', 'cameras', 'model', 'refine', 'recording', 'safety'] as const;
export type SettingsSectionId = (typeof SETTINGS_SECTIONS)[number];

export interface SectionStatus {
  saving: boolean;
  /** When the section was last saved (for the "saved" confirmation). */
  savedAtMs: number | null;
  /** Why the last save failed, when it is not about one field. */
  error: string | null;
  /** Messages by the dotted patch path of the field ("safety.jointLimits.arm_joint2.lowerRad"). */
  fieldErrors: FieldErrors;
}

/** A patch as the sections build it (defaults may be left out; the schema fills them). */
export type SettingsPatchInput = z.input<typeof settingsPatchSchema>;

function settingsErrorOf(thrown: unknown): { code: string; message: string } {
  return coachErrorText(thrown, 'this version of Coach’s main process cannot save settings');
}

function issuesOf(thrown: unknown): { path: string; message: string }[] {
  const details = (thrown as { details?: unknown } | null)?.details;
  if (!details || typeof details !== 'object' || !('issues' in details)) return [];
  const issues = (details as { issues: unknown }).issues;
  if (!Array.isArray(issues)) return [];
  return issues
    .filter((issue): issue is { path: string; message: string } => typeof issue?.path === 'string')
    .map((issue) => ({ path: issue.path, message: String(issue.message) }));
}

/**
 * The persisted settings as the console edits them: `settings` is what main saved (sections keep their own drafts
 * until Save), and each section has its saving / saved / error state. Nothing is sent before a section's Save,
 * and a patch the shared schema refuses is never sent at all.
 */
export const useSettingsStore = defineStore('settings', () => {
  const settings = shallowRef<Settings | null>(null);
  const loadError = ref<string | null>(null);
  /** Sections with edits not saved yet (the tabs mark them). */
  const dirty = reactive(
    Object.fromEntries(SETTINGS_SECTIONS.map((id) => [id, false])) as Record<SettingsSectionId, boolean>,
  );
  const status = reactive(
    Object.fromEntries(
      SETTINGS_SECTIONS.map((id) => [id, { saving: false, savedAtMs: null, error: null, fieldErrors: {} }]),
    ) as Record<SettingsSectionId, SectionStatus>,
  );
  const pickFolderSupported = ref(false);
  let started = false;

  function take(next: Settings): void {
    settings.value = next;
  }

  async function load(): Promise<void> {
    try {
      take(await useBridge().call('settings.get', {}));
      loadError.value = null;
    } catch (thrown) {
      loadError.value = settingsErrorOf(thrown).message;
    }
  }

  function start(): void {
    if (started) return;
    started = true;
    const bridge = useBridge();
    pickFolderSupported.value = bridge.transport === 'electron-ipc';
    if (bridge.connectionState() === 'open') void load();
    bridge.onConnectionState((connection) => {
      if (connection === 'open') void load();
    });
  }

  function clear(section: SettingsSectionId): void {
    const entry = status[section];
    entry.error = null;
    entry.fieldErrors = {};
    entry.savedAtMs = null;
  }

  /** Marks fields the section found wrong before anything was sent. */
  function refuse(section: SettingsSectionId, errors: FieldErrors): void {
    const entry = status[section];
    entry.fieldErrors = errors;
    entry.savedAtMs = null;
    entry.error = null;
  }

  /**
   * Runs one section's save: `send` talks to main and answers the saved settings. Answers whether it saved;
   * a failure is kept on the section (by field where main names one).
   */
  async function run(section: SettingsSectionId, send: () => Promise<Settings>): Promise<boolean> {
    const entry = status[section];
    clear(section);
    entry.saving = true;
    try {
      take(await send());
      entry.savedAtMs = Date.now();
      return true;
    } catch (thrown) {
      const issues = issuesOf(thrown);
      if (issues.length) entry.fieldErrors = fieldErrorsFrom(issues);
      else entry.error = settingsErrorOf(thrown).message;
      return false;
    } finally {
      entry.saving = false;
    }
  }

  /** Validates the patch with the contract's own schema, then saves it. */
  async function save(section: SettingsSectionId, patch: SettingsPatchInput): Promise<boolean> {
    const checked = settingsPatchSchema.strict().safeParse(patch);
    if (!checked.success) {
      refuse(section, fieldErrorsFrom(checked.error.issues));
      return false;
    }
    return run(section, () => useBridge().call('settings.update', checked.data));
  }

  /** The policy camera is the camera service's (it switches the live camera and saves it in the settings). */
  async function savePolicyCamera(name: string): Promise<boolean> {
    return run('cameras', async () => {
      await useBridge().call('camera.setPolicyCamera', { name });
      return useBridge().call('settings.get', {});
    });
  }

  /** The desktop's folder dialog (Electron); null in a browser or when cancelled. */
  async function pickFolder(title: string): Promise<string | null> {
    try {
      const result = await useBridge().call('system.pickFolder', { title });
      pickFolderSupported.value = result.supported;
      return result.path;
    } catch {
      return null;
    }
  }

  return {
    settings,
    loadError,
    dirty,
    status,
    pickFolderSupported,
    start,
    load,
    save,
    savePolicyCamera,
    refuse,
    clear,
    pickFolder,
  };
});
