import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { RECORDING_FLUSH_MS, episodeDir } from '../../../src/main/episodes/store/episodeFormat';

const repoRoot = path.resolve(__dirname, '../../..');
const child = path.join(__dirname, 'fixtures/recordingChild.ts');
const open: Coach[] = [];
afterEach(async () => {
  for (const coach of open.splice(0)) await coach.close();
});

/** Starts the recording child and resolves once it has recorded `actions` actions of an attempt. */
function startRecordingChild(dataDir: string, actions: number) {
  const proc = spawn(process.execPath, ['--require', require.resolve('tsx/cjs'), child, dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const recording = new Promise<{ id: number }>((resolve, reject) => {
    let id = 0;
    let buffer = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const started = /^recording (\d+)/.exec(line);
        if (started) id = Number(started[1]);
        const status = /^status (\w+) (\d+)/.exec(line);
        if (status && status[1] === 'finished') reject(new Error(`the attempt ended before the kill: ${line}`));
        if (status && id && Number(status[2]) >= actions) resolve({ id });
      }
    });
    proc.on('exit', (code) => reject(new Error(`the child exited (${code}) before recording: ${stderr}`)));
  });
  return { proc, recording };
}

describe('crash safety', () => {
  it('kill -9 mid-episode loses at most the last second; the next start recovers it as interrupted', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-crash-'));
    const { proc, recording } = startRecordingChild(dataDir, 15);
    const { id } = await recording;
    const killedAtMs = Date.now();
    proc.kill('SIGKILL');
    await new Promise((resolve) => proc.once('exit', resolve));
    const root = path.join(dataDir, 'episodes');
    // The header is there without an end: the process never closed the episode.
    const before = await EpisodeReader.open(episodeDir(root, id), id);
    expect(before.header.end).toBeUndefined();

    const coach = createCoach({
      dataDir,
      host: 'test',
      healthIntervalMs: 60_000,
      arm: { autoConnect: false },
      policy: { autoLoad: false },
    });
    open.push(coach);
    await coach.ready;
    expect(coach.warnings.join('\n')).toMatch(
      new RegExp(`recovered 1 episode\\(s\\) interrupted by a crash \\(${id}\\)`),
    );
    const episode = coach.episodes.get(id);
    expect(episode).toMatchObject({ status: 'interrupted', outcome: 'interrupted' });
    expect(episode.reason).toMatch(/crash or a kill/);
    expect(episode.steps).toBeGreaterThanOrEqual(10);
    expect(episode.frames).toBeGreaterThan(0);
    // At most the last flush interval (well under a second) is lost.
    const lostS = (killedAtMs - episode.startedAtMs) / 1000 - episode.durationS;
    expect(lostS).toBeLessThan(1);
    expect(lostS).toBeGreaterThan(-0.5);
    expect(RECORDING_FLUSH_MS).toBeLessThanOrEqual(1000);
    // The files agree with the catalog, and the header now has its end.
    const reader = await EpisodeReader.open(episodeDir(root, id), id);
    expect(reader.header.end).toMatchObject({ status: 'interrupted', outcome: 'interrupted', steps: episode.steps });
    const steps = await reader.steps();
    expect(steps.length).toBe(episode.steps);
    steps.forEach((step, i) => expect(step.i).toBe(i));
    const state = await reader.state();
    expect(state.length).toBeGreaterThan(100);
    for (const camera of reader.cameraNames) {
      const index = await reader.frameIndex(camera);
      expect(await reader.missingFrames(camera, index)).toEqual([]);
    }
    // Nothing is left 'recording', and a second start recovers nothing more.
    expect(coach.episodes.catalog.recordingIds()).toEqual([]);
    await coach.close();
    open.pop();
    const again = createCoach({
      dataDir,
      host: 'test',
      healthIntervalMs: 60_000,
      arm: { autoConnect: false },
      policy: { autoLoad: false },
    });
    open.push(again);
    await again.ready;
    expect(again.warnings.join('\n')).not.toMatch(/recovered/);
    expect(again.episodes.get(id).status).toBe('interrupted');
  }, 120_000);
});
