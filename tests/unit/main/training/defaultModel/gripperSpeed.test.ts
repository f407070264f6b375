import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSimAttempt, type ChunkPolicy } from '../../../../../src/main/evaluation/simAttempt';
import { loadArmChain } from '../../../../../src/main/robot/urdf/loadUrdf';
import { sceneSeed } from '../../../../../src/shared/evaluation/seedSets';
import { OBJECT_CATALOG } from '../../../../../src/shared/sim/world/objectCatalog';
import { generateScene } from '../../../../../src/shared/sim/world/sceneGenerator';
import { runExpertEpisode } from '../../../../../src/shared/sim/world/scriptedExpert';
import { LIVE_GRIPPER_SPEED_MM_S, TabletopWorld } from '../../../../../src/shared/sim/world/tabletopWorld';
import { sceneTask } from '../../../../../src/shared/sim/world/sceneGenerator';

const chain = loadArmChain(path.resolve(__dirname, '../../../../..'));

/** A training scene of pick_up whose object is at most `maxWidthMm` wide (a grape or a cube). */
function narrowPickUpSeed(maxWidthMm: number): number {
  for (let index = 0; ; index += 1) {
    const seed = sceneSeed('train', 'pick_up', index);
    const scene = generateScene(seed, { template: 'pick_up' });
    const shape = OBJECT_CATALOG[sceneTask(scene).objectKind].shape;
    if ((shape.type === 'sphere' && shape.radiusM * 2000 <= maxWidthMm) || shape.type === 'box') return seed;
  }
}

describe('gripper speed', () => {
  it('is the live cap: 1 rad/s × 30 mm/rad', () => {
    expect(LIVE_GRIPPER_SPEED_MM_S).toBe(30);
  });

  it('limits how fast the kinematic world opens and closes the fingers; unlimited by default', () => {
    const limited = new TabletopWorld(chain, 3, { gripperSpeedMmS: 30 });
    const q = limited.snapshot().armQRad;
    const openings: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      limited.step(q, 0, 0.1);
      openings.push(limited.snapshot().gripperOpeningMm);
    }
    openings.forEach((value, i) => expect(value).toBeCloseTo(60 - 3 * (i + 1), 9));
    limited.step(q, 60, 0.05);
    expect(limited.snapshot().gripperOpeningMm).toBeCloseTo(52.5, 9);

    const instant = new TabletopWorld(chain, 3);
    instant.step(q, 0, 0.1);
    expect(instant.snapshot().gripperOpeningMm).toBe(0);
    instant.step(q, 60, 0);
    expect(instant.snapshot().gripperOpeningMm).toBe(60);
  });

  it('makes the scripted expert lift only once its fingers hold the object', () => {
    for (const template of ['put_in', 'pick_up', 'move_near'] as const) {
      for (let index = 0; index < 4; index += 1) {
        const result = runExpertEpisode(chain, sceneSeed('train', template, index), {
          template,
          recordSnapshots: true,
        });
        expect(result.success, result.reason).toBe(true);
        const kind = sceneTask(result.snapshots![0]!).objectKind;
        result.actions.forEach((action, k) => {
          const lifting = action[6] === 0 && action[2] > 0.001;
          const held = result.snapshots![k]!.objects.find((object) => object.kind === kind)!.grasped;
          if (lifting) expect(held, `${template} ${index}, step ${k}`).toBe(true);
        });
      }
    }
  });

  it('fails a policy that lifts right after closing, as the live arm would', async () => {
    const seed = narrowPickUpSeed(45);
    const hurried = runExpertEpisode(chain, seed, { template: 'pick_up', gripperSpeedMmS: Infinity });
    expect(hurried.success).toBe(true);
    const replay = (): ChunkPolicy => {
      let next = 0;
      return {
        action: {
          space: 'ee_delta',
          chunkLength: 5,
          dims: 7,
          names: ['dx', 'dy', 'dz', 'droll', 'dpitch', 'dyaw', 'gripper'],
          normalization: { q01: new Array(7).fill(0), q99: new Array(7).fill(1), mask: new Array(7).fill(false) },
          gripper: { dim: 6, closedValue: 0, openValue: 1 },
        },
        controlRateHz: 10,
        cameras: [{ name: 'scene', widthPx: 32, heightPx: 24 }],
        async infer() {
          const chunk = new Float32Array(35);
          for (let i = 0; i < 5; i += 1) {
            const action = hurried.actions[Math.min(next, hurried.actions.length - 1)]!;
            chunk.set(next < hurried.actions.length ? action : [0, 0, 0, 0, 0, 0, action[6]], i * 7);
            next += 1;
          }
          return chunk;
        },
      };
    };
    const options = { maxStrokes: Math.ceil(hurried.steps / 5) + 2, noiseSeed: 0, withExpert: false };
    const instant = await runSimAttempt(chain, replay(), 'pick_up', seed, { ...options, gripperSpeedMmS: Infinity });
    expect(instant.success).toBe(true);
    const live = await runSimAttempt(chain, replay(), 'pick_up', seed, options);
    expect(live.success).toBe(false);
  });
});
