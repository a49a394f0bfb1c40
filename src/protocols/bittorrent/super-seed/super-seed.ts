/**
 * Super-seeding (BEP 16; `superSeed`, on by default: a documented deviation from plain BEP 3). An
 * initial seed sends an empty bitfield and `have`s one piece at a time per peer, the piece handed out
 * least so far, and offers a peer a new piece only once its last one has been sent and the one before
 * that shows up at another of the seed's neighbours (the peer passed it on, or someone else has it).
 * So the seed's upload goes to distinct pieces, and not to peers that keep what they get, until every
 * piece exists outside it; then the seeds announce everything and serve as usual.
 */
import type { PeerId } from '../../../core/index.js';
import type { Conn } from '../connections/conn.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { have } from '../wire/send.js';

/** Offers `c` the least-handed-out piece it lacks (a HAVE for just that piece). */
export function offerNext(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  let best = -1, bestCount = Infinity, ties = 0;
  const oc = sw.superSeed.offeredCount;
  let allOut = true;
  for (let p = 0; p < sw.pieces; p++) {
    const n = oc[p]!;
    if (n === 0) allOut = false;
    if (sw.remoteHas(st, c, p)) continue;
    if (n < bestCount) {
      best = p;
      bestCount = n;
      ties = 1;
    } else if (n === bestCount) {
      ties++;
      if (sw.rng.int(ties) === 0) best = p;
    }
  }
  if (allOut && haveAllBeenServed(sw)) {
    endSuperSeed(sw);
    return;
  }
  if (best < 0) return;
  c.offeredPrev = c.offered;
  c.offered = best;
  c.offeredSent = 0;
  oc[best] = oc[best]! + 1;
  have(sw, peer, st, c, best);
}

/** BEP 16's condition for a new offer to `c`: the piece before its last one is seen elsewhere. */
export function mayOfferNext(sw: SwarmContext, st: SwarmPeer, c: Conn): boolean {
  const q = c.offeredPrev;
  if (q < 0) return true;
  if (!heldElsewhere(sw, st, c, q)) return false;
  c.offeredPrev = -1;
  return true;
}

/** A super-seeding seed heard that `c`'s remote has `piece`. */
export function onHaveWhileSuperSeeding(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number): void {
  // BEP 16: a peer is offered a new piece only once the piece before its last one shows up at another
  // peer (it passed it on), so a peer that never uploads gets two pieces from the seed, not dozens
  // (one piece of slack keeps an honest peer's next piece coming meanwhile)
  if (c.offered < 0 || (c.offered === piece && mayOfferNext(sw, st, c))) offerNext(sw, peer, st, c);
  for (const o of st.conns.values()) {
    if (o === c || o.offeredPrev !== piece || sw.superSeed.done) continue;
    o.offeredPrev = -1; // it spread
    if (o.offered >= 0 && (o.offeredSent >= sw.content.blocksIn(o.offered) || sw.remoteHas(st, o, o.offered))) offerNext(sw, peer, st, o);
  }
}

/** A block of `piece` went out to `c`: once the offered piece has left whole, offer the next unless
 * the one before it has not spread yet. */
export function onBlockSent(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number): void {
  if (piece === c.offered && ++c.offeredSent >= sw.content.blocksIn(piece) && sw.cfg.superSeed && !sw.superSeed.done) {
    if (mayOfferNext(sw, st, c)) offerNext(sw, peer, st, c);
  }
}

/** Whether a neighbour other than `c` has announced piece `p` to us. */
function heldElsewhere(sw: SwarmContext, st: SwarmPeer, c: Conn, p: number): boolean {
  for (const o of st.conns.values()) if (o !== c && sw.remoteHas(st, o, p)) return true;
  return false;
}

function haveAllBeenServed(sw: SwarmContext): boolean {
  // a piece counts as out once some leecher announced it (any seed's neighbour saw a HAVE)
  const served = sw.superSeed.servedOnce;
  if (!served) return false;
  for (let p = 0; p < sw.pieces; p++) if (served[p] !== 1) return false;
  return true;
}

/** Called when any peer completes a piece: once every piece exists outside the seeds, seeds go normal. */
export function notePieceOutside(sw: SwarmContext, piece: number): void {
  if (sw.superSeed.done) return;
  (sw.superSeed.servedOnce ??= new Uint8Array(sw.pieces))[piece] = 1;
}

function endSuperSeed(sw: SwarmContext): void {
  if (sw.superSeed.done) return;
  sw.superSeed.done = true;
  // every seed now announces all it has
  for (let s = 0; s < sw.peers.length; s++) {
    const st = sw.peers[s];
    if (!st || !st.seed || sw.port.world.alive[s] !== 1) continue;
    for (const c of st.conns.values()) {
      if (!c.established) continue;
      for (let p = 0; p < sw.pieces; p++) if (p !== c.offered && !sw.remoteHas(st, c, p)) have(sw, s, st, c, p);
    }
  }
}
