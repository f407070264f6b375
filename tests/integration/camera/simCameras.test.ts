import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import type { CameraFrame, CameraInfo } from '../../../src/shared/camera';
import type { SceneSummary } from '../../../src/shared/sim/sceneSummary';
import {
  buildTestModelPackage,
  DEFAULT_TEST_PACKAGE,
} from '../../../src/main/policy/testPackage/buildTestModelPackage';

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

async function simCoach(dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cams-'))): Promise<Coach> {
  const coach = createCoach({
    dataDir,
    host: 'test',
    arm: { autoConnect: true },
  });
  coaches.push(coach);
  await coach.ready;
  return coach;
}

async function call<T>(coach: Coach, method: string, args: unknown = {}): Promise<T> {
  const outcome = await coach.server.call(method, args);
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.value as T;
}

function collectFrames(coach: Coach, camera: string): { frames: CameraFrame[]; stop: () => void } {
  const frames: CameraFrame[] = [];
  const outcome = coach.server.subscribe('camera.frames', { camera }, (frame) => frames.push(frame as CameraFrame));
  if (!outcome.ok) throw new Error(outcome.error.message);
  return { frames, stop: outcome.unsubscribe };
}

const isJpeg = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8;
const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

describe('the simulated bench and its cameras', () => {
  it('starts with a scene and live scene and wrist cameras', async () => {
    const coach = await simCoach();
    await expect
      .poll(async () => (await call<CameraInfo[]>(coach, 'camera.list')).map((c) => [c.name, c.state]), {
        timeout: 10_000,
      })
      .toEqual([
        ['scene', 'live'],
        ['wrist', 'live'],
      ]);
    const cameras = await call<CameraInfo[]>(coach, 'camera.list');
    expect(cameras.find((c) => c.name === 'scene')).toMatchObject({
      isPolicyCamera: true,
      widthPx: 640,
      heightPx: 480,
    });
    const scene = await call<SceneSummary>(coach, 'sim.scene');
    expect(scene.instruction).toMatch(/\w+/);
    expect(scene.objects.length).toBeGreaterThanOrEqual(1);
  });

  it('streams JPEG frames that stay the same while the arm is still and change when it moves', async () => {
    const coach = await simCoach();
    const wrist = collectFrames(coach, 'wrist');
    await expect.poll(() => wrist.frames.length, { timeout: 10_000 }).toBeGreaterThan(5);
    const still = wrist.frames.at(-1)!;
    expect(isJpeg(still.jpeg)).toBe(true);
    expect([still.widthPx, still.heightPx]).toEqual([640, 480]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sameBytes(wrist.frames.at(-1)!.jpeg, still.jpeg)).toBe(true);

    await call(coach, 'arm.enable');
    await expect.poll(() => coach.arm.state().enabled).toBe(true);
    await call(coach, 'arm.jog', { motorId: 1, deltaRad: 0.2 });
    await expect.poll(() => !sameBytes(wrist.frames.at(-1)!.jpeg, still.jpeg), { timeout: 5000 }).toBe(true);
    wrist.stop();
  });

  it('each sim camera the loaded policy takes a picture from also delivers an RGB copy at that size', async () => {
    const model = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cams-model-'));
    await buildTestModelPackage(model, {
      ...DEFAULT_TEST_PACKAGE,
      name: 'coach-test-wrist',
      moreCameras: [{ name: 'wrist', widthPx: 96, heightPx: 72 }],
    });
    const coach = await simCoach();
    await coach.policy.load(model);
    const copies = () =>
      ['scene', 'wrist'].map((camera) => {
        const rgb = coach.cameras.bus.latest(camera)?.policyRgb;
        return rgb ? [rgb.widthPx, rgb.heightPx, rgb.data.length] : null;
      });
    await expect.poll(copies, { timeout: 10_000 }).toEqual([
      [224, 224, 224 * 224 * 3],
      [96, 72, 96 * 72 * 3],
    ]);
    // The first image follows the policy camera; the scene camera then feeds none.
    await call(coach, 'camera.setPolicyCamera', { name: 'wrist' });
    await expect.poll(copies, { timeout: 5000 }).toEqual([null, [224, 224, 224 * 224 * 3]]);
    await coach.policy.unload();
    await expect.poll(copies, { timeout: 5000 }).toEqual([null, null]);
  });

  it('resets the scene from a seed and a task instruction, and refuses unknown tasks', async () => {
    const coach = await simCoach();
    const scene = await call<SceneSummary>(coach, 'sim.resetScene', { seed: 7, instruction: 'pick up the orange' });
    expect(scene).toMatchObject({ seed: 7, instruction: 'pick up the orange', task: { success: false } });
    expect(scene.objects.map((o) => o.kind)).toContain('orange');
    const again = await call<SceneSummary>(coach, 'sim.resetScene', { seed: 7, instruction: 'pick up the orange' });
    expect(again.objects).toEqual(scene.objects);
    const refused = await coach.server.call('sim.resetScene', { instruction: 'juggle the plates' });
    expect(refused.ok).toBe(false);
  });

  it('remembers added cameras and the policy camera across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cams-'));
    const video = path.join(dataDir, 'bench.mp4');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=320x240:rate=15',
      '-t',
      '1',
      '-y',
      video,
    ]);
    const first = await simCoach(dataDir);
    await call(first, 'camera.add', { name: 'bench', source: { kind: 'file', path: video } });
    await call(first, 'camera.setPolicyCamera', { name: 'bench' });
    await first.close();
    coaches.splice(coaches.indexOf(first), 1);

    const second = await simCoach(dataDir);
    const cameras = await call<CameraInfo[]>(second, 'camera.list');
    expect(cameras.map((c) => c.name).sort()).toEqual(['bench', 'scene', 'wrist']);
    expect(cameras.find((c) => c.name === 'bench')).toMatchObject({ isPolicyCamera: true, source: { kind: 'file' } });
    await call(second, 'camera.remove', { name: 'bench' });
    expect(second.warnings).toEqual([]);
  });

  it('drops the sim cameras when another link is chosen', async () => {
    const coach = await simCoach();
    await call(coach, 'arm.connect', { kind: 'rosbridge', url: 'ws://127.0.0.1:1' });
    expect(await call<CameraInfo[]>(coach, 'camera.list')).toEqual([]);
    expect(await call(coach, 'sim.scene')).toBeNull();
  });

  it('explains a camera it cannot open and keeps the others running', async () => {
    const coach = await simCoach();
    const sceneState = async () =>
      (await call<CameraInfo[]>(coach, 'camera.list')).find((c) => c.name === 'scene')!.state;
    await expect.poll(sceneState, { timeout: 10_000 }).toBe('live');
    const refused = await coach.server.call('camera.add', {
      name: 'bench',
      source: { kind: 'file', path: '/nonexistent/bench.mp4' },
    });
    expect(refused).toMatchObject({ ok: false, error: { code: 'camera_unavailable' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/bench\.mp4/);
    // A file that exists but is not a video starts, then fails with ffmpeg's reason.
    const notVideo = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coach-cams-')), 'notes.mp4');
    fs.writeFileSync(notVideo, 'not a video');
    await call(coach, 'camera.add', { name: 'notes', source: { kind: 'file', path: notVideo } });
    await expect
      .poll(async () => (await call<CameraInfo[]>(coach, 'camera.list')).find((c) => c.name === 'notes')?.state, {
        timeout: 10_000,
      })
      .toBe('failed');
    expect(await sceneState()).toBe('live');
    expect((await coach.server.call('camera.frames' as never, {} as never)).ok).toBe(false);
  });
});
