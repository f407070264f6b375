/** Percentiles and a one-line summary for benchmark samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(samples: readonly number[]): {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
} {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
    mean: sorted.reduce((sum, x) => sum + x, 0) / Math.max(1, sorted.length),
  };
}

export function formatMsSummary(label: string, samples: readonly number[], budgetP99Ms?: number): string {
  const s = summarize(samples);
  const verdict =
    budgetP99Ms === undefined
      ? ''
      : s.p99 <= budgetP99Ms
        ? `  (budget p99 ≤ ${budgetP99Ms} ms: met)`
        : `  (budget p99 ≤ ${budgetP99Ms} ms: MISSED)`;
  return `${label.padEnd(48)} n=${s.n}  p50 ${s.p50.toFixed(3)} ms  p99 ${s.p99.toFixed(3)} ms  max ${s.max.toFixed(3)} ms${verdict}`;
}
