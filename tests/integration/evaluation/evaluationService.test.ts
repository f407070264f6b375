import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { EvaluationProgress } from '../../../src/shared/evaluation/evaluationTypes';

let coach: Coach;
let dataDir: string;
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-eval-service-'));
  coach = createCoach({
    dataDir,
    host: 'test',
    healthIntervalMs: 60_000,
    arm: { autoConnect: false },
    policy: { modelPath: path.resolve(__dirname, '../../../resources/models/coach-test') },
  });
  await coach.ready;
}, 60_000);
afterAll(async () => {
  await coach?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('evaluations through the contract', () => {
  it('evaluate the loaded model in a worker: progress, a stored report, and a list to compare versions', async () => {
    const seen: EvaluationProgress[] = [];
    const stop = coach.evaluations.progressTopic.subscribe((progress) => progress && seen.push(progress));
    const started = await coach.server.call('eval.start', { episodesPerTemplate: 2, maxStrokes: 3 });
    expect(started).toMatchObject({ ok: true, value: { phase: 'loading', episodesTotal: 6 } });
    const busy = await coach.server.call('eval.start', { episodesPerTemplate: 1 });
    expect(busy).toMatchObject({ ok: false, error: { code: 'busy' } });
    const final = await coach.evaluations.settled();
    stop();
    expect(final).toMatchObject({ phase: 'done', episodesDone: 6, fraction: 1 });
    expect(final!.report!.model).toMatchObject({ name: 'coach-test', version: '1.0.0' });
    expect(seen.filter((p) => p.phase === 'running').map((p) => p.episodesDone)).toEqual(
      expect.arrayContaining([1, 2, 3, 4, 5, 6]),
    );
    const listed = await coach.server.call('eval.list', { modelName: 'coach-test' });
    expect(listed).toMatchObject({ ok: true, value: [{ id: final!.report!.id, overall: { episodes: 6 } }] });
  }, 120_000);

  it('cancel ends a running evaluation and stores nothing', async () => {
    const before = coach.evaluations.list().length;
    const started = coach.evaluations.start({
      modelPath: coach.policy.info()!.path,
      templates: ['put_in', 'pick_up', 'move_near'],
      episodesPerTemplate: 200,
      seedSet: 'heldout',
      maxStrokes: 60,
      seed: 0,
    });
    while ((coach.evaluations.progressTopic.latest?.episodesDone ?? 0) < 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const cancelled = await coach.evaluations.cancel(started.jobId);
    expect(cancelled.phase).toBe('cancelled');
    expect(cancelled.episodesDone).toBeLessThan(600);
    expect(coach.evaluations.list()).toHaveLength(before);
  }, 120_000);

  it('without a model, says so', async () => {
    await coach.policy.unload();
    expect(await coach.server.call('eval.start', {})).toMatchObject({
      ok: false,
      error: { code: 'no_policy', message: expect.stringMatching(/no model package is loaded/) },
    });
  });
});
