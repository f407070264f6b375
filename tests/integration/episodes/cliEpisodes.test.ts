import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/main/cli/runCli';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { captureOutput } from '../../helpers/captureOutput';

let dataDir: string;
let ids: number[];
afterEach(() => vi.restoreAllMocks());

/** Two attempts recorded by the real `coach run` (sim, test model) into one data folder. */
beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-episodes-'));
  for (const seed of ['21', '22']) {
    const io = captureOutput();
    const code = await runCli([
      'run',
      '--task',
      'put the grape in the plate',
      '--seed',
      seed,
      '--max-strokes',
      '2',
      '--model',
      path.resolve(__dirname, '../../../resources/models/coach-test'),
      '--data',
      dataDir,
    ]);
    expect(io.err()).toBe('');
    expect(code).toBe(3);
    vi.restoreAllMocks();
  }
  const catalog = new EpisodeCatalog(path.join(dataDir, 'episodes', 'catalog.sqlite'));
  ids = catalog.list({}).episodes.map((episode) => episode.id);
  catalog.close();
}, 120_000);

afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('coach episodes and coach export', () => {
  it('coach run records its attempt; episodes list shows both with counts; label sets label and note', async () => {
    expect(ids).toHaveLength(2);
    let io = captureOutput();
    expect(await runCli(['episodes', 'label', String(ids[1]), 'good', '--note', 'nice one', '--data', dataDir])).toBe(
      0,
    );
    expect(io.out()).toBe(`episode ${ids[1]}: good — note "nice one"\n`);
    vi.restoreAllMocks();

    io = captureOutput();
    expect(await runCli(['episodes', 'list', '--data', dataDir])).toBe(0);
    const out = io.out();
    expect(out).toMatch(/put the grape in the plate\s+max_strokes\s+good\s+2\s+\d+\.\d s\s+coach-test 1\.0\.0/);
    expect(out).toMatch(/2 of 2 episode\(s\) in .*episodes/);
    expect(out).toMatch(/outcomes: max_strokes 2/);
    expect(out).toMatch(/labels: good 1, bad 0, unsure 0, unlabeled 1/);
    vi.restoreAllMocks();

    io = captureOutput();
    expect(await runCli(['episodes', 'list', '--label', 'good', '--json', '--data', dataDir])).toBe(0);
    const listed = JSON.parse(io.out()) as { total: number; episodes: { id: number; note: string }[] };
    expect(listed.total).toBe(1);
    expect(listed.episodes[0]).toMatchObject({ id: ids[1], note: 'nice one' });
  }, 60_000);

  it('bad usage says what was wrong (exit 2); an unknown episode exits 1', async () => {
    let io = captureOutput();
    expect(await runCli(['episodes', 'label', '12', 'great', '--data', dataDir])).toBe(2);
    expect(io.err()).toMatch(/the label must be good, bad, unsure or none, got "great"/);
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runCli(['episodes', 'list', '--outcome', 'won', '--data', dataDir])).toBe(2);
    expect(io.err()).toMatch(/--outcome: unknown won/);
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runCli(['episodes', 'label', '9999', 'good', '--data', dataDir])).toBe(1);
    expect(io.err()).toMatch(/no episode 9999/);
    vi.restoreAllMocks();
    io = captureOutput();
    expect(await runCli(['export', '--format', 'csv', '--out', '/tmp/x', '--data', dataDir])).toBe(2);
    expect(io.err()).toMatch(/--format must be one of lerobot-v2\.1, lerobot-v3, jsonl/);
  });

  it('coach export writes a LeRobot v2.1 dataset and JSONL of the recorded attempts, and refuses a non-empty folder', async () => {
    const out = path.join(dataDir, 'export-v21');
    let io = captureOutput();
    expect(await runCli(['export', '--format', 'lerobot-v2.1', '--out', out, '--data', dataDir])).toBe(0);
    expect(io.out()).toMatch(/exported 2 episode\(s\), \d+ frames, 4 video\(s\)/);
    const info = JSON.parse(fs.readFileSync(path.join(out, 'meta/info.json'), 'utf8')) as Record<string, unknown>;
    expect(info).toMatchObject({ codebase_version: 'v2.1', total_episodes: 2, fps: 10, robot_type: 'galaxea_a1' });
    expect(fs.existsSync(path.join(out, 'data/chunk-000/episode_000001.parquet'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'videos/chunk-000/observation.images.scene/episode_000000.mp4'))).toBe(true);
    vi.restoreAllMocks();

    io = captureOutput();
    expect(await runCli(['export', '--format', 'lerobot-v2.1', '--out', out, '--data', dataDir])).toBe(1);
    expect(io.err()).toMatch(/not empty/);
    vi.restoreAllMocks();

    const jsonl = path.join(dataDir, 'export-jsonl');
    io = captureOutput();
    expect(await runCli(['export', '--format', 'jsonl', '--out', jsonl, '--label', 'good', '--data', dataDir])).toBe(0);
    expect(io.out()).toMatch(/exported 1 episode\(s\)/);
    const csv = fs.readFileSync(path.join(jsonl, 'episodes.csv'), 'utf8').trim().split('\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain('good');
  }, 120_000);
});
