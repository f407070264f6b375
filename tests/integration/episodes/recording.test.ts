import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { EpisodeEvent } from '../../../src/shared/episodes/episodeTypes';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { episodeDir } from '../../../src/main/episodes/store/episodeFormat';

let coach: Coach;
let dataDir: string;
const events: EpisodeEvent[] = [];

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-recording-'));
  coach = createCoach({
    dataDir,
    host: 'test',
    healthIntervalMs: 60_000,
    policy: { modelPath: path.resolve(__dirname, '../../../resources/models/coach-test') },
  });
  coach.episodes.eventsTopic.subscribe((event) => events.push(event));
  await coach.ready;
}, 60_000);

afterAll(async () => {
  await coach?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function nextEvent(kind: EpisodeEvent['kind'], timeoutMs = 30_000): Promise<EpisodeEvent> {
  const seen = events.length;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const found = events.slice(seen).find((event) => event.kind === kind);
      if (found) {
        clearInterval(poll);
        resolve(found);
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        reject(new Error(`no ${kind} event within ${timeoutMs} ms`));
      }
    }, 20);
  });
}

/** Runs one attempt of `strokes` chunks on the sim; resolves with its recorded episode id. */
async function attempt(strokes: number, seed: number): Promise<number> {
  const recorded = nextEvent('recorded');
  coach.runner.start('put the grape in the plate', { seed, maxStrokes: strokes, timeoutS: 60 });
  await coach.runner.finished();
  return (await recorded).ids[0]!;
}

describe('recording attempts', () => {
  it('records every executed action, the 200 Hz arm samples and both cameras, and closes the catalog row', async () => {
    const id = await attempt(3, 11);
    const status = coach.runner.status();
    const episode = coach.episodes.get(id);
    expect(episode).toMatchObject({
      kind: 'attempt',
      status: 'complete',
      outcome: status.outcome,
      reason: status.reason,
      instruction: 'put the grape in the plate',
      modelName: 'coach-test',
      modelVersion: '1.0.0',
      link: 'sim',
      seed: 11,
      label: null,
      excluded: false,
    });
    expect(episode.steps).toBe(status.actionsSent);
    expect(episode.strokes).toBe(status.strokes);
    expect(episode.cameras.sort()).toEqual(['scene', 'wrist']);

    const reader = await EpisodeReader.open(episodeDir(coach.episodes.root, id), id);
    expect(reader.header).toMatchObject({ id, kind: 'attempt', seed: 11, controlRateHz: 10, policyCamera: 'scene' });
    expect(reader.header.action).toMatchObject({ space: 'ee_delta', dims: 7, chunkLength: 5 });
    expect(reader.header.end).toMatchObject({ status: 'complete', outcome: status.outcome, steps: episode.steps });
    const steps = await reader.steps();
    expect(steps).toHaveLength(status.actionsSent);
    expect(steps.map((step) => step.stroke)).toEqual(steps.map((_, i) => Math.floor(i / 5)));
    for (const step of steps) {
      expect(step.action).toHaveLength(7);
      expect(step.jointTargetRad).toHaveLength(7);
      expect(step.stateRad).toHaveLength(7);
      if (step.chunkIndex === 0) {
        expect(step.chunk).toHaveLength(5);
        expect(step.chunk![0]).toEqual(step.action);
      } else expect(step.chunk).toBeUndefined();
    }
    // Actions follow the control rate: ~100 ms apart inside a chunk.
    const gapsS = steps.slice(1).map((step, i) => step.tS - steps[i]!.tS);
    expect(Math.min(...gapsS)).toBeGreaterThan(0.07);

    const state = await reader.state();
    const spanS = state.at(-1)!.tS - state[0]!.tS;
    expect(state.length / spanS).toBeGreaterThan(150); // the sim's feedback is 200 Hz
    expect(state[0]!.posRad).toHaveLength(7);
    state.slice(1).forEach((sample, i) => expect(sample.tS).toBeGreaterThanOrEqual(state[i]!.tS));

    for (const camera of reader.cameraNames) {
      const index = await reader.frameIndex(camera);
      const fps = index.length / (index.at(-1)!.tS - index[0]!.tS);
      expect(fps, `${camera} recorded fps`).toBeGreaterThan(20);
      expect(fps).toBeLessThan(33);
      const jpeg = await reader.frameJpeg(camera, index[0]!);
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    }
    expect(episode.frames).toBeGreaterThan(0);
    expect(coach.episodes.recorder.lastDrops).toEqual({ scene: 0, wrist: 0 });
  }, 60_000);

  it('an attempt stopped mid-chunk keeps every action sent and the strokes the run panel showed', async () => {
    const recorded = nextEvent('recorded');
    coach.runner.start('put the grape in the plate', { seed: 15, maxStrokes: 50, timeoutS: 60 });
    while (coach.runner.status().actionsSent < 7) await new Promise((resolve) => setTimeout(resolve, 10));
    await coach.runner.stop('test stop');
    const id = (await recorded).ids[0]!;
    const status = coach.runner.status();
    expect(status.outcome).toBe('stopped');
    const episode = coach.episodes.get(id);
    expect(episode).toMatchObject({ outcome: 'stopped', reason: 'test stop', strokes: status.strokes });
    expect(episode.steps).toBe(status.actionsSent);
    expect(episode.steps % 5, 'the last chunk was cut short').not.toBe(0);
    await coach.arm.release();
  }, 60_000);

  it('replay gives steps, stroke starts, joint samples and frames by index; a missing frame is named', async () => {
    const id = await attempt(2, 12);
    const replay = await coach.episodes.replay(id);
    expect(replay.episode.id).toBe(id);
    expect(replay.actionNames).toEqual(['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper']);
    expect(replay.steps).toHaveLength(replay.episode.steps);
    expect(replay.strokeStartsS).toHaveLength(replay.episode.strokes);
    expect(replay.strokeStartsS[0]).toBe(replay.steps[0]!.tS);
    expect(replay.state.tS.length).toBeGreaterThan(10);
    const rateHz = replay.state.tS.length / (replay.state.tS.at(-1)! - replay.state.tS[0]!);
    expect(rateHz).toBeLessThanOrEqual(52);
    const scene = replay.cameras.find((camera) => camera.name === 'scene')!;
    expect(scene.tS.length).toBeGreaterThan(5);
    expect(replay.missingFrames).toEqual({});
    const frame = await coach.episodes.frame(id, 'scene', 3);
    expect(frame).toMatchObject({ camera: 'scene', index: 3, tS: scene.tS[3] });
    expect([frame.jpeg[0], frame.jpeg[1]]).toEqual([0xff, 0xd8]);
    await expect(coach.episodes.frame(id, 'scene', 100_000)).rejects.toThrow(/there is no frame 100000/);
    await expect(coach.episodes.frame(id, 'nope', 0)).rejects.toThrow(/has no camera "nope"/);

    fs.rmSync(path.join(episodeDir(coach.episodes.root, id), 'cameras', 'scene', '000003.jpg'));
    expect((await coach.episodes.replay(id)).missingFrames).toEqual({ scene: [3] });
    await expect(coach.episodes.frame(id, 'scene', 3)).rejects.toThrow(/000003\.jpg: the frame file is missing/);
  }, 60_000);

  it('labels, notes, marks, exclusion and delete with undo reach the catalog and announce themselves', async () => {
    const id = await attempt(1, 13);
    const updated = nextEvent('updated');
    expect(coach.episodes.label([id], 'good')[0]!.label).toBe('good');
    expect((await updated).ids).toEqual([id]);
    coach.episodes.setNote(id, 'clean');
    coach.episodes.addMark(id, 0.1, 0.3, 'bad', 'wobble');
    coach.episodes.setExcluded([id], true);
    expect(coach.episodes.get(id)).toMatchObject({
      label: 'good',
      note: 'clean',
      excluded: true,
      marks: [{ note: 'wobble' }],
    });

    const deleted = nextEvent('deleted');
    expect(coach.episodes.delete([id])).toEqual({ deleted: [id] });
    expect((await deleted).ids).toEqual([id]);
    expect(coach.episodes.list({}).episodes.map((episode) => episode.id)).not.toContain(id);
    // The files stay until Coach closes, so the undo brings the episode back whole.
    expect(fs.existsSync(episodeDir(coach.episodes.root, id))).toBe(true);
    expect(coach.episodes.undoDelete()).toEqual({ restored: [id] });
    expect(coach.episodes.get(id)).toMatchObject({ label: 'good', note: 'clean', excluded: true });
    expect(() => coach.episodes.undoDelete()).toThrow(/no delete to undo/);
  }, 60_000);

  it('records a manual session: the governor setpoints at 10 Hz, outcome manual', async () => {
    const started = coach.episodes.startManual('jog to the plate');
    expect(started).toMatchObject({ kind: 'manual', status: 'recording', instruction: 'jog to the plate' });
    expect(() => coach.episodes.startManual('again')).toThrow(/already recording/);
    await coach.arm.release().catch(() => undefined);
    await coach.arm.enable();
    await coach.arm.jog(1, 0.05);
    await new Promise((resolve) => setTimeout(resolve, 800));
    const episode = await coach.episodes.stopManual();
    expect(episode).toMatchObject({
      id: started.id,
      kind: 'manual',
      status: 'complete',
      outcome: 'manual',
      strokes: 0,
    });
    expect(episode.steps).toBeGreaterThanOrEqual(5);
    const reader = await EpisodeReader.open(episodeDir(coach.episodes.root, started.id), started.id);
    expect(reader.header.action.space).toBe('joint_abs');
    expect(reader.header.policyCamera).toBeUndefined(); // no policy observes a manual session
    const steps = await reader.steps();
    expect(steps[0]!.action).toHaveLength(7);
    await expect(coach.episodes.stopManual()).rejects.toThrow(/no manual session is recording/);
  }, 60_000);

  it('an attempt while recording is switched off leaves no episode', async () => {
    const before = coach.episodes.list({}).total;
    const outcome = await coach.server.call('settings.update', { recording: { enabled: false } });
    expect(outcome).toMatchObject({ ok: true, value: { recording: { enabled: false, fps: 30 } } });
    coach.runner.start('put the grape in the plate', { seed: 14, maxStrokes: 1, timeoutS: 30 });
    await coach.runner.finished();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(coach.episodes.list({}).total).toBe(before);
    await coach.server.call('settings.update', { recording: { enabled: true } });
  }, 60_000);
});
