import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../../src/main/cli/runCli';
import { SettingsStore } from '../../../src/main/settings/settingsStore';
import type { PairSummary, PreferencePair } from '../../../src/shared/refine/pairTypes';
import { captureOutput } from '../../helpers/captureOutput';
import { recordAttempts } from './fixtures/recordAttempts';

const TEST_MODEL = path.resolve(__dirname, '../../../resources/models/coach-test');
let dataDir: string;
let ids: number[];

beforeAll(async () => {
  ({ dataDir, ids } = await recordAttempts([41, 42], 2));
}, 120_000);
afterEach(() => vi.restoreAllMocks());
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureOutput();
  try {
    const code = await runCli(args);
    return { code, out: io.out(), err: io.err() };
  } finally {
    vi.restoreAllMocks();
  }
}

describe('coach pairs', () => {
  it('build says what to do when nothing is labelled, then builds, skips what is stored, lists and reviews', async () => {
    const [a, b] = ids as [number, number];
    let run = await cli('pairs', 'build', '--model', TEST_MODEL, '--data', dataDir);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^coach pairs build: no labelled attempts and no unlabelled successes: label attempts/);

    expect((await cli('episodes', 'label', String(a), 'good', '--data', dataDir)).code).toBe(0);
    run = await cli(
      'pairs',
      'build',
      '--from',
      'all',
      '--k',
      '3',
      '--seed',
      '5',
      '--model',
      TEST_MODEL,
      '--data',
      dataDir,
    );
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain('model coach-test 1.0.0 (ee_delta), K = 3, seed 5, from all, reward gta\n');
    expect(run.out).toContain('built 4 pair(s) (label 2, gta 2); 0 already stored (skipped)\n');
    expect(run.out).toContain(`episodes used: 1 (${a}); skipped: 1\n`);
    expect(run.out).toContain(
      `  episode ${b}: not labelled good or bad (no good or bad marks), and not an unlabelled success\n`,
    );
    expect(run.out).toContain('eligible pairs now: 4 (gta 2, label 2)\n');

    // Without --model: the model the console loads (its settings); the same seed finds them stored.
    new SettingsStore(dataDir).update({ policy: { modelPath: TEST_MODEL } });
    run = await cli('pairs', 'build', '--k', '3', '--seed', '5', '--data', dataDir);
    expect(run.out).toContain('built 0 pair(s); 4 already stored (skipped)\n');

    run = await cli('pairs', 'list', '--json', '--data', dataDir);
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.out) as { total: number; summary: PairSummary; pairs: PreferencePair[] };
    expect(listed.total).toBe(4);
    expect(listed.summary).toMatchObject({ eligible: 4, byTask: [{ task: 'put the grape in the plate', count: 4 }] });
    expect(listed.pairs.every((p) => p.episodeId === a && p.chosen.length === 5)).toBe(true);
    const [p1, p2, p3] = listed.pairs.map((p) => p.id) as [number, number, number];

    expect((await cli('pairs', 'flip', String(p1), '--data', dataDir)).out).toBe(`pair ${p1}: flipped\n`);
    expect((await cli('pairs', 'discard', `${p2},${p3}`, '--data', dataDir)).out).toBe(
      `pair ${p2}: discarded\npair ${p3}: discarded\n`,
    );
    expect((await cli('pairs', 'restore', String(p3), '--data', dataDir)).out).toBe(`pair ${p3}: active\n`);
    run = await cli('pairs', 'flip', String(p2), '--data', dataDir);
    expect(run.code).toBe(1);
    expect(run.err).toBe(`coach pairs flip: pair ${p2} is discarded; restore it first (coach pairs restore ${p2})\n`);

    run = await cli('pairs', 'list', '--status', 'flipped,discarded', '--data', dataDir);
    expect(run.out.split('\n').filter((line) => /^\s+\d+\s+\d+\s+\d+\s+(label|gta)/.test(line))).toHaveLength(2);
    expect(run.out).toMatch(/2 of 2 pair\(s\) in .*episodes\n {2}eligible for training: 1 \(/);
    run = await cli('pairs', 'list', '--data', dataDir);
    expect(run.out).toContain('eligible for training: 3 (');
    expect(run.out).toMatch(/by status: active 2, (discarded 1, flipped 1|flipped 1, discarded 1)/);
  }, 120_000);

  it('refuses bad usage with the usage text and exit status 2', async () => {
    for (const args of [
      ['pairs', 'build', '--from', 'nope'],
      ['pairs', 'build', '--k', '1'],
      ['pairs', 'list', '--source', 'nope'],
      ['pairs', 'flip'],
      ['pairs', 'flip', 'x'],
      ['pairs', 'frobnicate'],
    ]) {
      const run = await cli(...args, '--data', dataDir);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.err).toContain('Usage: coach pairs build');
    }
    expect((await cli('pairs', 'help')).out).toContain('flip     train with chosen and rejected swapped');
  });
});
