// The DPO worker thread: refinement on preference pairs runs here, off the console's main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import { openPairDataset } from '../refine/pairs/openPairDataset';
import { trainDpo, type DpoTrainingResult } from './dpo/trainDpo';
import type { DpoTrainingJob, TrainingWorkerCommand, TrainingWorkerMessage } from './trainingWorkerProtocol';

if (!parentPort) throw new Error('dpoWorker must run as a worker thread');
const port = parentPort;
const { job } = workerData as { job: DpoTrainingJob };
const abort = new AbortController();
const post = (message: TrainingWorkerMessage<DpoTrainingResult>) => port.postMessage(message);
port.on('message', (command: TrainingWorkerCommand) => {
  if (command.type === 'cancel') abort.abort();
});

void (async () => {
  const pairs = await openPairDataset(job.pairs);
  try {
    const result = await trainDpo({
      ...job,
      pairs,
      signal: abort.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', result });
  } finally {
    await pairs.close();
  }
})()
  .catch((error: unknown) => post({ type: 'failed', error: CoachError.toShape(error) }))
  .finally(() => port.close());
