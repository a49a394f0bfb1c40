/**
 * Downloading: what each neighbour has (a bitset row per connection, and the availability counts
 * rarest first reads), interest (we are interested while a neighbour has a piece we lack), and
 * requests: `pipeline` blocks outstanding per unchoked connection, picked by the picker, given back
 * when the remote chokes us or goes away.
 */
import type { PeerId } from '../../../core/index.js';
import type { Conn } from '../connections/conn.js';
import { I_BITS } from '../connections/rows.js';
import type { SwarmContext } from '../context.js';
import { RECEIVED, type SwarmPeer } from '../swarm-peer.js';
import { pickBlock } from '../picker/picker.js';
import { interested, notInterested, request } from '../wire/send.js';

/** `c`'s remote told us it has piece `p` (bitfield or have; the caller checked it is news). */
export function remoteGained(sw: SwarmContext, st: SwarmPeer, c: Conn, p: number): void {
  const w = c.slot * sw.rows.stride + I_BITS + (p >>> 5), bits = sw.rows.bits, t = sw.tables, i = st.pieceBase + p;
  bits[w] = bits[w]! | (1 << (p & 31));
  c.remoteCount++;
  t.ha[2 * i] = t.ha[2 * i]! + 1;
  if (t.ha[2 * i + 1] !== 1) c.wanted++;
}

/** Tells the remote whether we are interested, when that changed. */
export function updateInterest(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  const want = !st.seed && c.wanted > 0;
  if (want && !c.amInterested) interested(sw, peer, st, c);
  else if (!want && c.amInterested) notInterested(sw, peer, st, c);
}

/** Keeps `pipeline` requests outstanding on a connection. */
export function fill(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  if (!c.amInterested || c.peerChoking || st.haveCount === sw.pieces) return;
  const B = sw.blocksPerPiece, blk = sw.tables.blk, bb = st.blockBase;
  while (c.outLength < sw.cfg.pipeline) {
    const id = pickBlock(sw, st, c);
    if (id < 0) break;
    blk[bb + id] = blk[bb + id]! + 1;
    c.outPush(id);
    const piece = (id / B) | 0;
    request(sw, peer, st, c, piece, id - piece * B);
  }
}

/** Asks again on every unchoked connection (after requests were released). */
export function refillAll(sw: SwarmContext, peer: PeerId, st: SwarmPeer): void {
  if (st.haveCount === sw.pieces) return;
  for (const c of st.conns.values()) if (c.amInterested && !c.peerChoking) fill(sw, peer, st, c);
}

/** Forgets what we asked of `c` (it choked us, left, or we are done), so others can be asked. */
export function releaseRequests(sw: SwarmContext, st: SwarmPeer, c: Conn): void {
  const blk = sw.tables.blk, bb = st.blockBase;
  for (let i = 0, n = c.outLength; i < n; i++) {
    const id = c.outAt(i);
    const v = blk[bb + id]!;
    if (v !== RECEIVED && v > 0) blk[bb + id] = v - 1;
  }
  c.outClear();
}
