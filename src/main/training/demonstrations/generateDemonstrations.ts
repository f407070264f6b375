import type { KinematicChain } from '../../../shared/robot/kinematics';
import { spawnWorker } from '../../system/spawnWorker';
import { planDemoEpisodes, type DemoConfig } from './demoConfig';
import { DemoDatasetBuilder, type DemoDataset } from './demoDataset';
import type { DemoWorkerData } from './demoWorker';
import { KEYPOINTS, WRIST_KEYPOINTS } from './demoRollout';
import { episodeSamples, type EpisodeSamples } from './episodeSamples';

export interface DemoGenerationReport {
  episodes: number;
  /** Episodes the expert did not finish successfully: left out. */
  skippedEpisodes: number;
  samples: number;
  durationS: number;
}

/**
 * Episodes a worker thread renders before it exits and a fresh one takes over. @napi-rs/canvas keeps about
 * half a megabyte of native memory per picture it reads back (getImageData) until its thread ends, so a
 * long run in one thread would grow by gigabytes; a worker's exit gives it all back.
 */
const EPISODES_PER_WORKER = 24;

export interface GenerateOptions {
  /** Worker threads at a time (default 1). The data do not depend on it. */
  workers?: number;
  /**
   * The repository root (workers load the arm's URDF from it). Without it the episodes run in this thread,
   * which suits only small sets (see EPISODES_PER_WORKER).
   */
  appRoot?: string;
  onEpisode?: (done: number, total: number, samples: number) => void;
}

/**
 * Runs the scripted expert on the config's training scenes (planDemoEpisodes) and turns every
 * successful episode into samples (episodeSamples), in worker threads when `appRoot` is given. Episodes
 * are added in plan order whatever thread ran them, so the dataset is the same for any number of workers.
 */
export async function generateDemonstrations(
  chain: KinematicChain,
  config: DemoConfig,
  options: GenerateOptions = {},
): Promise<{ dataset: DemoDataset; report: DemoGenerationReport }> {
  const startedMs = Date.now();
  const plans = planDemoEpisodes(config);
  const builder = new DemoDatasetBuilder(config.camera, config.chunkLength, config.wristCamera ?? null);
  const waiting = new Map<number, EpisodeSamples>();
  let next = 0;
  let samples = 0;
  let skipped = 0;
  const accept = (episode: EpisodeSamples) => {
    waiting.set(episode.episode, episode);
    for (let ready = waiting.get(next); ready; ready = waiting.get(next)) {
      waiting.delete(next);
      addEpisode(builder, config, ready);
      samples += ready.count;
      if (ready.count === 0) skipped += 1;
      next += 1;
      options.onEpisode?.(next, plans.length, samples);
    }
  };

  if (!options.appRoot) plans.forEach((plan, episode) => accept(episodeSamples(chain, config, plan, episode)));
  else {
    const appRoot = options.appRoot;
    const batches: number[][] = [];
    for (let start = 0; start < plans.length; start += EPISODES_PER_WORKER)
      batches.push(plans.slice(start, start + EPISODES_PER_WORKER).map((_, k) => start + k));
    const runBatch = (episodes: number[]) =>
      new Promise<void>((resolve, reject) => {
        const data: DemoWorkerData = { appRoot, config, episodes };
        const worker = spawnWorker(appRoot, 'src/main/training/demonstrations/demoWorker.ts', 'demoWorker', data);
        worker.on('message', accept);
        worker.on('error', reject);
        worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`demo worker exited with ${code}`))));
      });
    const lanes = Math.max(1, Math.min(options.workers ?? 1, batches.length));
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let batch = batches.shift(); batch; batch = batches.shift()) await runBatch(batch);
      }),
    );
    if (next !== plans.length) throw new Error(`demo workers returned ${next} of ${plans.length} episodes`);
  }
  return {
    dataset: builder.build(),
    report: { episodes: plans.length, skippedEpisodes: skipped, samples, durationS: (Date.now() - startedMs) / 1000 },
  };
}

function addEpisode(builder: DemoDatasetBuilder, config: DemoConfig, episode: EpisodeSamples): void {
  const imageBytes = config.camera.widthPx * config.camera.heightPx * 3;
  const width = config.chunkLength * 7;
  const wristBytes = config.wristCamera ? config.wristCamera.widthPx * config.wristCamera.heightPx * 3 : 0;
  for (let k = 0; k < episode.count; k += 1) {
    const wrist = episode.wrist && {
      image: episode.wrist.images.subarray(k * wristBytes, (k + 1) * wristBytes),
      keypoints: episode.wrist.keypoints.subarray(k * WRIST_KEYPOINTS * 3, (k + 1) * WRIST_KEYPOINTS * 3),
    };
    builder.add(
      {
        image: episode.images.subarray(k * imageBytes, (k + 1) * imageBytes),
        instruction: episode.instruction,
        robotState: Array.from(episode.robotStates.subarray(k * 7, (k + 1) * 7)),
        actions: episode.actions.slice(k * width, (k + 1) * width),
      },
      episode.keypoints.subarray(k * KEYPOINTS * 2, (k + 1) * KEYPOINTS * 2),
      episode.episode,
      wrist,
    );
  }
}
