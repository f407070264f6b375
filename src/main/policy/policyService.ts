import path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import type { PolicyInfo } from '../../shared/policy/policyTypes';
import type { ExecutionProvider } from '../../shared/system';
import { spawnWorker } from '../system/spawnWorker';
import { Topic } from '../system/topic';
import type { InferenceWorkerReply, InferenceWorkerRequest } from './inferenceProtocol';
import type { InferenceOptions, InferenceResult, PolicyObservation } from './policyRuntime';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };
type WorkerRequest = InferenceWorkerRequest extends infer R
  ? R extends { id: number }
    ? Omit<R, 'id'>
    : never
  : never;

/**
 * The policy as the rest of Coach sees it: loads model packages and infers action chunks in a
 * worker thread (onnxruntime, image decoding and the flow loop never block the main event loop).
 * A failed load keeps the package in use.
 */
export class PolicyService {
  readonly infoTopic = new Topic<PolicyInfo | null>();
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private current: PolicyInfo | null = null;
  private loading: Promise<PolicyInfo> | null = null;

  constructor(
    private readonly appRoot: string,
    private readonly providers?: ExecutionProvider[],
  ) {
    this.infoTopic.publish(null);
  }

  info(): PolicyInfo | null {
    return this.current;
  }

  get isLoading(): boolean {
    return this.loading !== null;
  }

  async load(dir: string): Promise<PolicyInfo> {
    if (this.loading) throw new CoachError('busy', 'a model package is loading; wait for it to finish');
    const absolute = path.resolve(dir);
    this.loading = this.request({ op: 'load', dir: absolute, providers: this.providers }) as Promise<PolicyInfo>;
    try {
      this.current = await this.loading;
      this.infoTopic.publish(this.current);
      return this.current;
    } finally {
      this.loading = null;
    }
  }

  async unload(): Promise<void> {
    if (!this.worker) return;
    await this.request({ op: 'unload' });
    this.current = null;
    this.infoTopic.publish(null);
  }

  async infer(observation: PolicyObservation, options: InferenceOptions = {}): Promise<InferenceResult> {
    if (!this.current) throw new CoachError('no_policy', 'no model package is loaded; load one first');
    return (await this.request({ op: 'infer', observation, options })) as InferenceResult;
  }

  /** Benchmark probe: bare session.run time of prefix + flow steps in the worker, ms. */
  async timeSessions(observation: PolicyObservation, candidates = 1): Promise<number> {
    return (await this.request({ op: 'timeSessions', observation, candidates })) as number;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }

  private request(request: WorkerRequest): Promise<unknown> {
    const worker = this.startedWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...request, id } as InferenceWorkerRequest);
    });
  }

  private startedWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = spawnWorker(this.appRoot, 'src/main/policy/inferenceWorker.ts', 'inferenceWorker', null);
    worker.on('message', (reply: InferenceWorkerReply) => {
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if (reply.ok) call.resolve(reply.value);
      else call.reject(CoachError.fromShape(reply.error));
    });
    const fail = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.current = null;
      this.infoTopic.publish(null);
      for (const call of this.pending.values()) call.reject(new CoachError('policy_worker_down', reason));
      this.pending.clear();
    };
    worker.on('error', (error) => fail(`the inference worker failed: ${error.message}; load the model again`));
    worker.on('exit', (code) => fail(`the inference worker stopped (exit code ${code}); load the model again`));
    this.worker = worker;
    return worker;
  }
}
