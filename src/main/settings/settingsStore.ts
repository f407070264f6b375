import fs from 'node:fs';
import path from 'node:path';
import { settingsSchema, type Settings, type SettingsPatch } from '../../shared/settings';

export const SETTINGS_FILE_NAME = 'settings.json';

/**
 * Settings persisted as JSON in the data folder. A file that cannot be read
 * or breaks the schema is kept aside (never overwritten) and defaults are used.
 */
export class SettingsStore {
  private current: Settings;
  readonly warnings: string[] = [];
  readonly filePath: string;

  constructor(dataDir: string) {
    this.filePath = path.join(dataDir, SETTINGS_FILE_NAME);
    this.current = this.load();
  }

  get(): Settings {
    return structuredClone(this.current);
  }

  update(patch: SettingsPatch): Settings {
    const merged = settingsSchema.parse({
      ...this.current,
      ...patch,
      ui: { ...this.current.ui, ...patch.ui },
      arm: { ...this.current.arm, ...patch.arm },
      cameras: patch.cameras ?? this.current.cameras,
      policy: { ...this.current.policy, ...patch.policy },
      recording: { ...this.current.recording, ...patch.recording },
      refine: { ...this.current.refine, ...patch.refine },
      safety: { ...this.current.safety, ...patch.safety },
      runner: { ...this.current.runner, ...patch.runner },
    });
    this.write(merged);
    this.current = merged;
    return this.get();
  }

  private load(): Settings {
    let text: string;
    try {
      text = fs.readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return settingsSchema.parse({});
      throw error;
    }
    let problem: string;
    try {
      const parsed = settingsSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      problem = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    } catch (error) {
      problem = `not valid JSON (${(error as Error).message})`;
    }
    const keptAs = `${this.filePath}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    fs.renameSync(this.filePath, keptAs);
    this.warnings.push(
      `settings file ${this.filePath} was unusable (${problem}); kept it as ${keptAs} and started from defaults`,
    );
    return settingsSchema.parse({});
  }

  private write(settings: Settings): void {
    const temporary = `${this.filePath}.tmp-${process.pid}`;
    fs.writeFileSync(temporary, `${JSON.stringify(settings, null, 2)}\n`);
    fs.renameSync(temporary, this.filePath);
  }
}
