/**
 * The run's time series as the dashboard holds them, fed by `lab.series` events: a whole set replaces
 * what is held (new run, seek back, replay), a partial one appends the points after the last held.
 * A gap (points missed while disconnected) is reported so the caller asks `lab.series` for the whole.
 * Each series keeps at most `maxPoints` (thinned by min/max buckets beyond it), so a long run stays
 * cheap to hold and to chart. Pure (no DOM, no Vue): unit-tested directly.
 */
import type { SeriesData } from '../../../src/host/lab-group.js';
import { thinRange } from '../../../src/host/thin.js';

export interface HeldSeries {
  t: number[];
  v: number[];
  /** The host's count of points this series has been sent up to (its `end`). */
  end: number;
}

/** Keeps each bucket's first, minimum and maximum point (in time order) and the last point (see thinRange). */
export function thinPoints(t: readonly number[], v: readonly number[], maxPoints: number): { t: number[]; v: number[] } {
  return thinRange(t, v, 0, t.length, maxPoints);
}

export class SeriesStore {
  run = -1;
  timeMs = 0;
  readonly series = new Map<string, HeldSeries>();
  /** Bumped on every change (a cheap reactivity key for charts). */
  version = 0;

  constructor(readonly maxPoints = 20_000) {}

  /** Applies an event or a whole answer. 'gap' means points were missed: fetch the whole set and apply it. */
  apply(data: SeriesData): 'ok' | 'gap' {
    if (data.reset || data.run !== this.run) {
      if (!data.reset) return 'gap'; // a new run's first event was missed
      const old = data.run === this.run ? new Map(this.series) : null;
      this.run = data.run;
      this.series.clear();
      for (const [name, c] of Object.entries(data.series)) this.series.set(name, { ...thinPoints(c.t, c.v, this.maxPoints), end: c.end });
      if (old) this.keepAhead(old, data.timeMs);
      this.timeMs = data.timeMs;
      this.version++;
      return 'ok';
    }
    let gap = false;
    for (const [name, c] of Object.entries(data.series)) {
      let s = this.series.get(name);
      if (!s) {
        if (c.start !== 0) {
          gap = true;
          continue;
        }
        s = { t: [], v: [], end: 0 };
        this.series.set(name, s);
      }
      if (c.start > s.end) {
        gap = true;
        continue;
      }
      const lastT = s.t.length ? (s.t[s.t.length - 1] as number) : -Infinity;
      for (let i = 0; i < c.t.length; i++) {
        if ((c.t[i] as number) <= lastT) continue; // already held (overlap after a whole answer)
        s.t.push(c.t[i] as number);
        s.v.push(c.v[i] as number);
      }
      s.end = Math.max(s.end, c.end);
      if (s.t.length > this.maxPoints) {
        const th = thinPoints(s.t, s.v, Math.floor(this.maxPoints / 2));
        s.t = th.t;
        s.v = th.v;
      }
    }
    this.timeMs = Math.max(this.timeMs, data.timeMs);
    this.version++;
    return gap ? 'gap' : 'ok';
  }

  /**
   * The same run shown at an earlier time (a seek back, a reset to 0): the simulation is
   * deterministic, so what it held beyond that time is what the run will do again. It stays, and the
   * charts keep their full range with a cursor at the time shown instead of shrinking to 0..t.
   * Points the host sends again as the run goes on are skipped (held already), so nothing doubles.
   */
  private keepAhead(old: Map<string, HeldSeries>, timeMs: number): void {
    for (const [name, o] of old) {
      let i = 0;
      while (i < o.t.length && (o.t[i] as number) <= timeMs) i++;
      if (i === o.t.length) continue;
      const s = this.series.get(name) ?? { t: [], v: [], end: 0 };
      s.t = s.t.concat(o.t.slice(i));
      s.v = s.v.concat(o.v.slice(i));
      if (s.t.length > this.maxPoints) {
        const th = thinPoints(s.t, s.v, this.maxPoints);
        s.t = th.t;
        s.v = th.v;
      }
      this.series.set(name, s);
    }
  }

  /** Index of the first point after `timeMs` (points from there on lie ahead of the time shown). */
  static splitAt(t: readonly number[], timeMs: number): number {
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((t[mid] as number) <= timeMs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  clear(): void {
    this.series.clear();
    this.run = -1;
    this.version++;
  }
}

/**
 * Per-second rate of a cumulative counter (messages sent so far -> messages/s), one point per
 * interval, placed at the interval's end. Intervals of zero length are skipped.
 */
export function rate(t: readonly number[], v: readonly number[]): { t: number[]; v: number[] } {
  const ot: number[] = [];
  const ov: number[] = [];
  for (let i = 1; i < t.length; i++) {
    const dt = (t[i] as number) - (t[i - 1] as number);
    if (!(dt > 0)) continue;
    ot.push(t[i] as number);
    ov.push((((v[i] as number) - (v[i - 1] as number)) / dt) * 1000);
  }
  return { t: ot, v: ov };
}

/** The driver's own series (charted together), apart from the session's `net.*` counters. */
export function protocolSeriesNames(names: Iterable<string>): string[] {
  return [...names].filter((n) => !n.startsWith('net.')).sort();
}
