import type { Worker } from 'node:worker_threads';
import { CoachError } from '../../shared/contract/errors';
import { spawnWorker } from '../system/spawnWorker';
import type { BcTrainingResult } from './bc/trainBehaviourCloning';
import { TrainingCancelledError } from './bc/trainingErrors';
import type { BcTrainingJob, DpoTrainingJob, TrainingWorkerMessage } from './trainingWorkerProtocol';
import type { DpoTrainingResult } from './dpo/trainDpo';
import type { TrainingProgress } from './trainingTypes';

export interface TrainingRunnerOptions {
  /** Coach's root folder (findAppPackage(__dirname).root): where the worker's source or bundle lives. */
  appRoot: string;
  onProgress?: (progress: TrainingProgress) => void;
}

/**
 * A training job in its own worker thread, seen from the main thread: `result` settles when it ends
 * (rejecting with TrainingCancelledError after `cancel()`, or with the job's error), `onProgress` hears
 * every progress report and `progress` holds the latest.
 */
export class TrainingRunner<Result = BcTrainingResult> {
  readonly result: Promise<Result>;
  private latest: TrainingProgress | null = null;
  private cancelled = false;
  private settled = false;

  private constructor(
    private readonly worker: Worker,
    onProgress: ((progress: TrainingProgress) => void) | undefined,
  ) {
    this.result = new Promise<Result>((resolve, reject) => {
      const finish = (outcome: () => void) => {
        if (this.settled) return;
        this.settled = true;
        outcome();
        void worker.terminate();
      };
      worker.on('message', (message: TrainingWorkerMessage<Result>) => {
        if (message.type === 'progress') {
          this.latest = message.progress;
          onProgress?.(message.progress);
        } else if (message.type === 'done') finish(() => resolve(message.result));
        else
          finish(() =>
            reject(
              message.error.code === 'training_cancelled'
                ? new TrainingCancelledError((message.error.details as { step?: number } | undefined)?.step ?? 0)
                : CoachError.fromShape(message.error),
            ),
          );
      });
      worker.on('error', (error) => finish(() => reject(error)));
      worker.on('exit', (code) =>
        finish(() =>
          reject(
            this.cancelled
              ? new TrainingCancelledError(this.latest?.step ?? 0)
              : new Error(`the training worker exited (${code}) before the job ended`),
          ),
        ),
      );
    });
  }

  static start(job: BcTrainingJob, options: TrainingRunnerOptions): TrainingRunner {
    const worker = spawnWorker(options.appRoot, 'src/main/training/trainingWorker.ts', 'trainingWorker', { job });
    return new TrainingRunner(worker, options.onProgress);
  }

  /** DPO refinement on stored preference pairs (dpoWorker.ts). */
  static startDpo(job: DpoTrainingJob, options: TrainingRunnerOptions): TrainingRunner<DpoTrainingResult> {
    const worker = spawnWorker(options.appRoot, 'src/main/training/dpoWorker.ts', 'dpoWorker', { job });
    return new TrainingRunner<DpoTrainingResult>(worker, options.onProgress);
  }

  get progress(): TrainingProgress | null {
    return this.latest;
  }

  /** Asks the job to stop after its current step; `result` then rejects with TrainingCancelledError. */
  cancel(): void {
    this.cancelled = true;
    if (!this.settled) this.worker.postMessage({ type: 'cancel' });
  }

  /** Stops the worker at once (a job stuck inside one step); `result` rejects. */
  async terminate(): Promise<void> {
    this.cancelled = true;
    await this.worker.terminate();
  }
}
