// The inference worker thread: model packages are validated, loaded and run here, so onnxruntime,
// image decoding and the flow loop never block the main event loop.
import { parentPort } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import type { InferenceWorkerReply, InferenceWorkerRequest } from './inferenceProtocol';
import { loadModelPackage } from './modelPackage';
import { describePolicy } from './policyInfo';
import { PolicyRuntime } from './policyRuntime';

if (!parentPort) throw new Error('inferenceWorker must run as a worker thread');
const port = parentPort;

let runtime: PolicyRuntime | null = null;

async function handle(request: InferenceWorkerRequest): Promise<{ value: unknown; transfer?: ArrayBuffer[] }> {
  switch (request.op) {
    case 'load': {
      const pkg = await loadModelPackage(request.dir);
      const loaded = await PolicyRuntime.load(pkg, { providers: request.providers });
      // Only a package that loaded and warmed up replaces the one in use.
      const previous = runtime;
      runtime = loaded;
      await previous?.release();
      return { value: describePolicy(loaded) };
    }
    case 'infer': {
      if (!runtime) throw new CoachError('no_policy', 'no model package is loaded; load one first');
      const result = await runtime.infer(request.observation, request.options);
      return {
        value: result,
        transfer: [result.normalized.buffer as ArrayBuffer, result.actions.buffer as ArrayBuffer],
      };
    }
    case 'timeSessions': {
      if (!runtime) throw new CoachError('no_policy', 'no model package is loaded; load one first');
      const feeds = await runtime.prefixFeeds(request.observation);
      return { value: await runtime.runSessionsOnly(feeds, request.candidates) };
    }
    case 'unload': {
      const previous = runtime;
      runtime = null;
      await previous?.release();
      return { value: null };
    }
  }
}

// One request at a time, in order: a load never races an inference.
let queue: Promise<void> = Promise.resolve();
port.on('message', (request: InferenceWorkerRequest) => {
  queue = queue.then(async () => {
    let reply: InferenceWorkerReply;
    let transfer: ArrayBuffer[] | undefined;
    try {
      const result = await handle(request);
      reply = { id: request.id, ok: true, value: result.value };
      transfer = result.transfer;
    } catch (error) {
      reply = { id: request.id, ok: false, error: CoachError.toShape(error) };
    }
    port.postMessage(reply, transfer);
  });
});
