/**
 * Bans. A piece that fails its hash check gives each of its senders a strike; a peer that sent a
 * failed piece alone, or took part in `banAfter` failed pieces, is banned: its connection closed,
 * never re-accepted, and whatever it sent into unfinished pieces dropped and fetched again.
 */
import type { PeerId } from '../../core/index.js';
import { close } from './connections/lifecycle.js';
import type { SwarmContext } from './context.js';
import { RECEIVED, type SwarmPeer } from './swarm-peer.js';
import { anyRequested } from './picker/picker.js';

/** A piece sent by `senders` failed its hash check at `peer`. */
export function strike(sw: SwarmContext, peer: PeerId, st: SwarmPeer, senders: readonly PeerId[]): void {
  for (const q of senders) {
    const strikes = (st.strikes ??= new Map());
    const s = (strikes.get(q) ?? 0) + 1;
    strikes.set(q, s);
    if (senders.length === 1 || s >= sw.cfg.banAfter) ban(sw, peer, st, q);
  }
}

export function ban(sw: SwarmContext, peer: PeerId, st: SwarmPeer, q: PeerId): void {
  if (st.banned?.has(q) === true) return;
  (st.banned ??= new Set()).add(q);
  sw.stats.bans++;
  // whatever it sent into unfinished pieces is suspect: drop those blocks and fetch them again
  const t = sw.tables, blk = t.blk, pb = st.pieceBase;
  for (const p of [...st.active]) {
    const who = st.senders(t, p);
    if (st.singleSource?.get(p) === q) st.singleSource.delete(p);
    if (!who?.includes(q)) continue;
    const base = st.blockBase + p * sw.blocksPerPiece, n = sw.content.blocksIn(p);
    for (let b = 0; b < n; b++) if (blk[base + b] === RECEIVED) blk[base + b] = 0;
    t.got[pb + p] = 0;
    t.refresh(peer, p);
    t.acc[pb + p] = 0;
    st.forgetSenders(t, p);
    // blocks still requested elsewhere keep their counts; the piece stays active so they land
    if (t.got[pb + p] === 0 && !anyRequested(sw, st, p)) st.stopPiece(t, p);
  }
  if (sw.port.observed) sw.port.emit('ban', peer, { banned: q });
  const c = st.conns.get(q);
  if (c) close(sw, peer, c);
}
