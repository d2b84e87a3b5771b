/**
 * The fixed latency buckets of report rollups (seconds). A rollup row keeps a
 * count per bucket, so medians and p90s over any range are computed from the
 * rollups alone: the bucket holding the rank, interpolated linearly inside it.
 * Changing these needs a migration of every histogram: they only ever grow at
 * the end.
 */
export const REPORT_BUCKETS = [
  30, 60, 120, 300, 600, 900, 1_800, 2_700, 3_600, 5_400, 7_200, 10_800, 14_400, 21_600, 28_800, 43_200, 86_400,
  129_600, 172_800, 259_200, 432_000, 604_800, 1_209_600, 2_592_000,
] as const;

/** Buckets in a histogram: one per upper bound, and one for everything longer. */
export const BUCKET_COUNT = REPORT_BUCKETS.length + 1;

/** The bucket `seconds` falls in: the first whose upper bound is above it. */
export function bucketOf(seconds: number): number {
  const i = REPORT_BUCKETS.findIndex((upper) => seconds < upper);
  return i === -1 ? REPORT_BUCKETS.length : i;
}

/** An empty histogram, as stored (a JSON array of counts). */
export const emptyHistogram = (length = BUCKET_COUNT): number[] => Array.from({ length }, () => 0);

/**
 * The `q` quantile (0 < q ≤ 1) of the values a histogram counts: the value at
 * rank q·n, interpolated inside its bucket. A bucket's bounds are narrowed to
 * `range`, the smallest and largest value measured, when it is known: so one
 * value (or many equal ones) is exact, and the open last bucket ends at the
 * largest value rather than at its lower bound. Null for an empty histogram.
 */
export function quantile(
  histogram: readonly number[],
  q: number,
  range?: readonly [number, number] | null,
): number | null {
  const total = histogram.reduce((a, b) => a + b, 0);
  if (!total) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < histogram.length; i++) {
    const count = histogram[i]!;
    if (count && below + count >= rank) {
      let lower: number = i === 0 ? 0 : REPORT_BUCKETS[i - 1]!;
      let upper: number | undefined = REPORT_BUCKETS[i];
      if (range) {
        lower = Math.max(lower, range[0]);
        upper = Math.min(upper ?? range[1], range[1]);
      }
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return null;
}
