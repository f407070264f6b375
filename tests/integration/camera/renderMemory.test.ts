import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { downscaleToRgb, downscaleToRgbAsync, renderCamera } from '../../../src/main/sim/render/sceneRenderer';
import { TabletopWorld } from '../../../src/shared/sim/world/tabletopWorld';

const repoRoot = path.resolve(__dirname, '../../..');

describe("the live cameras' drawing path", () => {
  it('reads pictures back without keeping native memory (the synchronous read-backs leak ~1 MB a picture)', async () => {
    const chain = loadArmChain(repoRoot);
    const snapshot = new TabletopWorld(chain, 3, { template: 'pick_up' }).snapshot();
    const first = renderCamera(snapshot, chain, 'scene', 640, 480);
    expect(await downscaleToRgbAsync(first, 224, 224)).toEqual(downscaleToRgb(first, 224, 224));
    const rssMiB = () => process.memoryUsage().rss / 2 ** 20;
    // Warm up the allocators, then measure 300 pictures (encodeSync + getImageData would add ~400 MiB).
    for (let i = 0; i < 30; i += 1) {
      const canvas = renderCamera(snapshot, chain, 'scene', 640, 480);
      await canvas.encode('jpeg', 80);
      await downscaleToRgbAsync(canvas, 224, 224);
    }
    const before = rssMiB();
    for (let i = 0; i < 300; i += 1) {
      const canvas = renderCamera(snapshot, chain, 'scene', 640, 480);
      await canvas.encode('jpeg', 80);
      await downscaleToRgbAsync(canvas, 224, 224);
    }
    expect(rssMiB() - before).toBeLessThan(120);
  }, 120_000);
});
