import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DPO_HYPERPARAMETERS,
  defaultDpoSteps,
  drawDpoStep,
  DpoMeter,
  PairOrder,
  resolveDpoHyperparameters,
  stepMetrics,
  TrainingError,
  type DpoTrainingOptions,
} from '../../../../../src/main/training/dpo';

describe('DPO step draws', () => {
  it('visit every pair once per epoch, in a seeded order that changes between epochs', () => {
    const order = new PairOrder(3, 10);
    const epoch = (e: number) => [0, 1].flatMap((s) => order.indicesOfStep(e * 2 + s, 5));
    expect([...epoch(0)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...epoch(1)].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(epoch(1)).not.toEqual(epoch(0));
    // A batch that straddles two epochs, and a fresh order object, give the same indices.
    expect(new PairOrder(3, 10).indicesOfStep(1, 4)).toEqual(new PairOrder(3, 10).indicesOfStep(1, 4));
    expect(new PairOrder(3, 10).indicesOfStep(2, 4)).toEqual([...epoch(0).slice(8), ...epoch(1).slice(0, 2)]);
  });

  it('share t and ε between the chosen and the rejected rows, or draw them apart', () => {
    const order = new PairOrder(1, 50);
    const shared = drawDpoStep(1, 7, order, 4, 35, 'shared');
    expect(shared).toEqual(drawDpoStep(1, 7, new PairOrder(1, 50), 4, 35, 'shared'));
    expect(shared.times).toHaveLength(8);
    expect(shared.noise).toHaveLength(8 * 35);
    expect(shared.times.subarray(4)).toEqual(shared.times.subarray(0, 4));
    expect(shared.noise.subarray(4 * 35)).toEqual(shared.noise.subarray(0, 4 * 35));
    const independent = drawDpoStep(1, 7, order, 4, 35, 'independent');
    expect(independent.indices).toEqual(shared.indices);
    expect(independent.times.subarray(0, 4)).toEqual(shared.times.subarray(0, 4));
    expect(independent.times.subarray(4)).not.toEqual(independent.times.subarray(0, 4));
    expect(independent.noise.subarray(4 * 35)).not.toEqual(independent.noise.subarray(0, 4 * 35));
    expect(drawDpoStep(1, 8, order, 4, 35, 'shared').noise).not.toEqual(shared.noise);
    for (const t of independent.times) expect(t >= 0.001 && t <= 1).toBe(true);
  });
});

describe('DPO metrics and early stop', () => {
  it('count a margin of exactly 0 as half right', () => {
    const m = stepMetrics(0.5, [0.2, -0.1, 0, 0.3], [1, 2, 3, 4], [2, 2, 2, 2]);
    expect(m).toEqual({ loss: 0.5, accuracy: 2.5 / 4, margin: 0.1, chosenError: 2.5, rejectedError: 2 });
  });

  it('stop on windowed accuracy once past the warm-up, or on a loss plateau', () => {
    const rule = { windowSteps: 3, accuracy: 0.9, plateauSteps: null, minLossDrop: 0 };
    const meter = new DpoMeter(3, rule);
    const record = (loss: number, accuracy: number) =>
      meter.record({ loss, accuracy, margin: 0, chosenError: 0, rejectedError: 0 });
    record(0.6, 1);
    record(0.5, 1);
    expect(meter.stopReason(true)).toBeNull(); // the window is not full
    record(0.4, 1);
    expect(meter.stopReason(false)).toBeNull(); // still warming up
    expect(meter.stopReason(true)).toMatch(/implicit accuracy over the last 3 steps reached 1\.000/);

    const plateau = new DpoMeter(2, { windowSteps: 2, accuracy: null, plateauSteps: 3, minLossDrop: 0.01 });
    const losses = [0.7, 0.5, 0.3, 0.3, 0.3, 0.3, 0.3];
    const reasons = losses.map((loss) => {
      plateau.record({ loss, accuracy: 0.5, margin: 0, chosenError: 0, rejectedError: 0 });
      return plateau.stopReason(true);
    });
    expect(reasons.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(reasons[6]).toMatch(/has not fallen by more than 0\.01 for 3 steps/);
  });
});

describe('DPO options', () => {
  const base = { modelDir: 'x', outDir: 'y', pairs: { size: 0, get: () => ({}) as never } } as DpoTrainingOptions;

  it('default to NORA-1.5’s β, shared noise, and epochs over the pairs within bounds', () => {
    const h = resolveDpoHyperparameters(base, 1000);
    expect(h.beta).toBe(500);
    expect(h.noise).toBe('shared');
    expect(h.chosenFlowWeight).toBe(0);
    expect(h.freezePrefix).toBe(true);
    expect(h.batchSize).toBe(DEFAULT_DPO_HYPERPARAMETERS.batchSize);
    expect(h.steps).toBe(defaultDpoSteps(1000, h.batchSize));
    expect(h.steps).toBe(Math.ceil((8 * 1000) / 16));
    expect(h.warmupSteps).toBe(50);
    expect(h.adamW).toMatchObject({ beta1: 0.9, beta2: 0.95, weightDecay: 0 });
    expect(h.earlyStop).toMatchObject({ accuracy: 0.95, windowSteps: 50 });
    expect(resolveDpoHyperparameters(base, 10).steps).toBe(100);
    expect(resolveDpoHyperparameters(base, 100_000).steps).toBe(1500);
    expect(resolveDpoHyperparameters({ ...base, epochs: 2, batchSize: 10 }, 1000).steps).toBe(200);
    expect(resolveDpoHyperparameters({ ...base, earlyStop: null }, 10).earlyStop).toBeNull();
    expect(
      resolveDpoHyperparameters({ ...base, earlyStop: { accuracy: null, plateauSteps: 40 } }, 10).earlyStop,
    ).toEqual({
      windowSteps: 50,
      accuracy: null,
      plateauSteps: 40,
      minLossDrop: 0.001,
    });
  });

  it('refuse values a run cannot use', () => {
    const refused = (options: Partial<DpoTrainingOptions>) => {
      try {
        resolveDpoHyperparameters({ ...base, ...options }, 100);
      } catch (error) {
        expect(error).toBeInstanceOf(TrainingError);
        expect((error as TrainingError).code).toBe('training_invalid_options');
        return (error as Error).message;
      }
      return null;
    };
    expect(refused({ beta: 0 })).toBe('β must be a positive number, got 0');
    expect(refused({ noise: 'both' as never })).toBe('noise must be "shared" or "independent", got both');
    expect(refused({ batchSize: 0 })).toBe('the batch size must be a whole number from 1 to 4096, got 0');
    expect(refused({ learningRate: -1 })).toBe('the learning rate must be a positive number, got -1');
    expect(refused({ epochs: 0 })).toBe('epochs must be a positive number, got 0');
    expect(refused({ chosenFlowWeight: -0.1 })).toBe('the chosen-chunk flow weight must be ≥ 0, got -0.1');
    expect(refused({ earlyStop: { accuracy: 1.5 } })).toBe('the early-stop accuracy must be in (0, 1], got 1.5');
    expect(refused({ earlyStop: { windowSteps: 0 } })).toBe(
      'the early-stop window must be a whole number of steps ≥ 1, got 0',
    );
  });
});
