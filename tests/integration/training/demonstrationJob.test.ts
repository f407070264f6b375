import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../src/main/policy/policyRuntime';
import { demonstrationJobExecutor } from '../../../src/main/training/demonstrationJob';
import { TrainingService } from '../../../src/main/training/trainingService';
import { buildTwoCameraPackage } from '../refine/fixtures/twoCameraPackage';

const repoRoot = path.resolve(__dirname, '../../..');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-demo-job-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('training from demonstrations (the console job)', () => {
  it('generates demonstrations, trains in the worker, and writes a new package that loads; the base is untouched', async () => {
    const base = path.join(repoRoot, 'resources/models/coach-test');
    const baseExpert = fs.readFileSync(path.join(base, 'expert.onnx'));
    const service = new TrainingService(demonstrationJobExecutor(repoRoot, dataDir));
    const messages: string[] = [];
    service.jobsTopic.subscribe((jobs) => jobs[0]?.message && messages.push(jobs[0].message));
    service.startDemonstrations({
      modelPath: base,
      episodesPerTemplate: 1,
      steps: 6,
      batchSize: 4,
      learningRate: 1e-3,
      seed: 0,
    });
    await service.settled();
    const [job] = service.list();
    expect(job, job?.message ?? '').toMatchObject({ phase: 'done', step: 6, totalSteps: 6 });
    expect(messages.some((message) => /generating demonstrations \d+\/3/.test(message))).toBe(true);
    expect(job!.lossCurve.length).toBeGreaterThan(0);
    expect(job!.outputPath).toContain(path.join(dataDir, 'models'));
    const pkg = await loadModelPackage(job!.outputPath!);
    expect(pkg.manifest).toMatchObject({ name: 'coach-test', trained: true });
    expect(pkg.manifest.version).toMatch(/^1\.0\.0\+bc\./);
    const runtime = await PolicyRuntime.load(pkg);
    await runtime.release();
    expect(fs.readFileSync(path.join(base, 'expert.onnx')).equals(baseExpert)).toBe(true);
    // The dataset file was temporary.
    expect(fs.readdirSync(path.join(dataDir, 'training'))).toEqual([]);
    await service.close();
  }, 300_000);

  it('draws the wrist camera for a package that takes one (training would refuse samples without it)', async () => {
    const base = await buildTwoCameraPackage();
    try {
      const service = new TrainingService(demonstrationJobExecutor(repoRoot, dataDir));
      const request = { modelPath: base, episodesPerTemplate: 1, steps: 2, batchSize: 4, learningRate: 1e-3, seed: 0 };
      service.startDemonstrations(request);
      await service.settled();
      const [job] = service.list();
      expect(job, job?.message ?? '').toMatchObject({ phase: 'done', step: 2 });
      const pkg = await loadModelPackage(job!.outputPath!);
      expect(pkg.manifest.cameras.map((camera) => camera.name)).toEqual(['scene', 'wrist']);
      await service.close();
    } finally {
      fs.rmSync(base, { recursive: true, force: true });
    }
  }, 300_000);
});
