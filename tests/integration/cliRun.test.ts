import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/main/cli/runCli';
import { captureOutput } from '../helpers/captureOutput';

afterEach(() => vi.restoreAllMocks());
const dataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-run-'));

describe('coach run', () => {
  it('runs one attempt on the simulated bench and prints the outcome, strokes and timings', async () => {
    const io = captureOutput();
    const code = await runCli([
      'run',
      '--task',
      'put the grape in the plate',
      '--seed',
      '3',
      '--max-strokes',
      '2',
      '--data',
      dataDir(),
    ]);
    expect(io.err()).toBe('');
    expect(code).toBe(3);
    const out = io.out();
    const shipped = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '../../resources/models/coach-tiny/manifest.json'), 'utf8'),
    ) as { version: string };
    expect(out).toContain(`model coach-tiny ${shipped.version} on CPU`); // the shipped default policy
    expect(out).toMatch(/stroke 1: inference \d+\.\d ms, 5 actions sent/);
    expect(out).toMatch(/outcome: max_strokes — reached the limit of 2 strokes/);
    expect(out).toMatch(/task: "put the grape in the plate" \(seed 3\)/);
    expect(out).toMatch(/strokes: 2, actions sent: 10/);
    expect(out).toMatch(/inference per chunk: mean \d+\.\d ms/);
    expect(out).toMatch(/sim task check: not done/);
  });

  it('--json prints the final status', async () => {
    const io = captureOutput();
    expect(
      await runCli([
        'run',
        '--task',
        'pick up the orange',
        '--seed',
        '5',
        '--max-strokes',
        '1',
        '--json',
        '--data',
        dataDir(),
      ]),
    ).toBe(3);
    expect(JSON.parse(io.out())).toMatchObject({
      outcome: 'max_strokes',
      strokes: 1,
      instruction: 'pick up the orange',
    });
  });

  it('refuses a broken model package with the file and the problem, before touching the arm', async () => {
    const io = captureOutput();
    const broken = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-broken-model-'));
    expect(await runCli(['run', '--task', 'pick up the orange', '--model', broken, '--data', dataDir()])).toBe(1);
    expect(io.err()).toMatch(/coach run: .*manifest\.json/);
    expect(io.out()).not.toMatch(/^arm /m);
  });

  it('explains bad usage', async () => {
    const io = captureOutput();
    expect(await runCli(['run', '--seed', '3'])).toBe(2);
    expect(io.err()).toMatch(/--task is required/);
    expect(await runCli(['run', '--task', 'x y z', '--max-strokes', '0'])).toBe(2);
    expect(io.err()).toMatch(/--max-strokes must be a whole number from 1/);
  });
});
