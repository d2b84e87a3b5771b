/** Summary of latencies in ms: count, mean, p50, p90, p99, p999, max (nulls when empty). */
export function summarize(values, count = values.length) {
  const a = Float64Array.from(values.subarray ? values.subarray(0, count) : values.slice(0, count)).sort();
  const n = a.length;
  const q = (p) => (n ? a[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] : null);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i];
  return {
    count: n,
    mean: n ? sum / n : null,
    p50: q(0.5),
    p90: q(0.9),
    p99: q(0.99),
    p999: q(0.999),
    max: n ? a[n - 1] : null,
  };
}

export const round = (x, digits = 2) =>
  x == null || !Number.isFinite(x) ? null : Math.round(x * 10 ** digits) / 10 ** digits;
