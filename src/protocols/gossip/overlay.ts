/**
 * Partial views for the simulator: a random symmetric overlay in compressed sparse rows (CSR), so a
 * 10^6-peer view costs two typed arrays. Each peer opens links to `ceil(viewSize/2)` distinct random
 * peers and every link is used both ways, so degrees are ~viewSize (at least ceil(viewSize/2)) and the
 * graph is connected with overwhelming probability for viewSize >= 4.
 *
 * This is the "simpler, documented" membership of docs/gossip.md: the shape HyParView's active views
 * converge to (small, symmetric, random), built at once instead of by JOIN/SHUFFLE walks. Plumtree runs
 * over it with a repair rule (see membership in driver.ts): when a neighbour is detected failed, a peer
 * replaces it by a random live peer (HyParView's promotion from the passive view).
 */
import type { Rng } from '../../core/index.js';

export interface Overlay {
  readonly size: number;
  /** Neighbours of p are adj[offsets[p] .. offsets[p+1]). */
  readonly offsets: Int32Array;
  readonly adj: Int32Array;
}

export function randomOverlay(n: number, viewSize: number, rng: Rng): Overlay {
  const half = Math.max(1, Math.ceil(viewSize / 2));
  const k = Math.min(half, n - 1);
  const m = n * k;
  const src = new Int32Array(m);
  const dst = new Int32Array(m);
  let e = 0;
  const picked: number[] = [];
  for (let p = 0; p < n; p++) {
    picked.length = 0;
    while (picked.length < k) {
      let q = rng.int(n - 1);
      if (q >= p) q++;
      if (picked.includes(q)) continue;
      picked.push(q);
      src[e] = p;
      dst[e] = q;
      e++;
    }
  }
  const deg = new Int32Array(n + 1);
  for (let i = 0; i < e; i++) {
    deg[src[i]!]!++;
    deg[dst[i]!]!++;
  }
  const offsets = new Int32Array(n + 1);
  for (let p = 0; p < n; p++) offsets[p + 1] = offsets[p]! + deg[p]!;
  const fill = offsets.slice(0, n);
  const adjRaw = new Int32Array(offsets[n]!);
  for (let i = 0; i < e; i++) {
    const a = src[i]!;
    const b = dst[i]!;
    adjRaw[fill[a]!++] = b;
    adjRaw[fill[b]!++] = a;
  }
  // drop duplicate links (a chose b and b chose a): compact each row in place
  const out = new Int32Array(n + 1);
  let w = 0;
  for (let p = 0; p < n; p++) {
    const start = offsets[p]!;
    const end = offsets[p + 1]!;
    const rowStart = w;
    for (let i = start; i < end; i++) {
      const q = adjRaw[i]!;
      let dup = false;
      for (let j = rowStart; j < w; j++) if (adjRaw[j] === q) dup = true;
      if (!dup) adjRaw[w++] = q;
    }
    out[p + 1] = w;
  }
  return { size: n, offsets: out, adj: adjRaw.slice(0, w) };
}

/** Each undirected link once (a < b), among peers < maxPeer. */
export function overlayLinks(o: Overlay, maxPeer: number): [number, number][] {
  const links: [number, number][] = [];
  const lim = Math.min(maxPeer, o.size);
  for (let a = 0; a < lim; a++)
    for (let i = o.offsets[a]!; i < o.offsets[a + 1]!; i++) {
      const b = o.adj[i]!;
      if (a < b && b < lim) links.push([a, b]);
    }
  return links;
}
