import type { Worker } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import type { EvaluationProgress, EvaluationReport, EvaluationRequest } from '../../shared/evaluation/evaluationTypes';
import type { EpisodeCatalog } from '../episodes/catalog/episodeCatalog';
import { spawnWorker } from '../system/spawnWorker';
import { Topic } from '../system/topic';
import type { EvaluationWorkerMessage } from './evaluationWorkerProtocol';

/**
 * Sim evaluations of model versions, one at a time, each in its own worker thread; finished reports are
 * stored in the catalog with the model's name and version, so versions compare side by side.
 */
export class EvaluationService {
  readonly progressTopic = new Topic<EvaluationProgress | null>();
  private job: { jobId: number; worker: Worker; done: Promise<void>; cancelled: boolean } | null = null;
  private jobs = 0;
  private last: EvaluationProgress | null = null;

  constructor(
    private readonly appRoot: string,
    private readonly catalog: EpisodeCatalog,
  ) {
    this.progressTopic.publish(null);
  }

  list(modelName?: string): EvaluationReport[] {
    return this.catalog.evaluations(modelName);
  }

  start(request: EvaluationRequest): EvaluationProgress {
    if (this.job) throw new CoachError('busy', `evaluation ${this.job.jobId} is running; cancel it or wait`);
    const jobId = (this.jobs += 1);
    const total = request.templates.length * request.episodesPerTemplate;
    let progress: EvaluationProgress = {
      jobId,
      modelPath: request.modelPath,
      phase: 'loading',
      episodesDone: 0,
      episodesTotal: total,
      successes: 0,
      fraction: 0,
      message: null,
      report: null,
    };
    this.publish(progress);
    const worker = spawnWorker(this.appRoot, 'src/main/evaluation/evaluationWorker.ts', 'evaluationWorker', {
      appRoot: this.appRoot,
      request,
    });
    const job = { jobId, worker, done: Promise.resolve(), cancelled: false };
    job.done = new Promise<void>((resolve) => {
      const finish = (patch: Partial<EvaluationProgress>) => {
        progress = { ...progress, ...patch };
        this.publish(progress);
        if (this.job === job) this.job = null;
        void worker.terminate();
        resolve();
      };
      worker.on('message', (message: EvaluationWorkerMessage) => {
        if (message.type === 'loaded') progress = { ...progress, phase: 'running' };
        else if (message.type === 'episode')
          progress = {
            ...progress,
            phase: 'running',
            episodesDone: message.done,
            successes: progress.successes + (message.result.success ? 1 : 0),
            fraction: message.done / message.total,
          };
        else if (message.type === 'done') {
          const id = this.catalog.saveEvaluation(message.report);
          return finish({ phase: 'done', fraction: 1, report: { ...message.report, id } });
        } else
          return finish({
            phase: job.cancelled ? 'cancelled' : 'failed',
            message: job.cancelled ? 'cancelled' : message.message,
          });
        this.publish(progress);
      });
      worker.on('error', (error) => finish({ phase: 'failed', message: error.message }));
      worker.on('exit', (code) => {
        if (this.job === job)
          finish({ phase: job.cancelled ? 'cancelled' : 'failed', message: `the evaluation worker exited (${code})` });
      });
    });
    this.job = job;
    return progress;
  }

  async cancel(jobId: number): Promise<EvaluationProgress> {
    const job = this.job;
    if (!job || job.jobId !== jobId) {
      if (this.last?.jobId === jobId) return this.last;
      throw new CoachError('not_found', `no evaluation job ${jobId}`);
    }
    job.cancelled = true;
    job.worker.postMessage({ type: 'cancel' });
    await job.done;
    return this.last!;
  }

  async settled(): Promise<EvaluationProgress | null> {
    await this.job?.done;
    return this.last;
  }

  async close(): Promise<void> {
    if (this.job) {
      this.job.cancelled = true;
      await this.job.worker.terminate();
      await this.job.done;
    }
  }

  private publish(progress: EvaluationProgress): void {
    this.last = progress;
    this.progressTopic.publish(progress);
  }
}
