import path from 'node:path';
import type { BcDataset } from '../trainingTypes';
import { openBcDatasetFile } from './bcDatasetFile';

/**
 * Where a worker gets its BcDataset (an object cannot cross threads): a dataset file (bcDatasetFile.ts),
 * or a module whose export builds one from `args`. A module path must be loadable where the worker runs:
 * a .js file, or a .ts file when Coach runs from its sources.
 */
export type TrainingDatasetSource =
  { kind: 'file'; path: string } | { kind: 'module'; modulePath: string; exportName?: string; args?: unknown };

/** Opens the dataset a job names; `close` releases it (the file handle). */
export async function openDatasetSource(
  source: TrainingDatasetSource,
): Promise<{ dataset: BcDataset; close: () => void }> {
  if (source.kind === 'file') {
    const file = openBcDatasetFile(source.path);
    return { dataset: file, close: () => file.close() };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(path.resolve(source.modulePath)) as Record<string, unknown>;
  const factory = loaded[source.exportName ?? 'default'];
  if (typeof factory !== 'function')
    throw new Error(
      `${source.modulePath} exports no function "${source.exportName ?? 'default'}" that builds a dataset`,
    );
  const dataset = (await (factory as (args: unknown) => BcDataset | Promise<BcDataset>)(source.args)) as BcDataset & {
    close?: () => void;
  };
  return { dataset, close: () => dataset.close?.() };
}
