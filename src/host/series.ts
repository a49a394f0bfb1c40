/**
 * Time series for the dashboard's charts: a run's series (the driver's own, e.g. `reached`, and the
 * session's `net.*` counters) reach the renderer either whole, thinned to a bounded number of points,
 * or as the points added since the last publish. Pure (no Node), shared by LabHost and replay.
 */
import type { Series } from '../protocols/driver.js';
import { thinRange } from './thin.js';

/** One series as sent: the points of server indices `[start, end)`, possibly thinned (then `t.length < end - start`). */
export interface SeriesChunk {
  start: number;
  end: number;
  t: number[];
  v: number[];
}

/** Thins `[from, to)` of a series to at most `maxPoints` points (see thinRange). */
export function thin(s: Series, from: number, to: number, maxPoints: number): { t: number[]; v: number[] } {
  return thinRange(s.t, s.v, from, to, maxPoints);
}

/** Index of the first point with time > `timeMs` (series are in time order): the count visible at that time. */
export function countUpTo(s: Series, timeMs: number): number {
  let lo = 0;
  let hi = s.t.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s.t[mid]! <= timeMs) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Every series up to `counts[name]` points, each thinned to at most `maxPoints`. */
export function wholeChunks(series: Record<string, Series>, counts: Record<string, number> | null, maxPoints: number): Record<string, SeriesChunk> {
  const out: Record<string, SeriesChunk> = {};
  for (const [name, s] of Object.entries(series)) {
    const end = counts?.[name] ?? s.t.length;
    out[name] = { start: 0, end, ...thin(s, 0, end, maxPoints) };
  }
  return out;
}

/**
 * Remembers how much of each series was sent, so each publish carries only the new points (thinned
 * if a fast run made many). `forget()` after anything that rewrote history (a seek back, a new run).
 */
export class SeriesCursor {
  private sent = new Map<string, number>();

  /** New points since the last call (empty record if none), up to `counts[name]` (default: all). */
  delta(series: Record<string, Series>, counts: Record<string, number> | null, maxPoints: number): Record<string, SeriesChunk> {
    const out: Record<string, SeriesChunk> = {};
    for (const [name, s] of Object.entries(series)) {
      const end = counts?.[name] ?? s.t.length;
      const start = this.sent.get(name) ?? 0;
      if (end <= start) continue;
      out[name] = { start, end, ...thin(s, start, end, maxPoints) };
      this.sent.set(name, end);
    }
    return out;
  }

  /** The client was sent everything up to these counts (after a whole-series answer or event). */
  mark(counts: Record<string, number>): void {
    for (const [k, v] of Object.entries(counts)) this.sent.set(k, v);
  }

  forget(): void {
    this.sent.clear();
  }
}
