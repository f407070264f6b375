/** LeRobot's per-feature statistics: min/max/mean/std per dimension, count, and (v3) quantiles. */
export type StatValue = number[] | number[][][];
export type FeatureStats = Record<string, StatValue>;

export const QUANTILES = [
  ['q01', 0.01],
  ['q10', 0.1],
  ['q50', 0.5],
  ['q90', 0.9],
  ['q99', 0.99],
] as const;

/** Stats of a vector feature over rows (each row: one value per dimension). std is the population std. */
export function vectorStats(rows: readonly (readonly number[])[], withQuantiles: boolean): FeatureStats {
  const dims = rows[0]?.length ?? 0;
  const n = rows.length;
  const min: number[] = [];
  const max: number[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  const quantiles: number[][] = QUANTILES.map(() => []);
  for (let d = 0; d < dims; d++) {
    const column = new Float64Array(n);
    let sum = 0;
    for (let r = 0; r < n; r++) {
      const v = rows[r]![d]!;
      column[r] = v;
      sum += v;
    }
    const m = sum / n;
    let sq = 0;
    for (let r = 0; r < n; r++) sq += (column[r]! - m) ** 2;
    column.sort();
    min.push(column[0]!);
    max.push(column[n - 1]!);
    mean.push(m);
    std.push(Math.sqrt(sq / n));
    if (withQuantiles) QUANTILES.forEach(([, q], k) => quantiles[k]!.push(sortedQuantile(column, q)));
  }
  const stats: FeatureStats = { min, max, mean, std, count: [n] };
  if (withQuantiles) QUANTILES.forEach(([key], k) => (stats[key] = quantiles[k]!));
  return stats;
}

/** numpy's default (linear) quantile of sorted values. */
export function sortedQuantile(sorted: ArrayLike<number>, q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Per-channel histograms of 8-bit pixels of sampled frames: what image stats are computed from. */
export class ImageHistogram {
  readonly channels: Float64Array[] = [new Float64Array(256), new Float64Array(256), new Float64Array(256)];
  frames = 0;

  addRgb(pixels: Uint8Array): void {
    const [r, g, b] = this.channels as [Float64Array, Float64Array, Float64Array];
    for (let i = 0; i + 2 < pixels.length; i += 3) {
      r[pixels[i]!]!++;
      g[pixels[i + 1]!]!++;
      b[pixels[i + 2]!]!++;
    }
    this.frames++;
  }

  merge(other: ImageHistogram): void {
    other.channels.forEach((h, c) => h.forEach((v, i) => (this.channels[c]![i]! += v)));
    this.frames += other.frames;
  }

  /** Stats in LeRobot's image layout: values in 0…1, shape [3][1][1] per statistic. */
  stats(withQuantiles: boolean): FeatureStats {
    const per = this.channels.map((h) => histogramStats(h));
    const shaped = (pick: (s: HistogramStats) => number) => per.map((s) => [[pick(s)]]);
    const stats: FeatureStats = {
      min: shaped((s) => s.min),
      max: shaped((s) => s.max),
      mean: shaped((s) => s.mean),
      std: shaped((s) => s.std),
      count: [this.frames],
    };
    if (withQuantiles) {
      for (const [key, q] of QUANTILES) stats[key] = shaped((s) => histogramQuantile(s.histogram, s.total, q));
    }
    return stats;
  }
}

interface HistogramStats {
  histogram: Float64Array;
  total: number;
  min: number;
  max: number;
  mean: number;
  std: number;
}

function histogramStats(histogram: Float64Array): HistogramStats {
  let total = 0;
  let sum = 0;
  let min = -1;
  let max = 0;
  histogram.forEach((count, v) => {
    if (count === 0) return;
    if (min < 0) min = v;
    max = v;
    total += count;
    sum += count * v;
  });
  const mean = total > 0 ? sum / total : 0;
  let sq = 0;
  histogram.forEach((count, v) => (sq += count * (v - mean) ** 2));
  return {
    histogram,
    total,
    min: Math.max(min, 0) / 255,
    max: max / 255,
    mean: mean / 255,
    std: total > 0 ? Math.sqrt(sq / total) / 255 : 0,
  };
}

function histogramQuantile(histogram: Float64Array, total: number, q: number): number {
  const target = q * total;
  let seen = 0;
  for (let v = 0; v < 256; v++) {
    seen += histogram[v]!;
    if (seen >= target && seen > 0) return v / 255;
  }
  return 1;
}
