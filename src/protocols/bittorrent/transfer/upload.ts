/**
 * Uploading: a peer's uplink sends the blocks its unchoked neighbours requested, one at a time, when
 * the uplink is free (the network's upload queue holds at most one block, like a short TCP send
 * buffer, so a choke takes effect at once). Piece by piece: the uplink stays with one connection until
 * that piece's blocks are sent, then moves on round robin. Interleaving blocks of five pieces would
 * deliver all five five times later; whole pieces first means a peer can pass each piece on (after its
 * hash check) sooner, which is what makes a flash crowd's early phase grow fast.
 */
import type { PeerId } from '../../../core/index.js';
import { NONE, type Conn } from '../connections/conn.js';
import { T_SERVE, type SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { onBlockSent } from '../super-seed/super-seed.js';
import { piece as sendPiece } from '../wire/send.js';

/** What a corrupt peer does to every token it sends. */
const CORRUPTION = 0x5a5a5a5a;

/** Queues a block `c`'s remote requested (the caller checked it), and serves if the uplink is free. */
export function enqueueRequest(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, id: number): void {
  if (c.inq === NONE) c.inq = [];
  c.inq.push(id);
  if (!c.inServeQueue && st.serveCur !== c) {
    c.inServeQueue = true;
    st.serveQueue.push(c);
  }
  serve(sw, peer, st);
}

/** Sends the next requested block when the uplink is free; one block in the network queue at most. */
export function serve(sw: SwarmContext, peer: PeerId, st: SwarmPeer): void {
  if (st.serving) return;
  const now = sw.port.now();
  const q = st.serveQueue;
  const B = sw.blocksPerPiece;
  for (;;) {
    let c = st.serveCur;
    if (c && (!c.open || c.amChoking || c.inq.length === 0 || (c.inq[0]! / B | 0) !== st.serveCurPiece)) {
      // done with that piece (or the connection): back of the queue if it still wants more
      if (c.open && !c.amChoking && c.inq.length > 0 && !c.inServeQueue) {
        c.inServeQueue = true;
        q.push(c);
      }
      c = st.serveCur = null;
    }
    if (!c) {
      while (q.length > 0) {
        const x = q.shift() as Conn;
        x.inServeQueue = false;
        if (x.open && !x.amChoking && x.inq.length > 0) {
          c = x;
          break;
        }
      }
      if (!c) return;
      st.serveCur = c;
      st.serveCurPiece = (c.inq[0]! / B) | 0;
    }
    if (st.upFree > now + 1e-9) {
      st.serving = true;
      sw.port.setTimer(peer, st.upFree - now, T_SERVE);
      return;
    }
    const id = c.inq.shift() as number;
    if (c.inq.length === 0) c.inq = NONE;
    const piece = (id / B) | 0;
    const block = id - piece * B;
    const bytes = sw.content.blockBytes(piece, block);
    // signed 32-bit on the wire: a small integer in V8, where a token >= 2^31 would box a double
    let tok = sw.content.goodToken(piece, block) | 0;
    if (st.corrupt) tok ^= CORRUPTION;
    sw.stats.blocksSent++;
    st.uploaded += bytes;
    c.sentWindow += bytes;
    sendPiece(sw, peer, st, c, piece, block, tok, bytes);
    onBlockSent(sw, peer, st, c, piece);
  }
}
