import { np, type JaxArray } from '../jax';

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right], as ONNX lists them. */
  pads: [number, number, number, number];
}

/** Output height and width of a window sliding over [H, W]. */
export function windowOutput(height: number, width: number, { kernel, strides, pads }: Window): [number, number] {
  return [
    Math.floor((height + pads[0] + pads[2] - kernel[0]) / strides[0]) + 1,
    Math.floor((width + pads[1] + pads[3] - kernel[1]) / strides[1]) + 1,
  ];
}

/**
 * The windows of x [N, C, H, W] as [N, C, kh·kw, OH, OW], ordered (c, i, j) so that a conv weight
 * [M, C, kh, kw] needs only a contiguous reshape to multiply them (a permuted weight operand made the
 * matmul ~20× slower). jax-js slices take no step: a strided window is a slice of stride·OH rows
 * reshaped to [OH, stride] of which index 0 is kept. Non-overlapping windows (stride = kernel) are
 * one reshape and transpose.
 */
export function extractPatches(x: JaxArray, window: Window): JaxArray {
  const { kernel, strides, pads } = window;
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [oh, ow] = windowOutput(h, w, window);
  const [kh, kw] = kernel;
  const [sh, sw] = strides;
  if (sh === kh && sw === kw) {
    const padded = np.pad(x, [
      [0, 0],
      [0, 0],
      [pads[0], Math.max(pads[2], 0)],
      [pads[1], Math.max(pads[3], 0)],
    ]);
    return padded
      .slice([], [], [0, oh * kh], [0, ow * kw])
      .reshape([n, c, oh, kh, ow, kw])
      .transpose([0, 1, 3, 5, 2, 4])
      .reshape([n, c, kh * kw, oh, ow]);
  }
  // Pad at the end so every strided slice of stride·OH rows fits.
  const bottom = Math.max(kh - 1 + sh * oh - (h + pads[0]), pads[2]);
  const right = Math.max(kw - 1 + sw * ow - (w + pads[1]), pads[3]);
  const padded = np.pad(x, [
    [0, 0],
    [0, 0],
    [pads[0], bottom],
    [pads[1], right],
  ]);
  const windows: JaxArray[] = [];
  for (let i = 0; i < kh; i += 1) {
    for (let j = 0; j < kw; j += 1) {
      const rows = padded.ref.slice([], [], [i, i + sh * oh], [j, j + sw * ow]);
      windows.push(rows.reshape([n, c, oh, sh, ow, sw]).slice([], [], [], 0, [], 0));
    }
  }
  padded.dispose();
  return np.stack(windows, 2);
}
