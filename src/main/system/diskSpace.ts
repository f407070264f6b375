import fs from 'node:fs/promises';
import path from 'node:path';
import type { DiskFolderRole, DiskSpace } from '../../shared/system';

/** A folder Coach writes to, whose disk the health sample reports. */
export interface WatchedFolder {
  role: DiskFolderRole;
  path: string;
}

/**
 * Free and total bytes of the file system holding `folder`. A folder that does not exist yet (a recordings folder
 * before the first episode) is measured at its nearest existing parent: that is where it will be created.
 * Free bytes are what an unprivileged process may write (`bavail`), not the blocks reserved for root.
 */
export async function readDiskSpace(folder: string): Promise<{ freeBytes: number; totalBytes: number }> {
  let probe = path.resolve(folder);
  for (;;) {
    try {
      const stats = await fs.statfs(probe);
      return { freeBytes: stats.bavail * stats.bsize, totalBytes: stats.blocks * stats.bsize };
    } catch (error) {
      const parent = path.dirname(probe);
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || parent === probe) throw error;
      probe = parent;
    }
  }
}

/** One reading per folder; a folder whose disk cannot be read gets its error instead of numbers. */
export async function readDisks(folders: readonly WatchedFolder[]): Promise<DiskSpace[]> {
  return Promise.all(
    folders.map(async (folder): Promise<DiskSpace> => {
      const base = { role: folder.role, path: folder.path };
      try {
        const space = await readDiskSpace(folder.path);
        return { ...base, ...space, error: null, sampledAtMs: Date.now() };
      } catch (error) {
        const message = (error as Error).message || String(error);
        return { ...base, freeBytes: 0, totalBytes: 0, error: message, sampledAtMs: Date.now() };
      }
    }),
  );
}
