import type { EpisodeFilter } from '../../shared/episodes/episodeTypes';
import type { EpisodeCatalog } from './catalog/episodeCatalog';
import type { ExportEpisodeInput } from './export/exportTypes';
import { episodeDir } from './store/episodeFormat';

/**
 * The episodes an export takes, oldest first: the filter's, with "exclude from training" ones left out
 * unless the filter asks for them, and never one still recording.
 */
export function selectExportEpisodes(
  catalog: EpisodeCatalog,
  root: string,
  filter: EpisodeFilter,
): { filter: EpisodeFilter; episodes: ExportEpisodeInput[] } {
  const effective: EpisodeFilter = { ...filter, includeExcluded: filter.includeExcluded ?? false };
  const episodes = catalog
    .all(effective)
    .filter((episode) => episode.status !== 'recording')
    .map((summary) => ({ summary, dir: episodeDir(root, summary.id) }));
  return { filter: effective, episodes };
}
