import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCoach, type Coach } from '../../../src/main/coach';
import { sceneSummarySchema, type SceneSummary } from '../../../src/shared/sim/sceneSummary';

const coaches: Coach[] = [];
afterEach(async () => {
  while (coaches.length) await coaches.pop()!.close();
});

async function call<T>(coach: Coach, method: string, args: unknown = {}): Promise<T> {
  const outcome = await coach.server.call(method, args);
  if (!outcome.ok) throw new Error(`${method}: ${outcome.error.message}`);
  return outcome.value as T;
}

describe('sim.scene for the 3D view', () => {
  it('gives each object its position on the table (base frame), yaw and shape, and the table itself', async () => {
    const coach = createCoach({
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'coach-scene-')),
      host: 'test',
      arm: { autoConnect: true },
      policy: { autoLoad: false },
    });
    coaches.push(coach);
    await coach.ready;
    // Through the contract (its schema keeps only declared fields): the positions must survive it.
    const scene = await call<SceneSummary>(coach, 'sim.resetScene', {
      seed: 11,
      instruction: 'put the grape in the plate',
    });
    expect(sceneSummarySchema.parse(scene)).toEqual(scene);
    expect(scene.table).toEqual({ sizeM: [0.8, 1], centerM: [0.35, 0], color: expect.stringMatching(/^#/) });
    const [sizeX, sizeY] = scene.table!.sizeM;
    const [centerX, centerY] = scene.table!.centerM;
    const grape = scene.objects.find((object) => object.kind === 'grape')!;
    expect(grape.shape).toEqual({ type: 'sphere', radiusM: expect.any(Number) });
    const plate = scene.objects.find((object) => object.kind === 'plate')!;
    expect(plate.shape).toMatchObject({ type: 'dish' });
    for (const object of scene.objects) {
      const [x, y, z] = object.positionM!;
      expect(Math.abs(x - centerX)).toBeLessThanOrEqual(sizeX / 2);
      expect(Math.abs(y - centerY)).toBeLessThanOrEqual(sizeY / 2);
      // Resting on the table (or in a container), in front of the arm's base.
      expect(z).toBeGreaterThanOrEqual(0);
      expect(z).toBeLessThan(0.05);
      expect(Math.hypot(x, y)).toBeGreaterThan(0.1);
      expect(Number.isFinite(object.yawRad)).toBe(true);
    }
    // The same seed lays out the same scene: positions are the world's, not made up per call.
    const again = await call<SceneSummary>(coach, 'sim.scene');
    expect(again.objects.map((object) => object.positionM)).toEqual(scene.objects.map((object) => object.positionM));
  });
});
