/**
 * The one statistics module: mean, standard deviation, Student-t 95% confidence intervals, and the one
 * quantile definition every summary, report and bench uses. A quantile interpolates linearly between
 * order statistics (type 7 of Hyndman and Fan, the default of R, NumPy and spreadsheets): the q-quantile
 * of n sorted values sits at position (n - 1) q, so the median of an even count is the mean of the two
 * middle values and p100 is the maximum.
 */

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101,
  2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t_{0.975, df}: exact table to 30, then the 40/60/120 values, then the normal 1.96. */
export function tQuantile975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[df - 1]!;
  if (df <= 40) return 2.021;
  if (df <= 60) return 2.0;
  if (df <= 120) return 1.98;
  return 1.96;
}

export interface Aggregate {
  n: number;
  mean: number;
  sd: number;
  /** Half-width of the 95% confidence interval of the mean (0 for n = 1). */
  ci95: number;
  min: number;
  max: number;
}

export function aggregate(values: readonly number[]): Aggregate | null {
  const v = values.filter((x) => Number.isFinite(x));
  const n = v.length;
  if (n === 0) return null;
  let sum = 0;
  for (const x of v) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of v) ss += (x - mean) ** 2;
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const ci95 = n > 1 ? (tQuantile975(n - 1) * sd) / Math.sqrt(n) : 0;
  return { n, mean, sd, ci95, min: Math.min(...v), max: Math.max(...v) };
}

/**
 * The q-quantile (q in [0, 1], clamped) of values already sorted ascending; NaN for none. The midpoint
 * of two values is computed with one rounding, so a median is exactly (a + b) / 2.
 */
export function quantileSorted(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const a = sorted[lo]!;
  const f = pos - lo;
  if (f === 0) return a;
  const b = sorted[lo + 1]!;
  return f === 0.5 ? (a + b) / 2 : a + (b - a) * f;
}

/** The q-quantile (q in [0, 1]) of the finite values, in any order; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(
    values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b),
    q,
  );
}

/** The median of the finite values (quantile 0.5); NaN for none. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function mean(values: readonly number[]): number {
  const a = aggregate(values);
  return a ? a.mean : NaN;
}
