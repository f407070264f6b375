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
import { pairRowsForTraining, type DatasetModel } from './pairRows';
import { pairsParquetBytes, type PairRowWithImage } from './pairsTable';

/** The observation's picture: RGB, 3 bytes a pixel, row-major. */
export interface ObservationImage {
  rgb: Uint8Array;
  widthPx: number;
  heightPx: number;
}

export type ObservationLoader = (pair: PreferencePair) => Promise<ObservationImage>;

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

async function writeImage(pair: PreferencePair, image: ObservationImage, file: string): Promise<void> {
  const { rgb, widthPx, heightPx } = image;
  if (!Number.isInteger(widthPx) || !Number.isInteger(heightPx) || widthPx <= 0 || heightPx <= 0)
    throw new PairsDatasetError('pairs_dataset_invalid', `pair ${pair.id}: its image is ${widthPx}×${heightPx} px`);
  if (rgb.length !== widthPx * heightPx * 3)
    throw new PairsDatasetError(
      'pairs_dataset_invalid',
      `pair ${pair.id}: its image holds ${rgb.length} bytes, but ${widthPx}×${heightPx} RGB needs ${widthPx * heightPx * 3}`,
    );
  await sharp(rgb, { raw: { width: widthPx, height: heightPx, channels: 3 } })
    .png()
    .toFile(file);
}

async function loadImage(pair: PreferencePair, load: ObservationLoader): Promise<ObservationImage> {
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
 * pairs.parquet, images/<pair_id>.png and dataset.json. Discarded pairs are left out and flipped ones
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
    const written: PairRowWithImage[] = [];
    onProgress?.({ phase: 'images', done: 0, total: rows.length });
    for (const row of rows) {
      if (signal?.aborted) throw cancelled();
      const pair = byId.get(row.pairId)!;
      const image = await loadImage(pair, loadObservation);
      const imagePath = `${IMAGES_FOLDER}/${row.pairId}.png`;
      await writeImage(pair, image, path.join(temp, imagePath));
      written.push({ ...row, imagePath, imageWidthPx: image.widthPx, imageHeightPx: image.heightPx });
      onProgress?.({ phase: 'images', done: written.length, total: rows.length });
    }
    if (signal?.aborted) throw cancelled();
    onProgress?.({ phase: 'writing', done: rows.length, total: rows.length });
    const discarded = pairs.filter((p) => p.status === 'discarded').length;
    const manifest = pairsDatasetManifest(written, model, discarded, options.now?.() ?? new Date());
    await fs.writeFile(path.join(temp, PAIRS_FILE), pairsParquetBytes(written, PAIRS_DATASET_FORMAT));
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
