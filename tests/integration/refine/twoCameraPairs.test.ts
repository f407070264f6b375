import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EpisodeCatalog } from '../../../src/main/episodes/catalog/episodeCatalog';
import { CATALOG_FILE, episodeDir } from '../../../src/main/episodes/store/episodeFormat';
import { EpisodeReader } from '../../../src/main/episodes/store/episodeReader';
import { loadPackagePolicy } from '../../../src/main/evaluation/packagePolicy';
import { loadModelPackage } from '../../../src/main/policy/modelPackage';
import { InstructionTokenizer } from '../../../src/main/policy/instructionTokenizer';
import { rgbToTensorData } from '../../../src/main/policy/imagePreprocess';
import { exportPairsDataset } from '../../../src/main/refine/external/exportPairsDataset';
import { pairObservationLoader } from '../../../src/main/refine/external/pairObservationLoader';
import { buildPairs } from '../../../src/main/refine/pairs/buildPairs';
import { frameRgb } from '../../../src/main/refine/pairs/frameRgb';
import { loadPairDataset, openPairDataset } from '../../../src/main/refine/pairs/openPairDataset';
import { loadPairPolicy, observationSeed, type PairPolicy } from '../../../src/main/refine/pairs/pairPolicy';
import { PairStore } from '../../../src/main/refine/pairs/pairStore';
import { recordSimAttempt } from '../../../src/main/refine/recordSimAttempt';
import { loadArmChain } from '../../../src/main/robot/urdf/loadUrdf';
import { BcBatchBuilder } from '../../../src/main/training/bc/batchBuilder';
import { trainDpo } from '../../../src/main/training/dpo';
import { sceneSeed } from '../../../src/shared/evaluation/seedSets';
import type { PreferencePair } from '../../../src/shared/refine/pairTypes';
import { buildTwoCameraPackage, WRIST_CAMERA } from './fixtures/twoCameraPackage';

const repoRoot = path.resolve(__dirname, '../../..');
const ONE_CAMERA_MODEL = path.join(repoRoot, 'resources/models/coach-test');
const TWO_CAMERA_NAME = 'coach-test-wrist';

const temp: string[] = [];
let modelDir: string;
let root: string;
let catalog: EpisodeCatalog;
let store: PairStore;
/** Sim attempts of the two-camera package (scene and wrist frames), and one of coach-test (scene only). */
let twoCameraEpisodes: number[];
let sceneOnlyEpisode: number;
let twoCameraPolicy: PairPolicy;
let oneCameraPolicy: PairPolicy;

beforeAll(async () => {
  modelDir = await buildTwoCameraPackage();
  temp.push(modelDir);
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'coach-two-camera-pairs-'));
  temp.push(root);
  catalog = new EpisodeCatalog(path.join(root, CATALOG_FILE));
  store = new PairStore(catalog);
  const chain = loadArmChain(repoRoot);
  const record = async (model: string, seeds: number[]) => {
    const loaded = await loadPackagePolicy(model, ['cpu']);
    try {
      const ids: number[] = [];
      for (const seed of seeds) {
        const attempt = { template: 'pick_up' as const, seed: sceneSeed('train', 'pick_up', seed), noiseSeed: seed };
        const recorded = await recordSimAttempt(
          chain,
          loaded.policy,
          loaded.model,
          { root, catalog },
          {
            ...attempt,
            maxStrokes: 3,
          },
        );
        ids.push(recorded.episodeId);
      }
      return ids;
    } finally {
      await loaded.release();
    }
  };
  twoCameraEpisodes = await record(modelDir, [1, 2]);
  [sceneOnlyEpisode] = (await record(ONE_CAMERA_MODEL, [3])) as [number];
  catalog.label([...twoCameraEpisodes, sceneOnlyEpisode], 'good');
  twoCameraPolicy = await loadPairPolicy(modelDir, ['cpu']);
  oneCameraPolicy = await loadPairPolicy(ONE_CAMERA_MODEL, ['cpu']);
}, 180_000);

afterAll(async () => {
  await twoCameraPolicy?.release();
  await oneCameraPolicy?.release();
  catalog?.close();
  for (const dir of temp) fs.rmSync(dir, { recursive: true, force: true });
});

const build = (policy: PairPolicy, episodeIds: number[]) =>
  buildPairs({ catalog, store, root, policy }, { from: 'labels', k: 4, episodeIds });

const pairsOf = (modelName: string, episodeIds: number[]) =>
  store.eligiblePairs({ modelName }).filter((pair) => episodeIds.includes(pair.episodeId));

/** Independent of the code under test: the camera's newest recorded frame at or before the pair's step. */
async function recordedFrameFile(pair: PreferencePair, camera: string): Promise<string> {
  const reader = await EpisodeReader.open(episodeDir(root, pair.episodeId), pair.episodeId);
  const step = (await reader.steps()).find((s) => s.i === pair.stepIndex)!;
  const frames = await reader.frameIndex(camera);
  let newest = frames[0]!;
  for (const frame of frames) if (frame.tS <= step.tS && frame.tS >= newest.tS) newest = frame;
  return reader.framePath(camera, newest.file);
}

const sceneRgb = async (pair: PreferencePair) => frameRgb(await recordedFrameFile(pair, 'scene'), 224, 224);
const wristRgb = async (pair: PreferencePair) =>
  frameRgb(await recordedFrameFile(pair, 'wrist'), WRIST_CAMERA.widthPx, WRIST_CAMERA.heightPx);

const same = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.compare(a, b) === 0;

describe('preference pairs for a model with a scene and a wrist camera', () => {
  it("sample the counterparts from both cameras' pictures at the step", async () => {
    const result = await build(twoCameraPolicy, twoCameraEpisodes);
    expect(result.built).toBeGreaterThanOrEqual(2);
    expect(result.episodesUsed.sort()).toEqual([...twoCameraEpisodes].sort());
    for (const pair of pairsOf(TWO_CAMERA_NAME, twoCameraEpisodes)) {
      // A good chunk's pair: chosen is the executed chunk, rejected one of the K samples drawn here.
      expect(pair.executedSide).toBe('chosen');
      const images = { scene: await sceneRgb(pair), wrist: await wristRgb(pair) };
      const seed = observationSeed(0, pair.episodeId, pair.stepIndex);
      const redraw = (wrist: Uint8Array) =>
        twoCameraPolicy.sample({ ...images, wrist }, pair.instruction, pair.robotState, 4, seed);
      const rejected = pair.rejected.flat().map(Math.fround);
      const isRejected = (sample: Float32Array) => Array.from(sample).every((v, i) => v === rejected[i]);
      expect((await redraw(images.wrist)).some(isRejected)).toBe(true);
      // The wrist picture counts: with a black one the samples differ.
      expect((await redraw(new Uint8Array(images.wrist.length))).some(isRejected)).toBe(false);
    }
  }, 120_000);

  it("give the DPO trainer both cameras' pictures, the wrist one as recorded at the step", async () => {
    await build(twoCameraPolicy, twoCameraEpisodes);
    const dataset = await openPairDataset({ root, cameras: twoCameraPolicy.cameras, modelName: TWO_CAMERA_NAME });
    const pkg = await loadModelPackage(modelDir);
    const wrist = pkg.manifest.cameras[1]!;
    expect(wrist).toMatchObject({ ...WRIST_CAMERA, input: 'wrist_image' });
    try {
      const samples = [];
      const wristPictures: Uint8Array[] = [];
      for (let i = 0; i < dataset.size; i++) {
        const pair = dataset.pairs[i]!;
        const sample = dataset.get(i);
        expect(same(sample.image, await sceneRgb(pair))).toBe(true);
        wristPictures.push(await wristRgb(pair));
        expect(same(sample.moreImages?.wrist, wristPictures[i]!)).toBe(true);
        samples.push(sample);
      }
      // The arm moves between chunks, so each step has its own wrist picture.
      expect(new Set(wristPictures.map((p) => Buffer.from(p).toString('base64'))).size).toBeGreaterThan(1);

      const builder = new BcBatchBuilder(
        pkg.manifest,
        new InstructionTokenizer(pkg.tokenizerJson, pkg.tokenizerConfig, pkg.manifest.instruction),
      );
      samples.forEach((sample, i) => builder.checkObservation(sample, i, 'pair'));
      const feeds = builder.prefixFeeds(samples);
      expect(feeds.wrist_image!.dims).toEqual([samples.length, 3, WRIST_CAMERA.heightPx, WRIST_CAMERA.widthPx]);
      const expected = wristPictures.flatMap((picture) => Array.from(rgbToTensorData(picture, wrist).data));
      expect(Array.from(feeds.wrist_image!.data)).toEqual(expected);

      const outDir = path.join(root, 'refined');
      const trained = await trainDpo({ modelDir, pairs: dataset, outDir, steps: 2, batchSize: 2 });
      expect(trained.steps).toBe(2);
    } finally {
      await dataset.close();
    }
  }, 120_000);

  it('serve pairs built for a one-camera model to the two-camera one: the wrist frame comes from the episode', async () => {
    await build(oneCameraPolicy, twoCameraEpisodes);
    const pairs = pairsOf('coach-test', twoCameraEpisodes);
    expect(pairs.length).toBeGreaterThan(0);
    const twoCamera = await loadPairDataset(pairs, { root, cameras: twoCameraPolicy.cameras });
    const oneCamera = await loadPairDataset(pairs, { root, cameras: oneCameraPolicy.cameras });
    try {
      for (let i = 0; i < pairs.length; i++) {
        expect(same(twoCamera.get(i).moreImages?.wrist, await wristRgb(pairs[i]!))).toBe(true);
        expect(same(twoCamera.get(i).image, oneCamera.get(i).image)).toBe(true);
        expect(oneCamera.get(i).moreImages).toBeUndefined();
      }
    } finally {
      await twoCamera.close();
      await oneCamera.close();
    }
  }, 120_000);

  it('refuse an episode that recorded no wrist frames, naming it, the camera and what to do', async () => {
    const message =
      `episode ${sceneOnlyEpisode} recorded no frames from camera "wrist", which the model takes (the episode's ` +
      'cameras: "scene"). Record attempts with the "wrist" camera connected, or use a model that takes only the ' +
      'cameras the episode recorded (a one-camera model); or exclude the episode from training.';
    await expect(build(twoCameraPolicy, [sceneOnlyEpisode])).rejects.toMatchObject({
      code: 'pairs_missing_camera',
      message: `no pairs built: episode ${sceneOnlyEpisode}: ${message}`,
    });
    // With other episodes in the build, it is skipped with that reason.
    const mixed = await build(twoCameraPolicy, [...twoCameraEpisodes, sceneOnlyEpisode]);
    expect(mixed.episodesSkipped).toContainEqual({
      id: sceneOnlyEpisode,
      code: 'pairs_missing_camera',
      reason: message,
    });

    // Its pairs of the one-camera model cannot train or be exported for the two-camera model either.
    await build(oneCameraPolicy, [sceneOnlyEpisode]);
    const pairs = pairsOf('coach-test', [sceneOnlyEpisode]);
    expect(pairs.length).toBeGreaterThan(0);
    await expect(loadPairDataset(pairs, { root, cameras: twoCameraPolicy.cameras })).rejects.toMatchObject({
      code: 'pairs_missing_camera',
      message,
    });
    await expect(pairObservationLoader(root, pairs, twoCameraPolicy.cameras)).rejects.toMatchObject({
      code: 'pairs_missing_camera',
      message,
    });
  }, 120_000);

  it("export a dataset with the wrist camera's pictures in their own column and folder", async () => {
    await build(twoCameraPolicy, twoCameraEpisodes);
    const pairs = pairsOf(TWO_CAMERA_NAME, twoCameraEpisodes);
    const out = path.join(root, 'dataset');
    const { manifest } = await exportPairsDataset(
      pairs,
      await pairObservationLoader(root, pairs, twoCameraPolicy.cameras),
      out,
      {
        model: {
          name: TWO_CAMERA_NAME,
          version: '1.0.0',
          actionSpace: 'ee_delta',
          actionNames: [...twoCameraPolicy.action.names],
          chunkLength: 5,
          dims: 7,
          cameras: twoCameraPolicy.cameras,
        },
      },
    );
    expect(manifest.columns.map((c) => c.name)).toEqual(
      expect.arrayContaining(['image', 'image_wrist', 'image_wrist_width_px', 'image_wrist_height_px']),
    );
    const bytes = fs.readFileSync(path.join(out, 'pairs.parquet'));
    const rows = (await parquetReadObjects({
      file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    })) as Record<string, unknown>[];
    expect(rows).toHaveLength(pairs.length);
    for (const row of rows) {
      const pair = pairs.find((p) => BigInt(p.id) === row.pair_id)!;
      expect(row).toMatchObject({
        image: `images/${pair.id}.png`,
        image_wrist: `images/wrist/${pair.id}.png`,
        image_wrist_width_px: BigInt(WRIST_CAMERA.widthPx),
        image_wrist_height_px: BigInt(WRIST_CAMERA.heightPx),
      });
      const png = await sharp(path.join(out, row.image_wrist as string))
        .raw()
        .toBuffer({ resolveWithObject: true });
      expect(png.info).toMatchObject({ width: WRIST_CAMERA.widthPx, height: WRIST_CAMERA.heightPx, channels: 3 });
      expect(same(new Uint8Array(png.data), await wristRgb(pair))).toBe(true);
    }
  }, 120_000);
});
