import { describe, expect, it } from 'vitest';
import type { EvaluationSummary } from '../../../src/shared/evaluation/evaluationTypes';
import type { VersionComparison } from '../../../src/shared/models/modelVersionTypes';
import type { RefineJob } from '../../../src/shared/refine/refineTypes';
import {
  barPhase,
  etaText,
  fractionPercent,
  headlineDeltas,
  hyperparameterRows,
  pairsHeadline,
  scoresText,
} from '../../../src/renderer/src/components/refine/refineText';
import { isNewerRefineJob, isRefineActive } from '../../../src/renderer/src/stores/refineJobOrder';

function summary(patch: Partial<EvaluationSummary>): EvaluationSummary {
  return {
    episodes: 30,
    successes: 12,
    successRate: 0.4,
    successInterval95: [0.25, 0.57],
    meanStrokes: 20,
    meanStrokesOnSuccess: 14,
    meanExpertStrokes: 8,
    distractorGrasps: 7,
    meanTimeToSuccessS: 9.5,
    ...patch,
  };
}

function comparison(before: EvaluationSummary, after: EvaluationSummary): VersionComparison {
  return {
    seedSet: 'heldout',
    episodesPerTemplate: 10,
    before: { evaluationId: 1, overall: before, byTemplate: {} },
    after: { evaluationId: 2, overall: after, byTemplate: {} },
  };
}

function job(patch: Partial<RefineJob>): RefineJob {
  return {
    jobId: 1,
    phase: 'training',
    startedAtMs: 0,
    base: { id: 'coach-test', path: '/m/coach-test', name: 'coach-test', version: '0.1.0' },
    candidate: null,
    pairs: { used: 0, bySource: {}, byTask: [], builtNow: 0 },
    training: { step: 0, totalSteps: 0, loss: null, accuracy: null, margin: null, stepsPerS: null, curves: {} },
    evaluation: { done: 0, total: 0 },
    fraction: 0.2,
    etaS: 125,
    message: null,
    comparison: null,
    ...patch,
  };
}

describe('refinement headline', () => {
  it('says the pairs by source in the contract order', () => {
    expect(
      pairsHeadline({
        total: 50,
        eligible: 42,
        bySource: { gta: 12, label: 30 },
        byStatus: { active: 42, discarded: 8 },
        byTask: [],
      }),
    ).toBe('42 pairs eligible: 30 from labels, 12 from GTA');
    expect(pairsHeadline({ total: 1, eligible: 1, bySource: { label: 1, wm: 0 }, byStatus: {}, byTask: [] })).toBe(
      '1 pair eligible: 1 from labels',
    );
    expect(pairsHeadline({ total: 0, eligible: 0, bySource: {}, byStatus: {}, byTask: [] })).toBe('0 pairs eligible');
  });

  it('gives success in points, strokes in percent and grasps as a count, each with its direction', () => {
    const deltas = headlineDeltas(
      comparison(
        summary({}),
        summary({ successRate: 0.52, successInterval95: [0.35, 0.69], meanStrokes: 14, distractorGrasps: 4 }),
      ),
    );
    expect(deltas.success).toMatchObject({ before: '40 %', after: '52 %', change: '+12 points', tone: 'better' });
    expect(deltas.success.withinNoise).toBe(true);
    expect(deltas.strokes).toMatchObject({ before: '20.0', after: '14.0', change: '−30 %', tone: 'better' });
    expect(deltas.distractors).toMatchObject({ before: '7', after: '4', change: '−3', tone: 'better' });
  });

  it('marks a worse version as worse and a clear gain as beyond chance', () => {
    const worse = headlineDeltas(
      comparison(summary({}), summary({ successRate: 0.3, meanStrokes: 25, distractorGrasps: 9 })),
    );
    expect(worse.success.tone).toBe('worse');
    expect(worse.success.change).toBe('−10 points');
    expect(worse.strokes).toMatchObject({ change: '+25 %', tone: 'worse' });
    expect(worse.distractors).toMatchObject({ change: '+2', tone: 'worse' });
    const clear = headlineDeltas(
      comparison(
        summary({ successRate: 0.1, successInterval95: [0.03, 0.26] }),
        summary({ successRate: 0.8, successInterval95: [0.63, 0.9] }),
      ),
    );
    expect(clear.success.withinNoise).toBe(false);
    const same = headlineDeltas(comparison(summary({}), summary({})));
    expect(same.success).toMatchObject({ change: '±0 points', tone: 'same' });
    expect(same.distractors).toMatchObject({ change: '±0', tone: 'same' });
  });

  it('keeps a decimal for small success changes', () => {
    const small = headlineDeltas(comparison(summary({ successRate: 0.4 }), summary({ successRate: 0.4333 })));
    expect(small.success.change).toBe('+3.3 points');
  });
});

describe('refinement progress', () => {
  it('shows percent, ETA and the bar colour by phase', () => {
    expect(fractionPercent(job({ fraction: 0.456 }))).toBe(46);
    expect(fractionPercent(job({ phase: 'ready', fraction: 0.99 }))).toBe(100);
    expect(etaText(job({ etaS: 125 }))).toBe('2 min 05 s');
    expect(etaText(job({ etaS: null }))).toBe('—');
    expect(barPhase('ready')).toBe('done');
    expect(barPhase('failed')).toBe('failed');
    expect(barPhase('cancelled')).toBe('cancelled');
    expect(barPhase('training')).toBe('training');
  });

  it('lets a late answer never move a job backwards', () => {
    const training = job({ phase: 'training', fraction: 0.4 });
    expect(isNewerRefineJob(job({ phase: 'training', fraction: 0.3 }), training)).toBe(false);
    expect(isNewerRefineJob(job({ phase: 'training', fraction: 0.5 }), training)).toBe(true);
    expect(isNewerRefineJob(job({ phase: 'pairs', fraction: 0.9 }), training)).toBe(false);
    expect(isNewerRefineJob(job({ phase: 'evaluating', fraction: 0.1 }), training)).toBe(true);
    const ready = job({ phase: 'ready', fraction: 1 });
    expect(isNewerRefineJob(job({ phase: 'evaluating', fraction: 0.95 }), ready)).toBe(false);
    expect(isNewerRefineJob(job({ phase: 'promoted', fraction: 1 }), ready)).toBe(true);
    const cancelled = job({ phase: 'cancelled' });
    expect(isNewerRefineJob(job({ phase: 'training', fraction: 0.9 }), cancelled)).toBe(false);
    expect(isNewerRefineJob(job({ phase: 'failed' }), cancelled)).toBe(false);
    expect(isNewerRefineJob(job({ jobId: 2, phase: 'pairs', fraction: 0 }), cancelled)).toBe(true);
    expect(isNewerRefineJob(job({ jobId: 1 }), job({ jobId: 2 }))).toBe(false);
    expect(isNewerRefineJob(job({}), null)).toBe(true);
    expect(isRefineActive(job({ phase: 'evaluating' }))).toBe(true);
    expect(isRefineActive(job({ phase: 'ready' }))).toBe(false);
    expect(isRefineActive(null)).toBe(false);
  });
});

describe('model version and pair texts', () => {
  it('lists hyper-parameters sorted, numbers short', () => {
    expect(
      hyperparameterRows({
        steps: 400,
        beta: 500,
        learningRate: 0.000020000001,
        noise: 'shared',
        adamW: { beta2: 0.95 },
      }),
    ).toEqual([
      { key: 'adamW', value: '{"beta2":0.95}' },
      { key: 'beta', value: '500' },
      { key: 'learningRate', value: '0.00002' },
      { key: 'noise', value: 'shared' },
      { key: 'steps', value: '400' },
    ]);
  });

  it('gives scores short', () => {
    expect(scoresText({ reward: 'gta', chosen: 0.01234, rejected: 0.0941 })).toBe('gta 0.0123 vs 0.0941');
    expect(scoresText({ reward: 'gta', chosen: 0.0001, rejected: 12 })).toBe('gta 1.00e-4 vs 12');
  });
});
