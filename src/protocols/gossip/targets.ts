/**
 * Whom a gossiping peer contacts: `fanout` distinct peers drawn uniformly from everyone (full
 * knowledge) or from its partial view (an overlay). A fractional fanout f contacts floor(f) peers, or
 * one more with probability f - floor(f).
 */
import type { PeerId, Rng } from '../../core/index.js';
import type { Overlay } from './overlay.js';

export class GossipTargets {
  /** The targets of the latest pick (its first `count` entries); reused, so one pick at a time. */
  readonly list: Int32Array;

  constructor(
    private readonly n: number,
    private readonly fanout: number,
    /** Partial views, or null for full knowledge. */
    private readonly overlay: Overlay | null,
  ) {
    let maxDeg = 0;
    if (overlay) for (let p = 0; p < n; p++) maxDeg = Math.max(maxDeg, overlay.offsets[p + 1]! - overlay.offsets[p]!);
    this.list = new Int32Array(Math.max(maxDeg, Math.ceil(fanout)) + 1);
  }

  /** How many peers one gossip action contacts. */
  count(rng: Rng): number {
    const f = this.fanout;
    const base = Math.floor(f);
    return f > base && rng.float() < f - base ? base + 1 : base;
  }

  /** Fills `list` with up to `count` distinct targets for p (never p itself); returns how many. */
  pick(p: PeerId, count: number, rng: Rng): number {
    const t = this.list;
    const o = this.overlay;
    let len = 0;
    if (o === null) {
      const n = this.n;
      if (n < 2) return 0;
      const c = Math.min(count, n - 1);
      while (len < c) {
        let q = rng.int(n - 1);
        if (q >= p) q++;
        let dup = false;
        for (let i = 0; i < len; i++) if (t[i] === q) dup = true;
        if (!dup) t[len++] = q;
      }
      return c;
    }
    const start = o.offsets[p]!;
    const deg = o.offsets[p + 1]! - start;
    if (deg === 0) return 0;
    if (count >= deg) {
      for (let i = 0; i < deg; i++) t[i] = o.adj[start + i]!;
      return deg;
    }
    while (len < count) {
      const q = o.adj[start + rng.int(deg)]!;
      let dup = false;
      for (let i = 0; i < len; i++) if (t[i] === q) dup = true;
      if (!dup) t[len++] = q;
    }
    return count;
  }
}
