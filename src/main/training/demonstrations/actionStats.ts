import type { DemoDataset } from './demoDataset';

export interface ActionStats {
  q01: number[];
  q99: number[];
  mean: number[];
  std: number[];
}

function quantile(sorted: Float64Array, q: number): number {
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/**
 * Per-dim statistics of the demonstrated actions (every action of every chunk): the 1st and 99th
 * percentiles NORA-1.5's normalisation uses, mean and std.
 */
export function actionStats(dataset: DemoDataset): ActionStats {
  const { actions, dims } = dataset.arrays;
  const count = actions.length / dims;
  const stats: ActionStats = { q01: [], q99: [], mean: [], std: [] };
  for (let d = 0; d < dims; d += 1) {
    const values = new Float64Array(count);
    for (let i = 0; i < count; i += 1) values[i] = actions[i * dims + d]!;
    values.sort();
    const mean = values.reduce((sum, value) => sum + value, 0) / count;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / count;
    stats.q01.push(quantile(values, 0.01));
    stats.q99.push(quantile(values, 0.99));
    stats.mean.push(mean);
    stats.std.push(Math.sqrt(variance));
  }
  return stats;
}
