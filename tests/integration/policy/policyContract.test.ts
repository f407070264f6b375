import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { PolicyInfo, RunStatus } from '../../../src/shared/policy/policyTypes';

const repoRoot = path.join(__dirname, '../../..');
const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

const TEST_MODEL = path.join(repoRoot, 'resources/models/coach-test');

/** A console on the untrained test package (fast, deterministic); `shipped` starts it on the default instead. */
function start(dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-policy-')), shipped = false): Coach {
  const coach = createCoach({ dataDir, host: 'test', ...(shipped ? {} : { policy: { modelPath: TEST_MODEL } }) });
  coaches.push(coach);
  return coach;
}

describe('policy.* and run.* through the contract', () => {
  it('loads the shipped default policy at start, says it is trained and which provider runs it', async () => {
    const coach = start(undefined, true);
    await coach.ready;
    const info = coach.policy.info()!;
    expect(info).toMatchObject({
      name: 'coach-tiny',
      trained: true,
      actionSpace: 'ee_delta',
      path: path.join(repoRoot, 'resources/models/coach-tiny'),
    });
    expect(info.cameras[0]).toMatchObject({ widthPx: 160, heightPx: 120 });
  });

  it('loads the test package it is given, says it is untrained and which provider runs it', async () => {
    const coach = start();
    await coach.ready;
    const outcome = await coach.server.call('policy.info', {});
    expect(outcome.ok).toBe(true);
    const info = (outcome as { value: PolicyInfo }).value;
    expect(info).toMatchObject({
      name: 'coach-test',
      trained: false,
      actionSpace: 'ee_delta',
      chunkLength: 5,
      actionDims: 7,
      flowSteps: 10,
      provider: 'cpu',
      path: path.join(repoRoot, 'resources/models/coach-test'),
    });
    expect(info.parameterCount).toBeGreaterThan(1000);
    expect(info.providerNote).toMatch(/cuda|CUDA/);
    expect(info.warmupMs).toBeGreaterThan(0);
  });

  it('a failed load names the problem and keeps the model in use; a good one is remembered in the settings', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-policy-'));
    const coach = start(dataDir);
    await coach.ready;
    const missing = path.join(dataDir, 'no-such-model');
    expect(await coach.server.call('policy.load', { path: missing })).toMatchObject({
      ok: false,
      error: { code: 'model_package_invalid', message: expect.stringContaining('no-such-model') },
    });
    expect(coach.policy.info()?.name).toBe('coach-test');
    const copy = path.join(dataDir, 'my-model');
    fs.cpSync(path.join(repoRoot, 'resources/models/coach-test'), copy, { recursive: true });
    expect(await coach.server.call('policy.load', { path: copy })).toMatchObject({ ok: true, value: { path: copy } });
    await expect(coach.server.call('settings.get', {})).resolves.toMatchObject({
      value: { policy: { modelPath: copy } },
    });
    expect(await coach.server.call('policy.unload', {})).toEqual({ ok: true, value: null });
    expect(await coach.server.call('policy.info', {})).toEqual({ ok: true, value: null });
    expect(await coach.server.call('run.start', { instruction: 'pick up the orange' })).toMatchObject({
      ok: false,
      error: { code: 'no_policy' },
    });
  });

  it('run.start streams the attempt; arm.hold (the Stop (hold) button) ends it as stopped', async () => {
    const coach = start();
    await coach.ready;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the sim cameras' first frames
    const statuses: RunStatus[] = [];
    coach.server.subscribe('run.status', {}, (status) => statuses.push(status as RunStatus));
    expect(await coach.server.call('run.start', { instruction: 'put the grape in the plate' })).toMatchObject({
      ok: true,
      value: { phase: 'starting', instruction: 'put the grape in the plate', runId: 1 },
    });
    const deadline = Date.now() + 10_000;
    while (!statuses.some((status) => status.strokes >= 1) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await coach.server.call('arm.hold', {})).toMatchObject({
      ok: true,
      value: { governor: { holdLatched: true } },
    });
    const final = await coach.runner.finished();
    expect(final).toMatchObject({ phase: 'finished', outcome: 'stopped', reason: 'Stop (hold) pressed' });
    expect(final.strokes).toBeGreaterThanOrEqual(1);
    expect(statuses.at(-1)).toMatchObject({ phase: 'finished', outcome: 'stopped' });
    expect(new Set(statuses.map((status) => status.phase))).toEqual(
      new Set(['idle', 'starting', 'inferring', 'executing', 'finished']),
    );
    expect(await coach.server.call('run.start', { instruction: '  ' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
  });
});
