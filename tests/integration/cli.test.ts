import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/main/cli/runCli';
import { captureOutput } from '../helpers/captureOutput';

afterEach(() => vi.restoreAllMocks());

describe('coach CLI', () => {
  it('info --json prints system.info and creates the data folder', async () => {
    const dataDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-')), 'nested', 'data');
    const io = captureOutput();
    expect(await runCli(['info', '--json', '--data', dataDir])).toBe(0);
    const info = JSON.parse(io.out());
    expect(info.app.name).toBe('Coach');
    expect(info.dataDir).toBe(dataDir);
    expect(info.onnxRuntime.usableProviders).toContain('cpu');
    expect(fs.statSync(dataDir).isDirectory()).toBe(true);
  });

  it('info prints a readable summary naming the provider in use', async () => {
    const io = captureOutput();
    expect(await runCli(['info', '--data', fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-'))])).toBe(0);
    expect(io.out()).toMatch(/onnxruntime 1\.\d+/);
    expect(io.out()).toMatch(/inference uses (cuda|cpu)/);
  });

  it('--help lists the commands; an unknown command fails with usage', async () => {
    const io = captureOutput();
    expect(await runCli(['--help'])).toBe(0);
    expect(io.out()).toContain('serve');
    expect(io.out()).toContain('--data DIR');
    expect(await runCli(['launch'])).toBe(2);
    expect(io.err()).toContain('unknown command "launch"');
  });

  it('serve refuses a public address without --allow-remote, before binding anything', async () => {
    const io = captureOutput();
    const data = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cli-'));
    expect(await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--data', data])).toBe(1);
    expect(io.err()).toMatch(/--allow-remote/);
  });
});
