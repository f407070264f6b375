import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/main/cli/runCli';
import { buildTestModelPackage } from '../../src/main/policy/testPackage/buildTestModelPackage';
import { captureOutput } from '../helpers/captureOutput';

afterEach(() => vi.restoreAllMocks());

const COMMITTED = path.resolve(__dirname, '../../resources/models/coach-test');

/** A copy of the committed package with one manifest field (by dotted path) changed. */
function brokenCopy(dotted: string, value: unknown): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-model-')), 'pkg');
  fs.cpSync(COMMITTED, dir, { recursive: true });
  const file = path.join(dir, 'manifest.json');
  const manifest: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
  const keys = dotted.split('.');
  const last = keys.pop()!;
  let target = manifest as Record<string, unknown>;
  for (const key of keys) target = target[key] as Record<string, unknown>;
  target[last] = value;
  fs.writeFileSync(file, JSON.stringify(manifest));
  return dir;
}

describe('coach model inspect', () => {
  it('describes the committed test package', async () => {
    const io = captureOutput();
    expect(await runCli(['model', 'inspect', COMMITTED])).toBe(0);
    const out = io.out();
    expect(out).toMatch(/^coach-test 1\.0\.0 — UNTRAINED/);
    expect(out).toContain(`folder       ${COMMITTED}`);
    expect(out).toContain('action       ee_delta, chunks of 5 × 7 dims: dx, dy, dz, droll, dpitch, dyaw, gripper');
    expect(out).toContain('gripper      dim 6: 0 closed … 1 open');
    expect(out).toContain('flow         10 Euler steps per chunk; actions run at 10 Hz');
    expect(out).toContain('camera       scene → image: float32 NCHW 224×224 (mean 0.5/0.5/0.5, std 0.5/0.5/0.5)');
    expect(out).toContain('instruction  input_ids + attention_mask [1, 16]; tokenizer.json (WordLevel, 25 tokens)');
    expect(out).toContain('context → context  float32 [1, 64]');
    expect(out).toContain('parameters   248,675 (prefix 160,448, expert 88,227)');
    expect(out).toMatch(/files {8}manifest\.json [\d.]+ kB, prefix\.onnx 643\.4 kB, expert\.onnx 355\.8 kB/);
    expect(io.err()).toBe('');
  });

  it('--json gives the same facts to programs, context shapes included', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-model-')), 'kv');
    await buildTestModelPackage(dir, { variant: 'kv', hiddenSize: 32, expertLayers: 2, seed: 1, name: 'kv-test' });
    const io = captureOutput();
    expect(await runCli(['model', 'inspect', dir, '--json'])).toBe(0);
    const info = JSON.parse(io.out());
    expect(info).toMatchObject({ dir, name: 'kv-test', trained: false, flowSteps: 10, controlRateHz: 10 });
    expect(info.action).toMatchObject({ space: 'ee_delta', chunkLength: 5, dims: 7 });
    expect(info.context).toHaveLength(5);
    expect(info.context[0]).toEqual({
      prefixOutput: 'past_key_0',
      expertInput: 'past_key_0',
      elemType: 'float32',
      dims: [1, 4, 212, 16],
    });
    expect(info.context[4]).toMatchObject({ prefixOutput: 'pad_mask', elemType: 'bool', dims: [1, 212] });
    expect(info.parameters.total).toBe(info.parameters.prefix + info.parameters.expert);
    expect(info.parameters.total).toBeGreaterThan(100_000);
    const expertFile = info.files.find((file: { file: string }) => file.file === 'expert.onnx');
    expect(expertFile.bytes).toBe(fs.statSync(path.join(dir, 'expert.onnx')).size);
  });

  it('exits 1 with the problem for a broken package', async () => {
    const io = captureOutput();
    const dir = brokenCopy('action.normalization.q01', [-0.01, -0.01, -0.01, -0.05, -0.05, -0.05]);
    expect(await runCli(['model', 'inspect', dir])).toBe(1);
    expect(io.err()).toBe(
      'coach model inspect: manifest.json: action.normalization.q01 has 6 values but the action has 7 dims\n',
    );
    expect(io.out()).toBe('');
    const renamed = brokenCopy('cameras.0.input', 'pixel_values');
    expect(await runCli(['model', 'inspect', renamed, '--json'])).toBe(1);
    expect(io.err()).toContain('prefix.onnx: has no input "pixel_values"');
  });

  it('explains its usage, and is listed in coach --help', async () => {
    const io = captureOutput();
    expect(await runCli(['model'])).toBe(2);
    expect(io.err()).toContain('coach model: missing subcommand');
    expect(await runCli(['model', 'inspect'])).toBe(2);
    expect(io.err()).toContain('inspect needs the package folder');
    expect(await runCli(['model', 'load', COMMITTED])).toBe(2);
    expect(io.err()).toContain('unknown subcommand "load"');
    expect(await runCli(['model', 'help'])).toBe(0);
    expect(io.out()).toContain('Usage: coach model inspect DIR [--json]');
    expect(await runCli(['--help'])).toBe(0);
    expect(io.out()).toContain('coach model inspect DIR [--json]');
  });
});
