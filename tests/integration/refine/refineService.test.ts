import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { recordSimAttempt } from '../../../src/main/refine/recordSimAttempt';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import type { RefineJob } from '../../../src/shared/refine/refineTypes';

const repoRoot = path.resolve(__dirname, '../../..');
const BASE = path.join(repoRoot, 'resources/models/coach-test');
const coaches: Coach[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const coach of coaches.splice(0)) await coach.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A console with the test package loaded and `good` + `bad` sim attempts recorded and labelled. */
async function consoleWithLabelledAttempts(good: number, bad: number): Promise<Coach> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-refine-'));
  dirs.push(dataDir);
  const coach = createCoach({
    dataDir,
    host: 'test',
    healthIntervalMs: 60_000,
    arm: { autoConnect: false },
    policy: { modelPath: BASE },
  });
  coaches.push(coach);
  await coach.ready;
  const chain = loadArmChain(repoRoot);
  const loaded = await loadPackagePolicy(BASE);
  try {
    for (let i = 0; i < good + bad; i += 1) {
      const { episodeId } = await recordSimAttempt(chain, loaded.policy, loaded.model, coach.episodes, {
        template: 'pick_up',
        seed: sceneSeed('train', 'pick_up', i),
        maxStrokes: 3,
        noiseSeed: i,
      });
      coach.episodes.label([episodeId], i < good ? 'good' : 'bad');
    }
  } finally {
    await loaded.release();
  }
  return coach;
}

async function finished(coach: Coach): Promise<RefineJob> {
  await coach.refine.settled();
  return coach.refine.status()!;
}

describe('one-click refinement', () => {
  it('builds pairs, trains a new version, compares it with the current one on the same seeds, and promotes it', async () => {
    const coach = await consoleWithLabelledAttempts(2, 1);
    const phases = new Set<string>();
    coach.refine.statusTopic.subscribe((job) => job && phases.add(job.phase));
    const started = await coach.refine.start({
      buildFrom: 'all',
      steps: 12,
      seed: 0,
      evalEpisodesPerTemplate: 1,
      evalTemplates: ['pick_up'],
    });
    expect(started.base.path).toBe(BASE);
    const job = await finished(coach);
    expect(job.message).toBe('compare, then promote or discard');
    expect(job.phase).toBe('ready');
    expect([...phases]).toEqual(expect.arrayContaining(['pairs', 'training', 'evaluating', 'ready']));
    // 3 attempts × 3 chunks: label pairs for all of them, GTA pairs for the two good ones.
    expect(job.pairs.bySource.label).toBe(9);
    expect(job.pairs.bySource.gta).toBeGreaterThan(0);
    expect(job.training.step).toBe(12);
    expect(job.training.curves.loss!.length).toBeGreaterThan(0);
    // The same held-out seeds on both sides, stored in the catalog.
    const comparison = job.comparison!;
    expect(comparison.seedSet).toBe('heldout');
    expect(comparison.before.overall.episodes).toBe(1);
    expect(comparison.after.overall.episodes).toBe(1);
    const stored = coach.evaluations.list('coach-test');
    expect(stored.map((report) => report.id)).toEqual(
      expect.arrayContaining([comparison.before.evaluationId, comparison.after.evaluationId]),
    );
    const seedsOf = (id: number | null) => stored.find((r) => r.id === id)!.episodes.map((e) => e.seed);
    expect(seedsOf(comparison.after.evaluationId)).toEqual(seedsOf(comparison.before.evaluationId));

    // Until Promote, the model in use is the base; the candidate is a registered version with its lineage.
    expect(coach.policy.info()!.path).toBe(BASE);
    const candidate = coach.models.list(BASE).find((version) => version.id === job.candidate!.id)!;
    expect(candidate).toMatchObject({ origin: 'dpo', status: 'candidate', parentId: job.base.id, inUse: false });
    expect(candidate.pairIds).toHaveLength(job.pairs.used);
    expect((await loadModelPackage(candidate.path)).manifest.version).toBe(job.candidate!.version);
    await expect(
      coach.refine.start({ buildFrom: 'none', seed: 0, evalEpisodesPerTemplate: 0, evalTemplates: ['pick_up'] }),
    ).rejects.toThrow(/promote or discard/i);

    const promoted = await coach.refine.promote(job.jobId);
    expect(promoted.phase).toBe('promoted');
    expect(coach.policy.info()!.path).toBe(path.resolve(candidate.path));
    expect(coach.models.list(coach.policy.info()!.path).find((v) => v.inUse)!.id).toBe(candidate.id);
    expect(coach.models.rollbackTarget(candidate.path).id).toBe(job.base.id);
  }, 240_000);

  it('cancel during training leaves the model in use untouched and removes the unfinished version', async () => {
    const coach = await consoleWithLabelledAttempts(1, 1);
    await coach.refine.start({
      buildFrom: 'all',
      steps: 100_000,
      seed: 0,
      evalEpisodesPerTemplate: 1,
      evalTemplates: ['pick_up'],
    });
    const deadline = Date.now() + 120_000;
    while (coach.refine.status()!.training.step < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const { jobId, candidate } = coach.refine.status()!;
    const cancelled = await coach.refine.cancel(jobId);
    expect(cancelled.phase).toBe('cancelled');
    expect(cancelled.message).toMatch(/model in use is untouched/);
    expect(fs.existsSync(candidate!.path)).toBe(false);
    expect(coach.policy.info()!.path).toBe(BASE);
    expect(coach.models.list(BASE).filter((version) => version.origin === 'dpo')).toEqual([]);
  }, 240_000);

  it('refines through the configured external trainer and imports the package it writes', async () => {
    const coach = await consoleWithLabelledAttempts(1, 1);
    const trainer = path.join(repoRoot, 'tests/fixtures/externalTrainer/fakeDpoTrainer.mjs');
    const noTrainer = await coach.refine.start({ trainer: 'external', evalEpisodesPerTemplate: 0 });
    expect(noTrainer.phase).toBe('pairs');
    expect((await finished(coach)).message).toMatch(/no external trainer is configured/);
    await coach.server.call('settings.update', {
      refine: {
        externalTrainerCommand: [
          process.execPath,
          trainer,
          '--dataset',
          '{dataset}',
          '--output',
          '{output}',
          '--model',
          '{model}',
        ],
      },
    });
    await coach.refine.start({ trainer: 'external', evalEpisodesPerTemplate: 1, evalTemplates: ['pick_up'] });
    const job = await finished(coach);
    expect(job.message).toBe('compare, then promote or discard');
    expect(job.training.step).toBeGreaterThan(0);
    const pkg = await loadModelPackage(job.candidate!.path);
    expect(pkg.manifest.version).toBe('1.0.0-dpo.1');
    const version = coach.models.list(BASE).find((item) => item.id === job.candidate!.id)!;
    expect(version.hyperparameters).toMatchObject({ trainer: 'external' });
    expect(job.comparison!.after.overall.episodes).toBe(1);
  }, 240_000);

  it('refuses to refine with no pairs, saying what to do', async () => {
    const coach = await consoleWithLabelledAttempts(0, 0);
    await coach.refine.start({ buildFrom: 'all', seed: 0, evalEpisodesPerTemplate: 0, evalTemplates: ['pick_up'] });
    const job = await finished(coach);
    expect(job.phase).toBe('failed');
    expect(job.message).toMatch(/no preference pairs.*label some attempts good or bad/);
    expect(coach.policy.info()!.path).toBe(BASE);
  }, 120_000);
});
