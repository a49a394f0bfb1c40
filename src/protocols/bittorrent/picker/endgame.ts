/**
 * Endgame mode: once every block we lack is requested somewhere, the last blocks are also requested
 * from every other peer that has them (at most 3 copies in flight), and the copies still outstanding
 * are cancelled when one arrives. What it costs is counted as duplicate bytes.
 */
import type { PeerId } from '../../../core/index.js';
import type { Conn } from '../connections/conn.js';
import type { SwarmContext } from '../context.js';
import { RECEIVED, type SwarmPeer } from '../swarm-peer.js';
import { cancel } from '../wire/send.js';

/** Copies of one block in flight at most (the first request and two endgame duplicates). */
const MAX_COPIES = 3;

/** True when every piece we lack is under way and none of their blocks is unrequested. */
export function inEndgame(sw: SwarmContext, st: SwarmPeer): boolean {
  if (st.haveCount + st.active.length < sw.pieces) return false;
  const B = sw.blocksPerPiece, blk = sw.tables.blk, bb = st.blockBase;
  for (const p of st.active) {
    const base = bb + p * B, n = sw.content.blocksIn(p);
    for (let b = 0; b < n; b++) if (blk[base + b] === 0) return false;
  }
  return true;
}

/** In endgame: a block of a started piece that `c` has, not yet received nor asked of `c`; or -1. */
export function endgameBlock(sw: SwarmContext, st: SwarmPeer, c: Conn): number {
  const B = sw.blocksPerPiece, blk = sw.tables.blk, bb = st.blockBase;
  for (const q of st.active) {
    if (!sw.remoteHas(st, c, q)) continue;
    const n = sw.content.blocksIn(q);
    const base = q * B;
    for (let b = 0; b < n; b++) {
      const v = blk[bb + base + b]!;
      if (v !== RECEIVED && v < MAX_COPIES && c.outIndexOf(base + b) < 0) return base + b;
    }
  }
  return -1;
}

/** A block arrived from `from`: cancel its `copies` other requests still out. */
export function cancelElsewhere(sw: SwarmContext, peer: PeerId, st: SwarmPeer, from: Conn, piece: number, block: number, id: number, copies: number): void {
  for (const o of st.conns.values()) {
    if (o === from || o.outLength === 0) continue;
    const j = o.outIndexOf(id);
    if (j >= 0) {
      o.outRemoveAt(j);
      cancel(sw, peer, st, o, piece, block);
      if (--copies === 0) return;
    }
  }
}
