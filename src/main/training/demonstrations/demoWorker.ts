// A demonstration worker thread: rolls out and renders its share of the planned episodes and posts each
// episode's samples back (the renderer is the slow part, so two threads take half the time).
import { parentPort, workerData } from 'node:worker_threads';
import { loadArmChain } from '../../robot/urdf/loadUrdf';
import { planDemoEpisodes, type DemoConfig } from './demoConfig';
import { episodeSamples } from './episodeSamples';

export interface DemoWorkerData {
  appRoot: string;
  config: DemoConfig;
  /** Indices into planDemoEpisodes(config). */
  episodes: number[];
}

if (!parentPort) throw new Error('demoWorker must run as a worker thread');
const port = parentPort;
const { appRoot, config, episodes } = workerData as DemoWorkerData;
const chain = loadArmChain(appRoot);
const plans = planDemoEpisodes(config);
for (const episode of episodes) {
  const samples = episodeSamples(chain, config, plans[episode]!, episode);
  // Freshly allocated arrays: their buffers are plain ArrayBuffers, moved rather than copied.
  const arrays = [samples.images, samples.robotStates, samples.actions, samples.keypoints];
  if (samples.wrist) arrays.push(samples.wrist.images, samples.wrist.keypoints);
  const buffers = arrays.map((array) => array.buffer as ArrayBuffer);
  port.postMessage(samples, buffers);
}
