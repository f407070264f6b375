import fs from 'node:fs/promises';
import path from 'node:path';
import { ExportError } from './exportTypes';

/** The export's output folder and what it takes to undo the export. */
export interface PreparedOutDir {
  dir: string;
  /** The topmost folder this export created (removed whole on failure); null when outDir already existed, empty. */
  createdRoot: string | null;
}

const PROBE_FILE = '.coach-export-probe';

/** Accepts a folder that does not exist yet or is empty, and proves it can be written. */
export async function prepareOutDir(outDir: string): Promise<PreparedOutDir> {
  const dir = path.resolve(outDir);
  let createdRoot: string | null = null;
  let stat;
  try {
    stat = await fs.stat(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw notAFolderError(dir);
    if (code !== 'ENOENT') throw new ExportError(`cannot use ${dir} as the export folder: ${(err as Error).message}`);
  }
  if (stat) {
    if (!stat.isDirectory()) throw notAFolderError(dir);
    const entries = await fs.readdir(dir);
    if (entries.length > 0) {
      throw new ExportError(
        `the export folder ${dir} is not empty (${entries.length} entries): choose an empty or new folder`,
      );
    }
  } else {
    try {
      createdRoot = (await fs.mkdir(dir, { recursive: true })) ?? null;
    } catch (err) {
      throw describeWriteError(err, dir, 'creating the export folder');
    }
  }
  const probe = path.join(dir, PROBE_FILE);
  try {
    await fs.writeFile(probe, '');
    await fs.unlink(probe);
  } catch (err) {
    if (createdRoot) await fs.rm(createdRoot, { recursive: true, force: true }).catch(() => undefined);
    throw describeWriteError(err, dir, 'writing to the export folder');
  }
  return { dir, createdRoot };
}

/** Removes everything the export wrote: the folders it created, or the contents of the (formerly empty) folder. */
export async function removeExportOutput(out: PreparedOutDir): Promise<void> {
  if (out.createdRoot) {
    await fs.rm(out.createdRoot, { recursive: true, force: true });
    return;
  }
  const entries = await fs.readdir(out.dir).catch(() => [] as string[]);
  await Promise.all(entries.map((e) => fs.rm(path.join(out.dir, e), { recursive: true, force: true })));
}

/** A file-system failure while exporting, as an ExportError that says what happened and what to do. */
export function describeWriteError(err: unknown, file: string, doing = 'writing'): ExportError {
  if (err instanceof ExportError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const options = { cause: err };
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new ExportError(`the disk is full while ${doing} ${file}: free space or choose another folder`, options);
    case 'EROFS':
      return new ExportError(`cannot write ${file}: the file system is read-only; choose another folder`, options);
    case 'EACCES':
    case 'EPERM':
      return new ExportError(
        `cannot write ${file}: permission denied (the folder is read-only for this user); choose another folder`,
        options,
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new ExportError(`cannot create ${file}: part of the path is a file, not a folder`, options);
    default:
      return new ExportError(`${doing} ${file} failed: ${(err as Error).message}`, options);
  }
}

function notAFolderError(dir: string): ExportError {
  return new ExportError(`cannot export to ${dir}: it (or a folder above it) is a file, not a folder`);
}
