import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { normalizeActions } from '../../../../../src/shared/policy/actionNormalization';
import { BcBatchBuilder } from '../../../../../src/main/training/bc/batchBuilder';
import { InstructionTokenizer } from '../../../../../src/main/policy/instructionTokenizer';
import { loadModelPackage } from '../../../../../src/main/policy/modelPackage';
import { PolicyRuntime } from '../../../../../src/main/policy/policyRuntime';
import { ONNX_TYPE } from '../../../../../src/main/training/onnx';
import { syntheticDataset } from './syntheticDataset';

const COMMITTED = path.resolve(__dirname, '../../../../../resources/models/coach-test');

describe('BC batches', () => {
  it('lay out each sample exactly as inference feeds the prefix', async () => {
    const pkg = await loadModelPackage(COMMITTED);
    const runtime = await PolicyRuntime.load(pkg, { providers: ['cpu'], skipWarmup: true });
    const builder = new BcBatchBuilder(
      pkg.manifest,
      new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
    );
    const dataset = syntheticDataset({ size: 3 });
    const samples = [0, 1, 2].map((i) => dataset.get(i));
    const batch = builder.prefixFeeds(samples);
    for (const [i, sample] of samples.entries()) {
      const camera = pkg.manifest.cameras[0]!;
      const feeds = await runtime.prefixFeeds({
        images: {
          [camera.name]: { format: 'rgb24', widthPx: camera.widthPx, heightPx: camera.heightPx, data: sample.image },
        },
        instruction: sample.instruction,
      });
      for (const [name, tensor] of Object.entries(feeds)) {
        const feed = batch[name]!;
        expect(feed.dims).toEqual([3, ...tensor.dims.slice(1)]);
        expect(feed.onnxType).toBe(tensor.type === 'int64' ? ONNX_TYPE.int64 : ONNX_TYPE.float32);
        const size = tensor.size;
        const mine = Array.from(feed.data.subarray(i * size, (i + 1) * size));
        expect(mine).toEqual(Array.from(tensor.data as ArrayLike<number | bigint>, Number));
      }
    }
    const actions = builder.normalizedActions(samples);
    expect(Array.from(actions.subarray(35, 70))).toEqual(
      Array.from(normalizeActions(samples[1]!.actions, pkg.manifest.action.normalization)),
    );
    await runtime.release();
  });

  it('refuses samples that disagree with the package, naming the index and the sizes', async () => {
    const pkg = await loadModelPackage(COMMITTED);
    const builder = new BcBatchBuilder(
      pkg.manifest,
      new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
    );
    const short = syntheticDataset({ size: 2, actionValues: 30 }).get(1);
    expect(() => builder.checkSample(short, 1)).toThrow(
      "dataset sample 1: has 30 action values, but the package's chunk is 5 actions × 7 dims = 35",
    );
    const small = syntheticDataset({ size: 1, widthPx: 64, heightPx: 64 }).get(0);
    expect(() => builder.checkSample(small, 0)).toThrow(
      /its "scene" picture has 12288 bytes; that camera needs 224×224 RGB = 150528/,
    );
    const withState = new BcBatchBuilder(
      { ...pkg.manifest, prefix: { ...pkg.manifest.prefix, robotStateInput: 'robot_state' } },
      new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
    );
    expect(() => withState.checkSample(syntheticDataset({ size: 1 }).get(0), 0)).toThrow(
      /takes the arm's state .* the sample has none/,
    );
    const stated = syntheticDataset({ size: 2, robotState: true });
    const feeds = withState.prefixFeeds([stated.get(0), stated.get(1)]);
    expect(feeds.robot_state!.dims).toEqual([2, 7]);
    expect(Array.from(feeds.robot_state!.data.subarray(7))).toEqual(
      Array.from(Float32Array.from(stated.get(1).robotState!)),
    );
  });

  it("feed every camera of a two-camera package from the samples' moreImages, and refuse a sample without one", async () => {
    const pkg = await loadModelPackage(COMMITTED);
    const scene = pkg.manifest.cameras[0]!;
    const wrist = { ...scene, name: 'wrist', input: 'wrist_image', widthPx: 8, heightPx: 6 };
    const builder = new BcBatchBuilder(
      { ...pkg.manifest, cameras: [scene, wrist] },
      new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
    );
    const dataset = syntheticDataset({ size: 2 });
    const wristPictures = [0, 1].map((i) => Uint8Array.from({ length: 8 * 6 * 3 }, (_, k) => (k * 7 + i * 50) % 256));
    const samples = [0, 1].map((i) => ({ ...dataset.get(i), moreImages: { wrist: wristPictures[i]! } }));
    samples.forEach((sample, i) => builder.checkSample(sample, i));
    const feeds = builder.prefixFeeds(samples);
    expect(feeds.wrist_image!.dims).toEqual([2, 3, 6, 8]);
    // NCHW: the second sample's red channel starts at 3·6·8; its first pixel's red byte is wristPictures[1][0].
    const expected = (wristPictures[1]![0]! / 255 - scene.mean[0]!) / scene.std[0]!;
    expect(feeds.wrist_image!.data[3 * 6 * 8]).toBeCloseTo(expected, 5);
    expect(feeds[scene.input]!.dims[0]).toBe(2);
    expect(() => builder.checkSample(dataset.get(0), 4)).toThrow(
      'dataset sample 4: it has no picture from camera "wrist", which the package takes (it has "scene")',
    );
  });
});
