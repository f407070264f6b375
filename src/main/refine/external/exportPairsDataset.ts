import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { PreferencePair } from '../../../shared/refine/pairTypes';
import { describeWriteError } from '../../episodes/export/outDir';
import {
  DATASET_MANIFEST_FILE,
  IMAGES_FOLDER,
  PAIRS_DATASET_FORMAT,
  PAIRS_FILE,
  pairsDatasetManifest,
  type PairsDatasetManifest,
} from './datasetManifest';
import { PairsDatasetError } from './externalErrors';
import { moreCameraNames, pairRowsForTraining, type DatasetModel } from './pairRows';
import { pairColumns, pairsParquetBytes, type PairRowWithImage, type WrittenImage } from './pairsTable';

/** A picture of the observation: RGB, 3 bytes a pixel, row-major. */
export interface ObservationImage {
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
}

/** The policy camera's picture, and the model's other cameras' by name (model.cameras beyond the first). */
export interface ObservationImages extends ObservationImage {
  moreImages?: Record<string, ObservationImage>;
}

export type ObservationLoader = (pair: PreferencePair) => Promise<ObservationImages>;

export interface PairsExportProgress {
  phase: 'images' | 'writing' | 'done';
  /** Pairs whose image is written. */
  done: number;
  total: number;
}

export interface ExportPairsOptions {
  model: DatasetModel;
  onProgress?: (progress: PairsExportProgress) => void;
  signal?: AbortSignal;
  /** For dataset.json's createdAt; default: now. */
  now?: () => Date;
}

export interface PairsDatasetResult {
  /** The dataset folder (absolute). */
  dir: string;
  manifest: PairsDatasetManifest;
}

/** The final folder must be new or empty; its parent is created. */
async function checkOutDir(dir: string): Promise<void> {
  const stat = await fs.stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw describeWriteError(err, dir, 'checking');
  });
  if (!stat) return;
  if (!stat.isDirectory()) throw new PairsDatasetError('pairs_dataset_write_failed', `${dir} is a file, not a folder`);
  const entries = await fs.readdir(dir);
  if (entries.length > 0)
    throw new PairsDatasetError(
      'pairs_dataset_write_failed',
      `the dataset folder ${dir} is not empty (${entries.length} entries): choose a new or empty folder`,
    );
}

/** Writes one picture as an RGB PNG at `imagePath` under `dir`. `what`: "image", or `"wrist" image`. */
async function writeImage(
  pair: PreferencePair,
  image: ObservationImage,
  dir: string,
  imagePath: string,
  what = 'image',
): Promise<WrittenImage> {
  const { rgb, widthPx, heightPx } = image;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0)
    throw new PairsDatasetError('pairs_dataset_invalid', `pair ${pair.id}: its ${what} is ${widthPx}×${heightPx} px`);
  if (rgb.length !== widthPx * heightPx * 3)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `pair ${pair.id}: its ${what} holds ${rgb.length} bytes, but ${widthPx}×${heightPx} RGB needs ${widthPx * heightPx * 3}`,
    );
  await sharp(rgb, { raw: { width: widthPx, height: heightPx, channels: 3 } })
    .png()
    .toFile(path.join(dir, imagePath));
  return { imagePath, imageWidthPx: widthPx, imageHeightPx: heightPx };
}

/** The pictures of the model's other cameras, each written to images/<camera>/<pair_id>.png. */
async function writeMoreImages(
  pair: PreferencePair,
  images: ObservationImages,
  cameras: readonly string[],
  dir: string,
): Promise<Record<string, WrittenImage>> {
  const written: Record<string, WrittenImage> = {};
  for (const camera of cameras) {
    const image = images.moreImages?.[camera];
    if (!image)
      throw new PairsDatasetError(
        'pairs_dataset_invalid',
        `pair ${pair.id}: its observation has no picture from camera "${camera}", which the model takes`,
        { pairId: pair.id },
      );
    written[camera] = await writeImage(
      pair,
      image,
      dir,
      `${IMAGES_FOLDER}/${camera}/${pair.id}.png`,
      `"${camera}" image`,
    );
  }
  return written;
}

async function loadImage(pair: PreferencePair, load: ObservationLoader): Promise<ObservationImages> {
  try {
    return await load(pair);
  } catch (err) {
    throw new PairsDatasetError(
      'pairs_dataset_write_failed',
      `pair ${pair.id}: its observation (episode ${pair.episodeId}, camera ${pair.camera}, frame ${pair.frameIndex}) ` +
        `could not be read: ${(err as Error).message}`,
      { pairId: pair.id },
    );
  }
}

function asDatasetError(err: unknown, dir: string): PairsDatasetError {
  if (err instanceof PairsDatasetError) return err;
  return new PairsDatasetError('pairs_dataset_write_failed', describeWriteError(err, dir, 'writing').message);
}

/**
 * Writes the pairs as a dataset a PyTorch trainer reads (docs/refine.md, "External trainer"):
 * pairs.parquet, images/<pair_id>.png (the policy camera), images/<camera>/<pair_id>.png for each other
 * camera of model.cameras, and dataset.json. Discarded pairs are left out and flipped ones
 * written swapped. Everything is written into a hidden sibling folder renamed to outDir at the end, so
 * a cancelled or failed export leaves nothing behind.
 */
export async function exportPairsDataset(
  pairs: readonly PreferencePair[],
  loadObservation: ObservationLoader,
  outDir: string,
  options: ExportPairsOptions,
): Promise<PairsDatasetResult> {
  const { model, onProgress, signal } = options;
  const rows = pairRowsForTraining(pairs, model);
  const moreCameras = moreCameraNames(model);
  pairColumns(moreCameras); // refuses camera names whose columns clash, before anything is written
  const byId = new Map(pairs.map((p) => [p.id, p]));
  const dir = path.resolve(outDir);
  await checkOutDir(dir);
  const parent = path.dirname(dir);
  await fs.mkdir(parent, { recursive: true }).catch((err: unknown) => {
    throw asDatasetError(err, parent);
  });
  const temp = path.join(parent, `.${path.basename(dir)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`);
  const cancelled = () =>
    new PairsDatasetError('pairs_dataset_cancelled', `the pairs export to ${dir} was cancelled; nothing was written`);
  try {
    await fs.mkdir(path.join(temp, IMAGES_FOLDER), { recursive: true });
    for (const camera of moreCameras) await fs.mkdir(path.join(temp, IMAGES_FOLDER, camera));
    const written: PairRowWithImage[] = [];
    onProgress?.({ phase: 'images', done: 0, total: rows.length });
    for (const row of rows) {
      if (signal?.aborted) throw cancelled();
      const pair = byId.get(row.pairId)!;
      const images = await loadImage(pair, loadObservation);
      const image = await writeImage(pair, images, temp, `${IMAGES_FOLDER}/${row.pairId}.png`);
      const moreImages = await writeMoreImages(pair, images, moreCameras, temp);
      written.push({ ...row, ...image, moreImages });
      onProgress?.({ phase: 'images', done: written.length, total: rows.length });
    }
    if (signal?.aborted) throw cancelled();
    onProgress?.({ phase: 'writing', done: rows.length, total: rows.length });
    const discarded = pairs.filter((p) => p.status === 'discarded').length;
    const manifest = pairsDatasetManifest(written, model, discarded, options.now?.() ?? new Date());
    await fs.writeFile(path.join(temp, PAIRS_FILE), pairsParquetBytes(written, PAIRS_DATASET_FORMAT, moreCameras));
    await fs.writeFile(path.join(temp, DATASET_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (signal?.aborted) throw cancelled();
    await fs.rmdir(dir).catch(() => undefined); // an empty final folder; a full one was refused above
    await fs.rename(temp, dir);
    onProgress?.({ phase: 'done', done: rows.length, total: rows.length });
    return { dir, manifest };
  } catch (err) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw asDatasetError(err, dir);
  }
}
