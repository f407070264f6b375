// The evaluation worker thread: a model package's own sessions, the sim world and the renderer, so an
// evaluation (hundreds of attempts, faster than real time) never blocks the console's main loop.
import { parentPort, workerData } from 'node:worker_threads';
import { loadArmChain } from '../robot/urdf/loadUrdf';
import { evaluatePolicy } from './evaluatePolicy';
import type {
  EvaluationWorkerCommand,
  EvaluationWorkerData,
  EvaluationWorkerMessage,
} from './evaluationWorkerProtocol';
import { loadPackagePolicy } from './packagePolicy';

if (!parentPort) throw new Error('evaluationWorker must run as a worker thread');
const port = parentPort;
const { appRoot, request } = workerData as EvaluationWorkerData;
const abort = new AbortController();
const post = (message: EvaluationWorkerMessage) => port.postMessage(message);
port.on('message', (command: EvaluationWorkerCommand) => {
  if (command.type === 'cancel') abort.abort();
});

void (async () => {
  const loaded = await loadPackagePolicy(request.modelPath);
  try {
    post({ type: 'loaded', model: loaded.model, total: request.templates.length * request.episodesPerTemplate });
    const report = await evaluatePolicy(loadArmChain(appRoot), loaded.policy, loaded.model, request, {
      signal: abort.signal,
      onEpisode: (result, done, total) => post({ type: 'episode', result, done, total }),
    });
    post({ type: 'done', report });
  } finally {
    await loaded.release();
  }
})().catch((error: Error) => post({ type: 'failed', message: error.message }));
