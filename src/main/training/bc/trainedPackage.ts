import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelManifest } from '../../../shared/policy/modelManifest';
import type { ModelPackageInspection } from '../../policy/modelPackage';
import { TrainingError } from './trainingErrors';

/** Refuses, before any training, an output folder that exists and holds files (unless overwriting). */
export async function checkOutputDir(outDir: string, overwrite: boolean): Promise<void> {
  const entries = await fs.readdir(outDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    if (error.code === 'ENOTDIR')
      throw new TrainingError('training_output_exists', `${outDir} is a file, not a folder`);
    throw error;
  });
  if (entries.length && !overwrite)
    throw new TrainingError(
      'training_output_exists',
      `${outDir} already holds files; choose a new folder for the trained package (or overwrite it)`,
    );
}

/**
 * The manifest of the trained package: the base's, with a new name/version/description and `trained` as
 * given. The version defaults to the base's with `versionSuffix` ("+bc", "+dpo"); `trained` to
 * `defaultTrained` (behaviour cloning: false unless the caller says the weights are a skill).
 */
export function trainedManifest(
  base: ModelManifest,
  change: { name?: string; version?: string; description?: string; trained?: boolean },
  summary: string,
  versionSuffix = '+bc',
  defaultTrained = false,
): ModelManifest {
  const version = change.version ?? `${base.version.slice(0, 40)}${versionSuffix}`;
  return {
    ...base,
    name: change.name ?? base.name,
    version,
    description: (change.description ?? `${summary} Base: ${base.name} ${base.version}.`).slice(0, 2000),
    trained: change.trained ?? defaultTrained,
  };
}

/**
 * Writes the trained package: the new graphs and manifest, every other file of the base package
 * (tokenizer, tokenizer_config.json, external data) copied. Everything goes to a hidden folder beside
 * outDir that is renamed into place at the end, so outDir never holds part of a package.
 */
export async function writeTrainedPackage(
  base: ModelPackageInspection,
  outDir: string,
  graphs: { prefix: Uint8Array; expert: Uint8Array },
  manifest: ModelManifest,
  overwrite: boolean,
): Promise<void> {
  const parent = path.dirname(outDir);
  await fs.mkdir(parent, { recursive: true });
  const staging = await fs.mkdtemp(path.join(parent, `.${path.basename(outDir)}.partial-`));
  try {
    const { manifest: baseManifest, dir } = base.pkg;
    const rewritten = new Set(['manifest.json', baseManifest.prefix.file, baseManifest.expert.file]);
    const write = async (file: string, bytes: Uint8Array | string) => {
      await fs.mkdir(path.dirname(path.join(staging, file)), { recursive: true });
      await fs.writeFile(path.join(staging, file), bytes);
    };
    for (const { file } of base.files)
      if (!rewritten.has(file)) {
        await fs.mkdir(path.dirname(path.join(staging, file)), { recursive: true });
        await fs.copyFile(path.join(dir, file), path.join(staging, file));
      }
    await write(baseManifest.prefix.file, graphs.prefix);
    await write(baseManifest.expert.file, graphs.expert);
    await write('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
    await checkOutputDir(outDir, overwrite);
    await fs.rm(outDir, { recursive: true, force: true });
    await fs.rename(staging, outDir);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
}
