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
 * Decodes (JPEG) or wraps (rgb24) a picture, resizes it to the package's size (stretched to fill,
 * as the policy's training images were), and lays it out as the package asks: NCHW or NHWC,
 * float32 (pixel / 255 − mean) / std, or raw uint8.
 */
export async function imageToTensor(image: RawImage, camera: PackageCamera): Promise<ImageTensorData> {
  const input =
    image.format === 'jpeg'
      ? sharp(image.data)
      : sharp(image.data, { raw: { width: image.widthPx, height: image.heightPx, channels: 3 } });
  const { widthPx: w, heightPx: h } = camera;
  const rgb = await input.resize(w, h, { fit: 'fill' }).removeAlpha().raw().toBuffer();
  if (rgb.length !== w * h * 3) throw new Error(`expected ${w}×${h} RGB after resizing, got ${rgb.length} bytes`);
  const dims = camera.layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
  if (camera.dtype === 'uint8') {
    if (camera.layout === 'NHWC') return { data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length), dims };
    const planar = new Uint8Array(rgb.length);
    for (let p = 0, n = w * h; p < n; p += 1)
      for (let c = 0; c < 3; c += 1) planar[c * n + p] = rgb[p * 3 + c]!;
    return { data: planar, dims };
  }
  const out = new Float32Array(rgb.length);
  const scale = camera.std.map((std) => 1 / (255 * std));
  const offset = camera.mean.map((mean, c) => mean / camera.std[c]!);
  const n = w * h;
  for (let p = 0; p < n; p += 1) {
    for (let c = 0; c < 3; c += 1) {
      const value = rgb[p * 3 + c]! * scale[c]! - offset[c]!;
      out[camera.layout === 'NCHW' ? c * n + p : p * 3 + c] = value;
    }
  }
  return { data: out, dims };
}
