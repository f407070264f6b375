import fs from 'node:fs';
import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import { cameraSizes } from '../../shared/policy/modelManifest';
import { loadModelPackage } from '../policy/modelPackage';
import { loadArmChain } from '../robot/urdf/loadUrdf';
import { writeBcDatasetFile } from './bc/bcDatasetFile';
import { SCENE_CAMERA_ONLY, type DemoConfig } from './demonstrations/demoConfig';
import { generateDemonstrations } from './demonstrations/generateDemonstrations';
import { WRIST_CAMERA_NAME } from './demonstrations/demoDataset';
import { TrainingRunner } from './trainingRunner';
import type { DemonstrationJobExecutor } from './trainingService';

/**
 * The console's "Train from demonstrations": scripted-expert demonstrations on training scenes (in
 * worker threads), written to a dataset file in the data folder, then behaviour cloning in the training
 * worker into a new package folder under `<data folder>/models/`. The model in use is never touched.
 */
export function demonstrationJobExecutor(appRoot: string, dataDir: string): DemonstrationJobExecutor {
  return async (request, onProgress, signal) => {
    const pkg = await loadModelPackage(request.modelPath);
    const { manifest } = pkg;
    const [camera, ...others] = manifest.cameras;
    const unknown = others.find((other) => other.name !== WRIST_CAMERA_NAME);
    if (unknown)
      throw new CoachError(
        'invalid_arguments',
        `the simulator's demonstrations draw a scene and a "${WRIST_CAMERA_NAME}" camera; this model also takes "${unknown.name}", so it cannot learn from them`,
      );
    const wrist = others[0];
    const config: DemoConfig = {
      ...SCENE_CAMERA_ONLY,
      episodesPerTemplate: request.episodesPerTemplate,
      camera: { widthPx: camera!.widthPx, heightPx: camera!.heightPx },
      ...(wrist ? { wristCamera: { widthPx: wrist.widthPx, heightPx: wrist.heightPx } } : {}),
      chunkLength: manifest.action.chunkLength,
    };
    const total = config.templates.length * config.episodesPerTemplate;
    const report = (message: string) =>
      onProgress({
        jobId: 0,
        phase: 'preparing',
        step: 0,
        totalSteps: request.steps,
        loss: null,
        smoothedLoss: null,
        learningRate: 0,
        stepsPerS: null,
        etaS: null,
        message,
      });
    report(`generating demonstrations 0/${total}`);
    const { dataset } = await generateDemonstrations(loadArmChain(appRoot), config, {
      appRoot,
      onEpisode: (done, all, samples) => report(`generating demonstrations ${done}/${all} (${samples} samples)`),
    });
    if (signal.aborted) throw new CoachError('cancelled', 'cancelled');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const workDir = path.join(dataDir, 'training');
    fs.mkdirSync(workDir, { recursive: true });
    const datasetFile = path.join(workDir, `demonstrations-${stamp}.bcds`);
    const outDir = path.join(dataDir, 'models', `${manifest.name}-bc-${stamp}`);
    try {
      report(`writing ${dataset.size} samples`);
      writeBcDatasetFile(datasetFile, dataset, config.camera, cameraSizes(others));
      const runner = TrainingRunner.start(
        {
          modelDir: pkg.dir,
          dataset: { kind: 'file', path: datasetFile },
          outDir,
          steps: request.steps,
          batchSize: request.batchSize,
          learningRate: request.learningRate,
          seed: request.seed,
          output: {
            version: `${manifest.version}+bc.${stamp}`,
            description: `${manifest.name} ${manifest.version} after ${request.steps} steps of behaviour cloning on ${dataset.size} samples of ${total} scripted-expert demonstrations (seed ${request.seed}).`,
            trained: true,
          },
        },
        { appRoot, onProgress },
      );
      const cancel = () => runner.cancel();
      signal.addEventListener('abort', cancel);
      try {
        const result = await runner.result;
        return {
          outputPath: result.outDir,
          title: `${manifest.name} ${manifest.version}: behaviour cloning on ${total} demonstrations (${dataset.size} samples)`,
        };
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    } finally {
      fs.rmSync(datasetFile, { force: true });
    }
  };
}
