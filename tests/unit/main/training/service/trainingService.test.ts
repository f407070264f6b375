import { describe, expect, it } from 'vitest';
import { TrainingService, type DemonstrationJobExecutor } from '../../../../../src/main/training/trainingService';
import type { TrainingJob } from '../../../../../src/shared/training/trainingJobTypes';

const request = {
  modelPath: '/models/m',
  episodesPerTemplate: 2,
  steps: 1000,
  batchSize: 8,
  learningRate: 1e-3,
  seed: 0,
};

/** An executor that reports `steps` steps of a decaying loss, then finishes (or waits for the signal). */
function executor(steps: number, finish: 'done' | 'wait' | 'fail'): DemonstrationJobExecutor {
  return async (req, onProgress, signal) => {
    for (let step = 1; step <= steps; step += 1) {
      onProgress({
        jobId: 1,
        phase: 'training',
        step,
        totalSteps: req.steps,
        loss: 1 / step,
        smoothedLoss: 1 / step,
        learningRate: 1e-3,
        stepsPerS: 100,
        etaS: (req.steps - step) / 100,
        message: null,
      });
    }
    if (finish === 'fail') throw new Error('the disk is full');
    if (finish === 'wait')
      await new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted'))));
    return { outputPath: '/models/m-bc-1' };
  };
}

describe('TrainingService', () => {
  it('tracks a job to its end with a bounded loss curve, and publishes the list', async () => {
    const service = new TrainingService(executor(1000, 'done'));
    const published: TrainingJob[][] = [];
    service.jobsTopic.subscribe((jobs) => published.push(jobs));
    const job = service.startDemonstrations(request);
    expect(job).toMatchObject({ jobId: 1, kind: 'bc', totalSteps: 1000, baseModelPath: '/models/m' });
    expect(() => service.startDemonstrations(request)).toThrow(/training job 1 is running/);
    await service.settled();
    const [done] = service.list();
    expect(done).toMatchObject({ phase: 'done', step: 1000, outputPath: '/models/m-bc-1', smoothedLoss: 0.001 });
    expect(done!.lossCurve.length).toBeLessThanOrEqual(400);
    expect(done!.lossCurve.length).toBeGreaterThan(100);
    expect(done!.lossCurve[0]).toEqual([1, 1]);
    expect(published.at(-1)![0]!.phase).toBe('done');
    await service.close();
  });

  it('cancel leaves the job cancelled; a failure keeps its message', async () => {
    const waiting = new TrainingService(executor(3, 'wait'));
    const job = waiting.startDemonstrations(request);
    const cancelled = await waiting.cancel(job.jobId);
    expect(cancelled.phase).toBe('cancelled');
    expect(cancelled.message).toMatch(/model in use is untouched/);
    await expect(waiting.cancel(99)).rejects.toThrow(/no training job 99/);

    const failing = new TrainingService(executor(3, 'fail'));
    failing.startDemonstrations(request);
    await failing.settled();
    expect(failing.list()[0]).toMatchObject({ phase: 'failed', message: 'the disk is full' });
  });
});
