import fs from 'node:fs';
import path from 'node:path';
import type { EpisodeCatalog } from '../catalog/episodeCatalog';
import { HEADER_FILE, episodeDir, type EpisodeHeader } from '../store/episodeFormat';
import { summarizePayload } from '../store/episodeReader';
import { writeJsonAtomic } from './writeJsonAtomic';

export const INTERRUPTED_REASON = 'Coach stopped while recording (a crash or a kill); recovered at the next start';

/**
 * Episodes whose recording never ended (the catalog row still says 'recording'): their counts and
 * duration are read back from the files, which keep everything flushed before the crash, and they
 * become 'interrupted'. Returns the ids recovered.
 */
export async function recoverInterrupted(root: string, catalog: EpisodeCatalog): Promise<number[]> {
  const recovered: number[] = [];
  for (const id of catalog.recordingIds()) {
    const dir = episodeDir(root, id);
    let end = { durationS: 0, strokes: 0, steps: 0, frames: 0 };
    let reason = INTERRUPTED_REASON;
    try {
      const summary = await summarizePayload(dir);
      end = {
        durationS: summary.durationS,
        strokes: summary.strokes,
        steps: summary.steps,
        frames: Object.values(summary.framesByCamera).reduce((sum, n) => sum + n, 0),
      };
      const headerFile = path.join(dir, HEADER_FILE);
      const header = JSON.parse(fs.readFileSync(headerFile, 'utf8')) as EpisodeHeader;
      writeJsonAtomic(headerFile, {
        ...header,
        end: {
          endedAtMs: header.startedAtMs + summary.durationS * 1000,
          status: 'interrupted',
          outcome: 'interrupted',
          reason,
          strokes: summary.strokes,
          steps: summary.steps,
          durationS: summary.durationS,
        },
      });
    } catch (error) {
      reason = `${INTERRUPTED_REASON}; its files could not be read: ${(error as Error).message}`;
    }
    catalog.finish(id, { status: 'interrupted', outcome: 'interrupted', reason, ...end });
    recovered.push(id);
  }
  return recovered;
}
