import { CoachError } from '../../shared/contract/errors';
import { cameraSizes } from '../../shared/policy/modelManifest';
import { externalTrainer } from './external/externalRefine';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { loadModelPackage } from '../policy/modelPackage';
import { TrainingRunner } from '../training/trainingRunner';
import { buildPairsWithModel } from './pairs/buildPairs';
import { openPairReward } from '../worldModel/pairRewardChoice';
import type { PairStore } from './pairs/pairStore';
import type { RefineDeps } from './refineService';
import type { RefineRequest } from '../../shared/refine/refineTypes';

/** Codes of a pair build that found nothing new to pair: the refinement goes on with the stored pairs. */
const NOTHING_NEW = new Set(['pairs_no_labels', 'pairs_no_episodes', 'pairs_none']);

/** The real pair building (main thread; the model's own sessions) and DPO (its own worker thread). */
export function refineTrainingDeps(
  appRoot: string,
  episodes: { root: string; catalog: EpisodeCatalog },
  store: PairStore,
  externalTrainerCommand: () => string[] | null = () => null,
  /** The world-model package for the world-model rewards (null: the shipped one). */
  worldModelPath: () => string | null = () => null,
): Pick<RefineDeps, 'buildPairs' | 'eligiblePairs' | 'trainDpo'> {
  const external = externalTrainer(episodes.root, externalTrainerCommand);
  return {
    async buildPairs(modelPath, request, signal, onProgress) {
      const reward = await openPairReward(
        { reward: request.reward, ...(worldModelPath() ? { worldModelPath: worldModelPath()! } : {}) },
        episodes,
        appRoot,
      );
      try {
        const result = await buildPairsWithModel({ ...episodes, store }, modelPath, {
          from: request.buildFrom as Exclude<RefineRequest['buildFrom'], 'none'>,
          reward: reward.reward,
          ...(reward.goals ? { goals: reward.goals } : {}),
          signal,
          onProgress: ({ episodesDone, episodesTotal }) =>
            onProgress(
              episodesTotal ? episodesDone / episodesTotal : 1,
              `building preference pairs: episode ${episodesDone}/${episodesTotal}`,
            ),
        });
        return result.built + result.replaced;
      } catch (error) {
        if (error instanceof CoachError && NOTHING_NEW.has(String(error.code))) return 0;
        throw error;
      } finally {
        await reward.release();
      }
    },
    eligiblePairs: (sources) => store.eligiblePairs(sources ? { sources } : {}),
    async trainDpo(job, onProgress, signal) {
      if (job.request.trainer === 'external') return external(job, onProgress, signal);
      const { baseModelDir, outDir, pairs, request, version } = job;
      const pkg = await loadModelPackage(baseModelDir);
      const runner = TrainingRunner.startDpo(
        {
          modelDir: baseModelDir,
          outDir,
          pairs: {
            root: episodes.root,
            cameras: cameraSizes(pkg.manifest.cameras),
            pairIds: pairs.map((pair) => pair.id),
          },
          seed: request.seed,
          ...(request.beta === undefined ? {} : { beta: request.beta }),
          ...(request.steps === undefined ? {} : { steps: request.steps }),
          ...(request.batchSize === undefined ? {} : { batchSize: request.batchSize }),
          ...(request.learningRate === undefined ? {} : { learningRate: request.learningRate }),
          ...(request.sharedNoise === undefined ? {} : { noise: request.sharedNoise ? 'shared' : 'independent' }),
          output: { version },
        },
        {
          appRoot,
          onProgress: (progress) =>
            onProgress({
              step: progress.step,
              totalSteps: progress.totalSteps,
              loss: progress.smoothedLoss ?? progress.loss,
              accuracy: progress.metrics?.smoothedAccuracy ?? progress.metrics?.accuracy ?? null,
              margin: progress.metrics?.smoothedMargin ?? progress.metrics?.margin ?? null,
              stepsPerS: progress.stepsPerS,
              etaS: progress.etaS,
            }),
        },
      );
      const cancel = () => runner.cancel();
      signal.addEventListener('abort', cancel);
      try {
        const result = await runner.result;
        const curve = (values: number[]) => thin(values.map((value, step) => [step + 1, value] as [number, number]));
        return {
          steps: result.steps,
          hyperparameters: { ...result.hyperparameters, stoppedEarly: result.stoppedEarly },
          curves: {
            loss: curve(result.curves.loss),
            accuracy: curve(result.curves.accuracy),
            margin: curve(result.curves.margin),
          },
        };
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
  };
}

/** At most 400 points of a curve, evenly spaced, the last kept. */
function thin(points: [number, number][]): [number, number][] {
  if (points.length <= 400) return points;
  const every = Math.ceil(points.length / 400);
  return points.filter((_, i) => i % every === 0 || i === points.length - 1);
}
