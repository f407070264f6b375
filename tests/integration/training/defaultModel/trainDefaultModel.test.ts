import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelPackage } from '../../../../src/main/policy/modelPackage';
import { DEFAULT_MODEL_SPEC } from '../../../../src/main/training/defaultModel/defaultModelSpec';
import { trainDefaultModel } from '../../../../src/main/training/defaultModel/trainDefaultModel';
import { DEFAULT_DEMO_CONFIG, SCENE_DEMO_CONFIG } from '../../../../src/main/training/demonstrations/demoConfig';
import { initializersOf } from '../../../../src/main/training/onnx';

const repoRoot = path.resolve(__dirname, '../../../..');
const COMMITTED = path.join(repoRoot, 'resources/models/coach-tiny');
const temporary: string[] = [];

afterAll(async () => {
  for (const dir of temporary) await fs.rm(dir, { recursive: true, force: true });
});

describe('train:default', () => {
  it('goes from demonstrations to a trained package and an evaluation, in miniature', async () => {
    const outDir = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-tiny-out-'));
    temporary.push(outDir);
    const lines: string[] = [];
    const result = await trainDefaultModel({
      appRoot: repoRoot,
      spec: DEFAULT_MODEL_SPEC,
      demos: { ...DEFAULT_DEMO_CONFIG, episodesPerTemplate: 1 },
      sceneDemos: { ...SCENE_DEMO_CONFIG, episodesPerTemplate: 1 },
      training: { steps: 3, batchSize: 4, learningRate: 1e-3, seed: 0, freezePrefix: true },
      warmup: { steps: 3, batchSize: 4, learningRate: 1e-3, seed: 1 },
      relabel: { rounds: 1, episodesPerTemplate: 1, firstSeedIndex: 5000, maxStrokes: 2, steps: 2, learningRate: 1e-3 },
      outDir,
      version: '0.0.0-test',
      cacheRoot: null,
      workers: 1,
      evalEpisodesPerTemplate: 1,
      evalSeedSet: 'train',
      log: (line) => lines.push(line),
    });
    expect(result.demoSamples).toBeGreaterThan(100);
    expect(result.training.losses).toHaveLength(3);
    expect(result.training.losses.every(Number.isFinite)).toBe(true);
    // A relabelling round: the cloned policy's two chunk boundaries on each of three scenes, labelled, then trained on.
    expect(result.relabelRounds).toHaveLength(1);
    expect(result.relabelRounds[0]!.report).toMatchObject({ episodes: 3, samples: 6 });
    expect(result.relabelRounds[0]!.training.losses).toHaveLength(2);
    expect(lines).toContainEqual(
      expect.stringMatching(/^relabelling round 1: the policy solved \d\/3 training scenes; 6 states/),
    );
    const pkg = await loadModelPackage(outDir);
    expect(pkg.manifest).toMatchObject({ name: 'coach-tiny', version: '0.0.0-test', trained: true });
    expect(pkg.manifest.description).toMatch(
      /then 1 round\(s\) on its own states labelled by the scripted expert \(6 samples/,
    );
    expect(result.evaluation!.episodes).toHaveLength(3);
    expect(result.evaluation!.request.seedSet).toBe('train');
    // Both sets were generated and joined: the sparse one adds a sample every 25th step of three more episodes.
    const generated = lines.filter((line) => /^demonstrations: \d+ samples from \d+ episodes/.test(line));
    expect(generated).toHaveLength(2);
    const counts = generated.map((line) => Number(/(\d+) samples/.exec(line)![1]));
    expect(counts[1]).toBeGreaterThanOrEqual(3);
    expect(counts[1]).toBeLessThan(counts[0]! / 10);
    expect(result.demoSamples).toBe(counts[0]! + counts[1]!);

    // A later run takes the warmed-up weights it has from that package, even when its later layers differ.
    const unprojected = await fs.mkdtemp(path.join(os.tmpdir(), 'coach-tiny-out-'));
    temporary.push(unprojected);
    const again: string[] = [];
    await trainDefaultModel({
      appRoot: repoRoot,
      spec: { ...DEFAULT_MODEL_SPEC, projectContext: false },
      demos: { ...DEFAULT_DEMO_CONFIG, episodesPerTemplate: 1 },
      sceneDemos: null,
      warmedPrefixFrom: outDir,
      training: { steps: 2, batchSize: 4, learningRate: 1e-3, seed: 0, freezePrefix: true },
      warmup: { steps: 3, batchSize: 4, learningRate: 1e-3, seed: 1 },
      outDir: unprojected,
      version: '0.0.0-test',
      cacheRoot: null,
      workers: 1,
      evalEpisodesPerTemplate: 0,
      evalSeedSet: 'train',
      log: (line) => again.push(line),
    });
    expect(again).toContain(`localisation warm-up: 21 of 21 weights of the prefix of ${outDir} (not run again)`);
    const [warmed, taken] = await Promise.all(
      [outDir, unprojected].map(async (dir) => initializersOf((await loadModelPackage(dir)).prefixPath)),
    );
    expect(taken!['wrist_encoder.fine.weight']).toEqual(warmed!['wrist_encoder.fine.weight']);
    expect(taken!['context_proj.weight']).toBeUndefined();
  }, 180_000);

  it('the committed coach-tiny is a trained package under 20 MB that takes the robot state', async () => {
    const pkg = await loadModelPackage(COMMITTED);
    expect(pkg.manifest).toMatchObject({ name: 'coach-tiny', trained: true });
    expect(pkg.manifest.prefix.robotStateInput).toBe('robot_state');
    let bytes = 0;
    for (const file of await fs.readdir(COMMITTED)) bytes += (await fs.stat(path.join(COMMITTED, file))).size;
    expect(bytes).toBeLessThanOrEqual(20 * 2 ** 20);
  });
});
