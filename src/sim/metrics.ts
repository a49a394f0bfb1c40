/**
 * Metric recorders that reports and the dashboard read: counters, time series and histograms.
 *
 * Histograms come in two kinds:
 * - exact (`new Histogram({ exact: true })`): keeps every value; percentiles are exact (nearest rank).
 *   8 bytes per value.
 * - sketch (the default): log-spaced buckets in the manner of DDSketch. Any percentile is within a
 *   relative error `relativeError` (default 1%) of the exact nearest-rank value, with memory growing
 *   only with the log of the value range (about 1,400 buckets span 1 µs to 10^6 s at 1%). Zero and
 *   negative values are handled (negatives in a mirrored bucket set).
 *
 * Percentile convention (both kinds): `percentile(p)` is the nearest-rank value, the smallest recorded
 * value v such that at least p% of the values are <= v; p = 0 gives the minimum, p = 100 the maximum.
 */

/** A monotone (or at least additive) count. */
export class Counter {
  value = 0;
  constructor(readonly name = '') {}
  inc(by = 1): void {
    this.value += by;
  }
  reset(): void {
    this.value = 0;
  }
  toJSON(): number {
    return this.value;
  }
}

/** (time, value) points in the order recorded; times should not go backwards. */
export class TimeSeries {
  readonly t: number[] = [];
  readonly v: number[] = [];
  constructor(readonly name = '') {}

  record(time: number, value: number): void {
    const n = this.t.length;
    if (n > 0 && time < (this.t[n - 1] as number))
      throw new RangeError(`TimeSeries ${this.name}: time ${time} is before the last point (${this.t[n - 1]})`);
    this.t.push(time);
    this.v.push(value);
  }

  get length(): number {
    return this.t.length;
  }

  /** The last value, or undefined when empty. */
  get last(): number | undefined {
    return this.v[this.v.length - 1];
  }

  /** The value in force at `time` (the latest point at or before it), or undefined before the first. */
  valueAt(time: number): number | undefined {
    let lo = 0, hi = this.t.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if ((this.t[mid] as number) <= time) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? undefined : this.v[found];
  }

  /** First time the value reaches `threshold` (>=), or undefined. */
  firstTimeAtLeast(threshold: number): number | undefined {
    for (let i = 0; i < this.v.length; i++) if ((this.v[i] as number) >= threshold) return this.t[i];
    return undefined;
  }

  toJSON(): { name: string; t: number[]; v: number[] } {
    return { name: this.name, t: this.t, v: this.v };
  }
}

export interface HistogramOptions {
  /** Keep every value for exact percentiles. Default false (bounded sketch). */
  exact?: boolean;
  /** Sketch accuracy: relative error bound of any percentile, in (0, 0.5). Default 0.01. */
  relativeError?: number;
}

export interface HistogramSummary {
  count: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
}

/** Growable dense bucket counts indexed by a signed integer key. */
class Buckets {
  counts = new Float64Array(0);
  offset = 0; // key of counts[0]
  total = 0;

  add(key: number, c: number): void {
    if (this.counts.length === 0) {
      this.counts = new Float64Array(64);
      this.offset = key - 32;
    }
    let i = key - this.offset;
    if (i < 0 || i >= this.counts.length) {
      const lo = Math.min(this.offset, key);
      const hi = Math.max(this.offset + this.counts.length - 1, key);
      const size = Math.max(this.counts.length * 2, hi - lo + 1 + 32);
      const next = new Float64Array(size);
      // leave headroom on the side that grew
      const newOffset = key < this.offset ? hi - size + 1 : lo;
      next.set(this.counts, this.offset - newOffset);
      this.counts = next;
      this.offset = newOffset;
      i = key - this.offset;
    }
    this.counts[i] = (this.counts[i] as number) + c;
    this.total += c;
  }

  /** Key of the bucket holding the rank-th value (1-based) counting from the lowest key. */
  keyAtRank(rank: number, fromTop: boolean): number {
    let acc = 0;
    const c = this.counts;
    if (!fromTop) {
      for (let i = 0; i < c.length; i++) {
        acc += c[i] as number;
        if (acc >= rank) return i + this.offset;
      }
    } else {
      for (let i = c.length - 1; i >= 0; i--) {
        acc += c[i] as number;
        if (acc >= rank) return i + this.offset;
      }
    }
    return this.offset;
  }
}

export class Histogram {
  readonly exact: boolean;
  readonly relativeError: number;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  // exact
  private values: Float64Array = new Float64Array(0);
  private sorted = true;
  // sketch
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly pos = new Buckets();
  private readonly neg = new Buckets();
  private zeros = 0;

  constructor(
    readonly name = '',
    opts: HistogramOptions = {},
  ) {
    this.exact = opts.exact ?? false;
    const a = opts.relativeError ?? 0.01;
    if (!(a > 0 && a < 0.5)) throw new RangeError(`Histogram ${name}: relativeError must be in (0, 0.5), got ${a}`);
    this.relativeError = a;
    this.gamma = (1 + a) / (1 - a);
    this.logGamma = Math.log(this.gamma);
  }

  record(value: number, times = 1): void {
    if (Number.isNaN(value)) throw new RangeError(`Histogram ${this.name}: cannot record NaN`);
    if (!(times >= 1) || !Number.isInteger(times)) throw new RangeError(`Histogram ${this.name}: times must be an integer >= 1`);
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.exact) {
      const need = this.count;
      if (need > this.values.length) {
        const next = new Float64Array(Math.max(64, need, this.values.length * 2));
        next.set(this.values.subarray(0, need - times));
        this.values = next;
      }
      const start = this.count - times;
      const last = start > 0 ? (this.values[start - 1] as number) : -Infinity;
      this.values.fill(value, start, this.count);
      if (value < last) this.sorted = false;
      return;
    }
    if (value > 0) this.pos.add(this.keyOf(value), times);
    else if (value < 0) this.neg.add(this.keyOf(-value), times);
    else this.zeros += times;
  }

  private keyOf(v: number): number {
    return Math.ceil(Math.log(v) / this.logGamma);
  }

  private valueOfKey(k: number): number {
    // the point of bucket (gamma^(k-1), gamma^k] whose relative distance to both ends is relativeError
    return (2 * Math.pow(this.gamma, k)) / (this.gamma + 1);
  }

  get mean(): number {
    return this.count === 0 ? NaN : this.sum / this.count;
  }

  /** Nearest-rank percentile, p in [0, 100]; NaN when empty. Exact, or within relativeError. */
  percentile(p: number): number {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`Histogram ${this.name}: percentile must be in [0, 100], got ${p}`);
    if (this.count === 0) return NaN;
    if (p === 0) return this.min;
    if (p === 100) return this.max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    if (this.exact) {
      const vals = this.values.subarray(0, this.count);
      if (!this.sorted) {
        vals.sort();
        this.sorted = true;
      }
      return vals[rank - 1] as number;
    }
    let v: number;
    const nNeg = this.neg.total;
    if (rank <= nNeg) v = -this.valueOfKey(this.neg.keyAtRank(rank, true));
    else if (rank <= nNeg + this.zeros) v = 0;
    else v = this.valueOfKey(this.pos.keyAtRank(rank - nNeg - this.zeros, false));
    return Math.min(this.max, Math.max(this.min, v));
  }

  /** Several percentiles at once. */
  percentiles(ps: readonly number[]): number[] {
    return ps.map((p) => this.percentile(p));
  }

  /** Adds another histogram's values (same kind and accuracy). */
  merge(other: Histogram): void {
    if (other.exact !== this.exact || other.relativeError !== this.relativeError)
      throw new RangeError(`Histogram ${this.name}: can only merge a histogram of the same kind and accuracy`);
    if (other.count === 0) return;
    if (this.exact) {
      const vals = other.values.subarray(0, other.count);
      for (let i = 0; i < vals.length; i++) this.record(vals[i] as number);
      return;
    }
    for (const [mine, theirs] of [
      [this.pos, other.pos],
      [this.neg, other.neg],
    ] as const)
      for (let i = 0; i < theirs.counts.length; i++) {
        const c = theirs.counts[i] as number;
        if (c > 0) mine.add(i + theirs.offset, c);
      }
    this.zeros += other.zeros;
    this.count += other.count;
    this.sum += other.sum;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
  }

  summary(): HistogramSummary {
    return {
      count: this.count,
      min: this.count ? this.min : NaN,
      max: this.count ? this.max : NaN,
      mean: this.mean,
      p50: this.percentile(50),
      p90: this.percentile(90),
      p99: this.percentile(99),
    };
  }

  toJSON(): HistogramSummary & { name: string } {
    return { name: this.name, ...this.summary() };
  }
}
