import sharp from 'sharp';
import type { PackageCamera } from '../../shared/policy/modelManifest';

/** A camera picture as the frame bus holds it. */
export interface RawImage {
  format: 'jpeg' | 'rgb24';
  widthPx: number;
  heightPx: number;
  data: Uint8Array;
}

/** The image as a prefix input: its data and dims for the package's layout and dtype. */
export interface ImageTensorData {
  data: Float32Array | Uint8Array;
  dims: number[];
}

/**
 * Decodes (JPEG) or wraps (rgb24) a picture, resizes it to the package's size (stretched to fill)
 * unless it has that size already, and lays it out as the package asks: NCHW or NHWC, float32
 * (pixel / 255 − mean) / std, or raw uint8.
 */
export async function imageToTensor(image: RawImage, camera: PackageCamera): Promise<ImageTensorData> {
  return rgbToTensorData(await rgbAtSize(image, camera.widthPx, camera.heightPx), camera);
}

/**
 * RGB bytes already at the camera's size laid out as its prefix input (batch 1): NCHW or NHWC, float32
 * (pixel / 255 − mean) / std, or raw uint8. Pure: the trainer builds its batches with it.
 */
export function rgbToTensorData(rgb: Uint8Array, camera: PackageCamera): ImageTensorData {
  const { widthPx: w, heightPx: h } = camera;
  if (rgb.length !== w * h * 3)
    throw new Error(`an RGB picture of ${w}×${h} needs ${w * h * 3} bytes, got ${rgb.length}`);
  const dims = camera.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
  const n = w * h;
  if (camera.dtype === 'uint8') {
    if (camera.layout === 'NHWC') return { data: rgb, dims };
    const planar = new Uint8Array(rgb.length);
    for (let c = 0; c < 3; c += 1) for (let p = 0; p < n; p += 1) planar[c * n + p] = rgb[p * 3 + c]!;
    return { data: planar, dims };
  }
  const out = new Float32Array(rgb.length);
  for (let c = 0; c < 3; c += 1) {
    const scale = 1 / (255 * camera.std[c]!);
    const offset = camera.mean[c]! / camera.std[c]!;
    if (camera.layout === 'NCHW') {
      const plane = c * n;
      for (let p = 0; p < n; p += 1) out[plane + p] = rgb[p * 3 + c]! * scale - offset;
    } else {
      for (let i = c; i < rgb.length; i += 3) out[i] = rgb[i]! * scale - offset;
    }
  }
  return { data: out, dims };
}

/** RGB bytes at w × h: as they are when they already are, else decoded and resized with sharp. */
async function rgbAtSize(image: RawImage, w: number, h: number): Promise<Uint8Array> {
  if (image.format === 'rgb24' && image.widthPx === w && image.heightPx === h) {
    if (image.data.length !== w * h * 3)
      throw new Error(`an RGB picture of ${w}×${h} needs ${w * h * 3} bytes, got ${image.data.length}`);
    return image.data;
  }
  const input =
    image.format === 'jpeg'
      ? sharp(image.data)
      : sharp(image.data, { raw: { width: image.widthPx, height: image.heightPx, channels: 3 } });
  const rgb = await input.resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  if (rgb.length !== w * h * 3) throw new Error(`expected ${w}×${h} RGB after resizing, got ${rgb.length} bytes`);
  return new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length);
}
