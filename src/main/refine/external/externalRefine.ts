import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoachError } from '../../../shared/contract/errors';
import { cameraSizes } from '../../../shared/policy/modelManifest';
import { loadModelPackage } from '../../policy/modelPackage';
import type { RefineDeps } from '../refineService';
import { exportPairsDataset } from './exportPairsDataset';
import { pairObservationLoader } from './pairObservationLoader';
import { runExternalTrainer } from './runExternalTrainer';

/**
 * Refinement by the configured external trainer (settings.refine.externalTrainerCommand): the pairs are
 * exported as a dataset (pairs.parquet + images) into a temporary folder, the command runs with the dataset,
 * an output folder and the base model, its JSON-lines progress drives the job, and the package it writes is
 * checked and moved to the new version's folder. The dataset is removed afterwards.
 */
export function externalTrainer(episodesRoot: string, command: () => string[] | null): RefineDeps['trainDpo'] {
  return async ({ baseModelDir, outDir, pairs }, onProgress, signal) => {
    const argv = command();
    if (!argv)
      throw new CoachError(
        'no_external_trainer',
        'no external trainer is configured: set settings.refine.externalTrainerCommand (argv with {dataset}, {output} and {model}; docs/refine.md)',
      );
    const pkg = await loadModelPackage(baseModelDir);
    const { manifest } = pkg;
    const cameras = cameraSizes(manifest.cameras);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-external-refine-'));
    try {
      const dataset = path.join(work, 'dataset');
      await exportPairsDataset(pairs, await pairObservationLoader(episodesRoot, pairs, cameras), dataset, {
        model: {
          name: manifest.name,
          version: manifest.version,
          actionSpace: manifest.action.space,
          actionNames: [...manifest.action.names],
          chunkLength: manifest.action.chunkLength,
          dims: manifest.action.dims,
          cameras,
        },
        signal,
      });
      const output = path.join(work, 'output');
      const result = await runExternalTrainer({
        command: argv,
        datasetDir: dataset,
        outputDir: output,
        baseModelDir,
        signal,
        onProgress: (progress) =>
          onProgress({
            step: progress.step ?? 0,
            totalSteps: progress.totalSteps ?? 0,
            loss: progress.loss,
            accuracy: progress.metrics.accuracy ?? null,
            margin: progress.metrics.margin ?? null,
            stepsPerS: null,
            etaS: progress.etaS,
          }),
      });
      fs.mkdirSync(path.dirname(outDir), { recursive: true });
      fs.cpSync(result.pkg.dir, outDir, { recursive: true });
      return {
        steps: result.lastProgress?.step ?? 0,
        hyperparameters: { trainer: 'external', command: argv },
        curves: {},
      };
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
}
