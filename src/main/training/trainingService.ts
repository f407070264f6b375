import path from 'node:path';
import { CoachError } from '../../shared/contract/errors';
import type { DemonstrationTrainingRequest, TrainingJob } from '../../shared/training/trainingJobTypes';
import { PublishThrottle } from '../system/publishThrottle';
import { Topic } from '../system/topic';
import type { TrainingProgress } from './trainingTypes';

const MAX_CURVE_POINTS = 400;
const PUBLISH_INTERVAL_MS = 250;

/** Runs one job: reports progress, honours the signal, resolves with the new model version's folder. */
export type DemonstrationJobExecutor = (
  request: DemonstrationTrainingRequest & { modelPath: string },
  onProgress: (progress: TrainingProgress) => void,
  signal: AbortSignal,
) => Promise<{ outputPath: string; title?: string }>;

/**
 * The session's training jobs (one at a time): their progress, loss curves and outcome, for the training
 * view. The work itself runs off the main thread (the executor starts a worker).
 */
export class TrainingService {
  readonly jobsTopic = new Topic<TrainingJob[]>();
  private readonly jobs: TrainingJob[] = [];
  private running: { jobId: number; abort: AbortController; done: Promise<void> } | null = null;
  private readonly throttle = new PublishThrottle(PUBLISH_INTERVAL_MS, () => this.jobsTopic.publish(this.list()));

  constructor(private readonly executeDemonstrations: DemonstrationJobExecutor) {
    this.jobsTopic.publish([]);
  }

  list(): TrainingJob[] {
    return structuredClone(this.jobs);
  }

  startDemonstrations(request: DemonstrationTrainingRequest & { modelPath: string }): TrainingJob {
    if (this.running) throw new CoachError('busy', `training job ${this.running.jobId} is running; cancel it or wait`);
    const job: TrainingJob = {
      jobId: this.jobs.length + 1,
      kind: 'bc',
      title: `behaviour cloning of ${path.basename(request.modelPath)} on ${request.episodesPerTemplate} demonstrations per task`,
      baseModelPath: request.modelPath,
      outputPath: null,
      startedAtMs: Date.now(),
      phase: 'preparing',
      step: 0,
      totalSteps: request.steps,
      loss: null,
      smoothedLoss: null,
      learningRate: 0,
      stepsPerS: null,
      etaS: null,
      message: null,
      lossCurve: [],
    };
    this.jobs.unshift(job);
    const abort = new AbortController();
    const done = this.executeDemonstrations(request, (progress) => this.onProgress(job, progress), abort.signal).then(
      ({ outputPath, title }) => {
        Object.assign(job, { phase: 'done', outputPath, etaS: 0, ...(title ? { title } : {}) });
      },
      (error: Error) => {
        Object.assign(job, {
          phase: abort.signal.aborted ? 'cancelled' : 'failed',
          message: abort.signal.aborted
            ? 'cancelled; nothing was written and the model in use is untouched'
            : error.message,
          etaS: null,
        });
      },
    );
    this.running = {
      jobId: job.jobId,
      abort,
      done: done.finally(() => {
        this.running = null;
        this.publish(true);
      }),
    };
    this.publish(true);
    return structuredClone(job);
  }

  async cancel(jobId: number): Promise<TrainingJob> {
    const job = this.jobs.find((item) => item.jobId === jobId);
    if (!job) throw new CoachError('not_found', `no training job ${jobId}`);
    if (this.running?.jobId === jobId) {
      this.running.abort.abort();
      await this.running.done;
    }
    return structuredClone(job);
  }

  async settled(): Promise<void> {
    await this.running?.done;
  }

  async close(): Promise<void> {
    this.running?.abort.abort();
    await this.running?.done;
    this.throttle.dispose();
  }

  private onProgress(job: TrainingJob, progress: TrainingProgress): void {
    Object.assign(job, {
      phase: progress.phase,
      step: progress.step,
      totalSteps: progress.totalSteps,
      loss: progress.loss,
      smoothedLoss: progress.smoothedLoss,
      learningRate: progress.learningRate,
      stepsPerS: progress.stepsPerS,
      etaS: progress.etaS,
      message: progress.message,
    });
    const value = progress.smoothedLoss ?? progress.loss;
    if (value !== null && Number.isFinite(value)) {
      job.lossCurve.push([progress.step, value]);
      // Keep the curve bounded: drop every other point once full.
      if (job.lossCurve.length > MAX_CURVE_POINTS) job.lossCurve = job.lossCurve.filter((_, i) => i % 2 === 0);
    }
    this.publish(false);
  }

  private publish(now: boolean): void {
    this.throttle.request(now);
  }
}
