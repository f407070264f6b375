import fs from 'node:fs';
import path from 'node:path';
import { EpisodeCatalog } from '../../../episodes/catalog/episodeCatalog';
import { CATALOG_FILE } from '../../../episodes/store/episodeFormat';
import { SettingsStore } from '../../../settings/settingsStore';

/**
 * The catalog of a data folder, for commands that read or label episodes without running Coach. It does
 * not recover interrupted episodes: a Coach that is running may be recording into the same catalog.
 */
export function openEpisodeStore(dataDir: string): { root: string; catalog: EpisodeCatalog } {
  const settings = new SettingsStore(dataDir).get();
  const root = path.resolve(dataDir, settings.recording.dir ?? 'episodes');
  const file = path.join(root, CATALOG_FILE);
  if (!fs.existsSync(file))
    throw new Error(`no episodes in ${root} (no ${CATALOG_FILE}); record attempts first, or pass --data DIR`);
  return { root, catalog: new EpisodeCatalog(file) };
}
