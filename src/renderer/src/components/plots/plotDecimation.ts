import type { SampleRing } from './sampleRing';

/** uPlot's data layout: one shared x column, then one column per series (null = gap). */
export type PlotColumns = [x: number[], ...series: (number | null)[][]];

/**
 * The samples of `ring` from logical index `fromIndex` to the newest, for the given channels, with x in
 * seconds relative to `originMs`. When there are more than `maxPoints` samples they are decimated by
 * min/max: each bucket of consecutive samples becomes two points carrying, per channel, its minimum and
 * maximum in the order they occurred — so a spike or a step survives at any zoom, and a plot never draws
 * more than ~2 points per pixel column.
 */
export function decimatedWindow(
  ring: SampleRing,
  fromIndex: number,
  channels: readonly number[],
  maxPoints: number,
  originMs: number,
): PlotColumns {
  const first = Math.max(0, Math.min(fromIndex, ring.length));
  const count = ring.length - first;
  const x: number[] = [];
  const series: (number | null)[][] = channels.map(() => []);
  const columns = channels.map((c) => ring.channels[c]!);
  const toSeconds = (slot: number) => (ring.timeMs[slot]! - originMs) / 1000;

  if (count <= maxPoints) {
    for (let i = first; i < ring.length; i += 1) {
      const slot = ring.slot(i);
      x.push(toSeconds(slot));
      for (let k = 0; k < columns.length; k += 1) {
        const value = columns[k]![slot]!;
        series[k]!.push(Number.isNaN(value) ? null : value);
      }
    }
    return [x, ...series];
  }

  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  for (let b = 0; b < buckets; b += 1) {
    const start = first + Math.floor((b * count) / buckets);
    const end = first + Math.floor(((b + 1) * count) / buckets);
    if (end <= start) continue;
    x.push(toSeconds(ring.slot(start)), toSeconds(ring.slot(end - 1)));
    for (let k = 0; k < columns.length; k += 1) {
      const column = columns[k]!;
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      let minAt = -1;
      let maxAt = -1;
      for (let i = start; i < end; i += 1) {
        const value = column[ring.slot(i)]!;
        if (Number.isNaN(value)) continue;
        if (value < min) [min, minAt] = [value, i];
        if (value > max) [max, maxAt] = [value, i];
      }
      const out = series[k]!;
      if (minAt < 0) out.push(null, null);
      else if (minAt <= maxAt) out.push(min, max);
      else out.push(max, min);
    }
  }
  return [x, ...series];
}
