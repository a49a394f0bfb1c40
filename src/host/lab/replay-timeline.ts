/**
 * The replay timeline: a recording shown without the simulator. Its clock moves over the recorded
 * frames; what is shown at t is the last frame at or before t, and the series' prefix up to t.
 */
import type { Series } from '../../protocols/driver.js';
import type { CountersData, SnapshotData } from '../lab-group.js';
import type { Replay } from '../recording.js';
import { countUpTo } from '../series.js';

export class ReplayTimeline {
  readonly mode = 'replay' as const;
  clockMs: number;

  constructor(
    readonly replay: Replay,
    readonly name: string,
    /** The live run's run number, restored when the replay closes. */
    readonly liveRun: number,
  ) {
    this.clockMs = replay.firstMs;
  }

  get timeMs(): number {
    return this.clockMs;
  }
  get endMs(): number {
    return this.replay.lastMs;
  }
  get done(): boolean {
    return this.clockMs >= this.replay.lastMs;
  }

  advance(ms: number): void {
    this.clockMs = Math.min(this.replay.lastMs, this.clockMs + ms);
  }

  /** Returns true when the clock went back (the series go out whole again). */
  seek(timeMs: number): boolean {
    const t = Math.min(Math.max(timeMs, this.replay.firstMs), this.replay.lastMs);
    const back = t < this.clockMs;
    this.clockMs = t;
    return back;
  }

  reset(): void {
    this.clockMs = this.replay.firstMs;
  }

  counters(): CountersData {
    return this.replay.frame(this.replay.indexAt(this.clockMs)).counters;
  }

  snapshot(maxPeers: number, run: number): SnapshotData {
    const snap = this.replay.snapshot(this.replay.indexAt(this.clockMs), run);
    if (snap.peers.length <= maxPeers) return snap;
    const keep = new Set(snap.peers.slice(0, maxPeers).map((p) => p.id));
    return { ...snap, peers: snap.peers.slice(0, maxPeers), links: snap.links.filter(([a, b]) => keep.has(a) && keep.has(b)) };
  }

  /** The recorded series and, for each, how many points are visible at the clock. */
  series(): { series: Record<string, Series>; counts: Record<string, number> } {
    const series = this.replay.rec.end.series;
    const counts: Record<string, number> = {};
    for (const [k, v] of Object.entries(series)) counts[k] = countUpTo(v, this.clockMs);
    return { series, counts };
  }
}
