import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../src/main/coach';
import type { SystemHealth, SystemInfo } from '../../src/shared/system';
import type { ArmState } from '../../src/shared/arm';

const rootPackage = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const ortVersion = (
  JSON.parse(fs.readFileSync(require.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }
).version;

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'coach-data-'));
}

function start(dataDir = tempDir(), healthIntervalMs = 1000, autoConnect = false): Coach {
  const coach = createCoach({ dataDir, host: 'test', healthIntervalMs, arm: { autoConnect } });
  coaches.push(coach);
  return coach;
}

describe('createCoach: system.info', () => {
  it('reports the app, runtime, a real onnxruntime session probe and the machine', async () => {
    const dataDir = tempDir();
    const coach = start(dataDir);
    const outcome = await coach.server.call('system.info', {});
    expect(outcome.ok).toBe(true);
    const info = (outcome as { value: SystemInfo }).value;
    expect(info.app).toEqual({ name: 'Coach', version: rootPackage.version });
    expect(info.runtime.node).toBe(process.versions.node);
    expect(info.runtime.electron).toBeNull();
    expect(info.host).toBe('test');
    expect(info.onnxRuntime.version).toBe(ortVersion);
    expect(info.onnxRuntime.loadError).toBeNull();
    expect(info.onnxRuntime.usableProviders).toContain('cpu');
    expect(info.onnxRuntime.preferredProvider).toBe(info.onnxRuntime.usableProviders[0]);
    // CUDA is either usable or explained, never silently missing on Linux x64.
    if (process.platform === 'linux' && process.arch === 'x64' && !info.onnxRuntime.usableProviders.includes('cuda')) {
      expect(info.onnxRuntime.unavailable).toEqual([
        expect.objectContaining({
          provider: 'cuda',
          reason: expect.stringContaining('ONNXRUNTIME_NODE_INSTALL=cuda12'),
        }),
      ]);
    }
    expect(info.machine.cpuCount).toBe(os.cpus().length);
    expect(info.machine.totalMemoryBytes).toBe(os.totalmem());
    expect(info.dataDir).toBe(dataDir);
  });

  it('refuses arguments system.info does not take', async () => {
    const coach = start();
    expect(await coach.server.call('system.info', { verbose: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
  });

  it('explains a data folder it cannot use', () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => createCoach({ dataDir: path.join(file, 'sub'), host: 'test' })).toThrow(/--data DIR/);
  });
});

describe('createCoach: system.health', () => {
  it('streams fresh samples at the configured rate', async () => {
    const coach = start(tempDir(), 50);
    const samples: SystemHealth[] = [];
    const outcome = coach.server.subscribe('system.health', {}, (sample) => samples.push(sample as SystemHealth));
    expect(outcome.ok).toBe(true);
    await expect.poll(() => samples.length, { timeout: 2000 }).toBeGreaterThanOrEqual(4);
    if (outcome.ok) outcome.unsubscribe();
    const last = samples.at(-1)!;
    expect(last.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(last.heapUsedBytes).toBeGreaterThan(0);
    expect(last.uptimeS).toBeCloseTo(process.uptime(), 0);
    expect(samples.at(-1)!.sampledAtMs).toBeGreaterThan(samples[0]!.sampledAtMs);
  });

  it('measures event-loop delay when the loop is blocked', async () => {
    const coach = start(tempDir(), 200);
    const samples: SystemHealth[] = [];
    coach.server.subscribe('system.health', {}, (sample) => samples.push(sample as SystemHealth));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const until = Date.now() + 120;
    while (Date.now() < until) {
      // Block the event loop on purpose.
    }
    await expect
      .poll(() => Math.max(...samples.map((s) => s.eventLoopDelayMaxMs)), { timeout: 2000 })
      .toBeGreaterThan(80);
  });
});

describe('createCoach: settings in the data folder', () => {
  it('persists updates and reloads them', async () => {
    const dataDir = tempDir();
    const first = start(dataDir);
    expect(await first.server.call('settings.get', {})).toEqual({
      ok: true,
      value: {
        schemaVersion: 1,
        ui: { theme: 'dark', layout: null, firstRunDone: false },
        arm: { link: { kind: 'sim', transport: 'in-process', feedbackRateHz: 200 }, autoConnect: true },
        cameras: { added: [], policyCamera: null },
        policy: { modelPath: null, autoLoad: true },
        recording: { enabled: true, fps: 30, cameras: null, dir: null },
        refine: { externalTrainerCommand: null, worldModelPath: null },
        safety: { jointLimits: {}, velocityCapRadS: null },
        runner: { controlRateHz: null },
      },
    });
    expect(await first.server.call('settings.update', { ui: { theme: 'light' } })).toMatchObject({
      ok: true,
      value: { ui: { theme: 'light' } },
    });
    expect(await first.server.call('settings.update', { recording: { fps: 15 } })).toMatchObject({
      ok: true,
      value: { recording: { enabled: true, fps: 15 } },
    });
    const second = start(dataDir);
    expect(await second.server.call('settings.get', {})).toMatchObject({
      ok: true,
      value: { ui: { theme: 'light' }, recording: { fps: 15, enabled: true } },
    });
    expect(await second.server.call('settings.update', { ui: { theme: 'neon' } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
  });

  it('keeps a corrupt settings file aside and starts from defaults', async () => {
    const dataDir = tempDir();
    fs.writeFileSync(path.join(dataDir, 'settings.json'), '{"ui": {"theme": ');
    const coach = start(dataDir);
    expect(coach.warnings[0]).toMatch(/not valid JSON/);
    expect(await coach.server.call('settings.get', {})).toMatchObject({ ok: true, value: { ui: { theme: 'dark' } } });
    const kept = fs.readdirSync(dataDir).filter((name) => name.startsWith('settings.json.invalid-'));
    expect(kept).toHaveLength(1);
    expect(fs.readFileSync(path.join(dataDir, kept[0]!), 'utf8')).toBe('{"ui": {"theme": ');
  });
});

describe('createCoach: the arm', () => {
  it('connects to the embedded simulated A1 by default and streams its state', async () => {
    const coach = start(tempDir(), 1000, true);
    await coach.ready;
    const states: ArmState[] = [];
    coach.server.subscribe('arm.state', {}, (state) => states.push(state as ArmState));
    await expect.poll(() => states.at(-1)?.link?.state, { timeout: 5000 }).toBe('up');
    await expect.poll(() => states.at(-1)?.joints.length).toBe(7);
    expect(states.at(-1)!.link!.kind).toBe('sim');
  });

  it('refuses a direct serial link unless the inferred protocol is acknowledged', async () => {
    const coach = start();
    const outcome = await coach.server.call('arm.connect', { kind: 'serial', path: '/dev/ttyACM0' });
    expect(outcome).toMatchObject({ ok: false, error: { code: 'invalid_arguments' } });
    if (!outcome.ok) expect(outcome.error.message).toMatch(/inferred from the vendor driver/);
  });

  it('remembers the link it connected to', async () => {
    const dataDir = tempDir();
    const coach = start(dataDir);
    expect(await coach.server.call('arm.connect', { kind: 'sim', transport: 'tcp' })).toMatchObject({ ok: true });
    expect(await coach.server.call('settings.get', {})).toMatchObject({
      ok: true,
      value: { arm: { link: { kind: 'sim', transport: 'tcp' } } },
    });
  });

  it('answers arm methods with structured errors when no link is open', async () => {
    const coach = start();
    expect(await coach.server.call('arm.jog', { motorId: 2, deltaRad: 0.1 })).toMatchObject({
      ok: false,
      error: { code: 'not_connected' },
    });
    expect(await coach.server.call('arm.jog', { motorId: 9, deltaRad: 0.1 })).toMatchObject({
      ok: false,
      error: { code: 'invalid_arguments' },
    });
    const held = await coach.server.call('arm.hold', {});
    expect(held, JSON.stringify(held)).toMatchObject({ ok: true, value: { governor: { holdLatched: true } } });
  });
});
