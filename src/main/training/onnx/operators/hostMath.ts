import { HostTensor } from '../values';

/** The numpy broadcast of two shapes; throws when they do not broadcast. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1)
      throw new Error(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

/** Flat index into a tensor of `dims` for an index into the broadcast shape `out`. */
function sourceIndex(flat: number, out: readonly number[], dims: readonly number[]): number {
  let index = 0;
  let stride = 1;
  let rest = flat;
  for (let axis = out.length - 1; axis >= 0; axis -= 1) {
    const coordinate = rest % out[axis]!;
    rest = Math.floor(rest / out[axis]!);
    const dimAxis = axis - (out.length - dims.length);
    if (dimAxis >= 0) {
      if (dims[dimAxis]! !== 1) index += coordinate * stride;
      stride *= dims[dimAxis]!;
    }
  }
  return index;
}

/** Elementwise `fn` over host tensors with numpy broadcasting, at compile-time sizes (shape math). */
export function hostElementwise(
  tensors: readonly HostTensor[],
  dataType: number,
  fn: (...values: number[]) => number,
): HostTensor {
  const out = tensors.reduce<number[]>((dims, t) => broadcastDims(dims, t.dims), []);
  const count = out.reduce((a, b) => a * b, 1);
  const data = Array.from({ length: count }, (_, i) => fn(...tensors.map((t) => t.data[sourceIndex(i, out, t.dims)]!)));
  return new HostTensor(dataType, out, data);
}
