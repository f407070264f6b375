import sharp from 'sharp';
import type { ExportEpisode } from './exportEpisodeData';
import { ImageHistogram } from './featureStats';

/** Frames sampled per episode and camera for image stats, and their decoded width: stats need no full frames. */
const SAMPLED_FRAMES = 8;
const SAMPLE_WIDTH_PX = 64;

/** Per-channel pixel histogram of a few of the frames an episode's rows show on one camera. */
export async function episodeImageHistogram(episode: ExportEpisode, camera: string): Promise<ImageHistogram> {
  const rows = episode.cameras.get(camera)!;
  const used = [...new Set(rows.rowFrames)];
  const picks = new Set<number>();
  for (let k = 0; k < Math.min(SAMPLED_FRAMES, used.length); k++) {
    picks.add(used[Math.floor((k * used.length) / Math.min(SAMPLED_FRAMES, used.length))]!);
  }
  const histogram = new ImageHistogram();
  for (const frame of picks) {
    const jpeg = await episode.reader.frameJpeg(camera, rows.records[frame]!);
    const pixels = await sharp(jpeg)
      .resize({ width: SAMPLE_WIDTH_PX, withoutEnlargement: true })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer();
    histogram.addRgb(new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength));
  }
  return histogram;
}
