// The training worker thread: behaviour cloning runs here, so the jitted steps (seconds to hours of CPU)
// never block the console's main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import { trainBehaviourCloning } from './bc/trainBehaviourCloning';
import { openDatasetSource } from './bc/datasetSource';
import type { TrainingWorkerCommand, TrainingWorkerData, TrainingWorkerMessage } from './trainingWorkerProtocol';

if (!parentPort) throw new Error('trainingWorker must run as a worker thread');
const port = parentPort;
const { job } = workerData as TrainingWorkerData;
const abort = new AbortController();
const post = (message: TrainingWorkerMessage) => port.postMessage(message);
port.on('message', (command: TrainingWorkerCommand) => {
  if (command.type === 'cancel') abort.abort();
});

void (async () => {
  const { dataset, close } = await openDatasetSource(job.dataset);
  try {
    const result = await trainBehaviourCloning({
      ...job,
      dataset,
      signal: abort.signal,
      onProgress: (progress) => post({ type: 'progress', progress }),
    });
    post({ type: 'done', result });
  } finally {
    close();
  }
})()
  .catch((error: unknown) => post({ type: 'failed', error: CoachError.toShape(error) }))
  .finally(() => port.close());
