/**
 * Piece picking, in the order BEP 3's clients use: strict priority for pieces already started (a
 * piece is useful to pass on only once complete), `randomFirst` random pieces (a newcomer needs
 * something to trade at once, rarity does not matter yet), then rarest first by availability among
 * the peer's neighbours, ties broken at random; and endgame at the end (endgame.ts).
 */
import type { PeerId } from '../../../core/index.js';
import type { Conn } from '../connections/conn.js';
import { I_BITS } from '../connections/rows.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { endgameBlock, inEndgame } from './endgame.js';

/** The next block to request from `c` (a global block id), or -1. */
export function pickBlock(sw: SwarmContext, st: SwarmPeer, c: Conn): number {
  const B = sw.blocksPerPiece;
  const blk = sw.tables.blk, bb = st.blockBase, active = st.active;
  // 1. strict priority: finish pieces already started
  for (let i = 0; i < active.length; i++) {
    const p = active[i]!;
    if (!sw.remoteHas(st, c, p)) continue;
    const ss = st.singleSource?.get(p);
    if (ss !== undefined && ss !== c.remote) {
      if (st.conns.has(ss)) continue;
      (st.singleSource as Map<number, PeerId>).set(p, c.remote); // the chosen source went away: this peer takes over
    }
    const n = sw.content.blocksIn(p);
    const base = p * B;
    for (let b = 0; b < n; b++) if (blk[bb + base + b] === 0) return base + b;
  }
  // 2. a new piece: random first, then rarest first
  const p = pickPiece(sw, st, c);
  if (p >= 0) {
    st.startPiece(sw.tables, p);
    return p * B;
  }
  // 3. endgame: once every missing block is requested somewhere, ask this peer too
  if (sw.cfg.endgame && inEndgame(sw, st)) return endgameBlock(sw, st, c);
  return -1;
}

/** A piece to start that `c` has: random among them while we have fewer than `randomFirst`
 * (or with `pieceSelection: random`), else the rarest among our neighbours. -1 if none. */
export function pickPiece(sw: SwarmContext, st: SwarmPeer, c: Conn): number {
  const t = sw.tables, pb = st.pieceBase, words = sw.words;
  const rb = sw.rows.bits, rbase = c.slot * sw.rows.stride + I_BITS, closed = t.closed, cbase = st.id * words, ha = t.ha;
  const random = sw.cfg.pieceSelection === 'random' || st.haveCount < sw.cfg.randomFirst;
  let best = -1, bestAvail = Infinity, ties = 0;
  // candidates: what `c` has that we neither have nor started, a word of pieces at a time, in
  // ascending piece order (the order the ties' random draws follow)
  for (let w = 0; w < words; w++) {
    let x = rb[rbase + w]! & ~closed[cbase + w]!;
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const p = (w << 5) + 31 - Math.clz32(low);
      if (random) {
        // reservoir sampling: uniform over candidates
        ties++;
        if (sw.rng.int(ties) === 0) best = p;
        continue;
      }
      const a = ha[2 * (pb + p)]!;
      if (a < bestAvail) {
        bestAvail = a;
        best = p;
        ties = 1;
      } else if (a === bestAvail) {
        ties++;
        if (sw.rng.int(ties) === 0) best = p;
      }
    }
  }
  if (best >= 0 && st.failed?.has(best) === true) (st.singleSource ??= new Map()).set(best, c.remote);
  return best;
}

/** Whether any block of piece `p` is requested or received. */
export function anyRequested(sw: SwarmContext, st: SwarmPeer, p: number): boolean {
  const base = st.blockBase + p * sw.blocksPerPiece, n = sw.content.blocksIn(p), blk = sw.tables.blk;
  for (let b = 0; b < n; b++) if (blk[base + b] !== 0) return true;
  return false;
}
