import type { ModelManifest } from '../../../shared/policy/modelManifest';
import { loadModelPackage } from '../../policy/modelPackage';
import { ModelPackageError, type LoadedModelPackage } from '../../policy/modelPackageTypes';
import { ExternalTrainerError } from './externalErrors';

type PackageAction = ModelManifest['action'];

/** What differs between the base model's action space and the trained package's, in words; empty if none. */
export function actionSpaceDifferences(base: PackageAction, trained: PackageAction): string[] {
  const differences: string[] = [];
  if (trained.space !== base.space) differences.push(`action.space is ${trained.space} (base: ${base.space})`);
  if (trained.chunkLength !== base.chunkLength)
    differences.push(`action.chunkLength is ${trained.chunkLength} (base: ${base.chunkLength})`);
  if (trained.dims !== base.dims) differences.push(`action.dims is ${trained.dims} (base: ${base.dims})`);
  const sameNames =
    trained.names.length === base.names.length && trained.names.every((name, i) => name === base.names[i]);
  if (!sameNames) differences.push(`action.names are [${trained.names.join(', ')}] (base: [${base.names.join(', ')}])`);
  return differences;
}

/**
 * Validates the folder an external trainer wrote as a model package (loadModelPackage) whose action
 * space is the base model's: a refined policy must act like the one it refines.
 */
export async function importTrainedPackage(
  packageDir: string,
  baseManifest: ModelManifest,
): Promise<LoadedModelPackage> {
  let pkg: LoadedModelPackage;
  try {
    pkg = await loadModelPackage(packageDir);
  } catch (err) {
    if (!(err instanceof ModelPackageError)) throw err;
    throw new ExternalTrainerError(
      'package_invalid',
      `the trainer finished, but ${packageDir} is not a valid model package: ${err.message}. ` +
        'Make the trainer write a package as in docs/model-package.md (check it with coach model inspect)',
    );
  }
  const differences = actionSpaceDifferences(baseManifest.action, pkg.manifest.action);
  if (differences.length > 0)
    throw new ExternalTrainerError(
      'action_space_mismatch',
      `the trained package ${pkg.manifest.name} ${pkg.manifest.version} does not act in the base model's action space: ` +
        `${differences.join('; ')}. A refined model must keep ${baseManifest.name}'s action space: ` +
        "make the trainer copy the base package's manifest action section",
    );
  return pkg;
}
