/**
 * Thinning a time series for display. Pure and import-free, so the renderer runs it too: the one
 * module of src/host/ the renderer may import at run time (.dependency-cruiser.cjs).
 */

/**
 * Thins points `[from, to)` of a series (parallel arrays in time order) to at most `maxPoints`,
 * keeping each bucket's first, minimum and maximum point (in time order), so spikes survive, and
 * always the last point. Returns copies.
 */
export function thinRange(t: readonly number[], v: readonly number[], from: number, to: number, maxPoints: number): { t: number[]; v: number[] } {
  const n = to - from;
  if (n <= maxPoints) return { t: t.slice(from, to), v: v.slice(from, to) };
  const ot: number[] = [];
  const ov: number[] = [];
  const buckets = Math.max(1, Math.floor((maxPoints - 1) / 3));
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const lo = from + Math.floor(b * size);
    const hi = Math.min(to, from + Math.floor((b + 1) * size));
    if (hi <= lo) continue;
    let iMin = lo;
    let iMax = lo;
    for (let i = lo + 1; i < hi; i++) {
      const x = v[i]!;
      if (x < v[iMin]!) iMin = i;
      if (x > v[iMax]!) iMax = i;
    }
    for (const i of [...new Set([lo, iMin, iMax])].sort((a, b) => a - b)) {
      ot.push(t[i]!);
      ov.push(v[i]!);
    }
  }
  if (ot[ot.length - 1] !== t[to - 1]) {
    ot.push(t[to - 1]!);
    ov.push(v[to - 1]!);
  }
  return { t: ot, v: ov };
}
