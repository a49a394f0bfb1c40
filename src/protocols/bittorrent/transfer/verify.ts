/**
 * A block arrives: it is counted, its token goes into the piece's digest, its other copies are
 * cancelled (endgame), and when the piece is complete its digest is checked against the one the
 * torrent promised. A good piece is announced (`have`) to the neighbours that lack it; a failed one
 * is dropped, its senders get strikes (bans.ts), and it is fetched again from a single peer. The last
 * piece makes the peer a seed.
 */
import type { PeerId } from '../../../core/index.js';
import { strike } from '../bans.js';
import { rechoke } from '../choker/choker.js';
import type { Conn } from '../connections/conn.js';
import { close } from '../connections/lifecycle.js';
import type { SwarmContext } from '../context.js';
import { RECEIVED, type SwarmPeer } from '../swarm-peer.js';
import { cancelElsewhere } from '../picker/endgame.js';
import { notePieceOutside } from '../super-seed/super-seed.js';
import { have } from '../wire/send.js';
import { fill, refillAll, releaseRequests, updateInterest } from './download.js';

/** Block `block` of `piece` with content `tok` from `c` (the handler checked its range). */
export function receiveBlock(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number, block: number, tok: number): void {
  const id = piece * sw.blocksPerPiece + block;
  const bytes = sw.content.blockBytes(piece, block);
  const i = c.outIndexOf(id);
  if (i < 0) {
    // not outstanding: a block we cancelled (endgame) or a request the choke released; only a block
    // we never asked this peer for at all would be a violation, and we do not keep that history
    sw.stats.duplicateBytes += bytes;
    return;
  }
  c.outRemoveAt(i);
  c.recvWindow += bytes;
  c.recvTotal += bytes;
  st.downloaded += bytes;
  const t = sw.tables, blk = t.blk, bi = st.blockBase + id, pi = st.pieceBase + piece;
  if (st.seed || blk[bi] === RECEIVED || t.ha[2 * pi + 1] === 1) {
    sw.stats.duplicateBytes += bytes;
  } else {
    // requests of this block still out elsewhere (endgame): each request counts once in blk
    const copies = blk[bi]! - 1;
    blk[bi] = RECEIVED;
    t.acc[pi] = (t.acc[pi]! ^ sw.content.blockDigest(tok, id)) >>> 0;
    const got = t.got[pi]! + 1;
    t.got[pi] = got;
    if (got === 1) t.refresh(peer, piece);
    st.addSender(t, piece, c.remote);
    if (copies > 0 && sw.cfg.endgame) cancelElsewhere(sw, peer, st, c, piece, block, id, copies);
    if (got === sw.content.blocksIn(piece)) pieceDone(sw, peer, st, piece);
  }
  if (c.open && !st.seed) fill(sw, peer, st, c);
}

function pieceDone(sw: SwarmContext, peer: PeerId, st: SwarmPeer, piece: number): void {
  const t = sw.tables, pi = st.pieceBase + piece;
  const base = st.blockBase + piece * sw.blocksPerPiece;
  const ok = t.acc[pi] === sw.content.pieceDigest[piece];
  t.acc[pi] = 0;
  const who = st.senders(t, piece);
  st.forgetSenders(t, piece);
  st.stopPiece(t, piece);
  const n = sw.content.blocksIn(piece);
  if (!ok) {
    sw.stats.hashFails++;
    sw.stats.corruptBytes += sw.content.pieceBytes(piece);
    t.blk.fill(0, base, base + n);
    t.got[pi] = 0;
    t.refresh(peer, piece);
    const senders = who ? [...who] : [];
    strike(sw, peer, st, senders);
    // fetch it again from one peer, so a second failure names the culprit
    st.singleSource?.delete(piece);
    (st.failed ??= new Set()).add(piece);
    if (sw.port.observed) sw.port.emit('hashFail', peer, { piece, senders });
    refillAll(sw, peer, st);
    return;
  }
  st.singleSource?.delete(piece);
  t.ha[2 * pi + 1] = 1;
  t.refresh(peer, piece);
  st.haveCount++;
  st.bitfield = null;
  sw.stats.piecesCompleted++;
  notePieceOutside(sw, piece);
  sw.onPiece?.(peer, piece);
  for (const c of st.conns.values()) {
    if (sw.remoteHas(st, c, piece)) {
      // no HAVE to a peer that has the piece (libtorrent's default, "redundant haves" off): it
      // changes nothing there and is most of the message count late in a swarm
      c.wanted--;
      if (c.wanted === 0) updateInterest(sw, peer, st, c);
    } else if (c.established) have(sw, peer, st, c, piece);
  }
  if (st.haveCount === sw.pieces) becomeSeed(sw, peer, st);
}

function becomeSeed(sw: SwarmContext, peer: PeerId, st: SwarmPeer): void {
  st.doneAt = sw.port.now();
  sw.leechersDone++;
  sw.completionTimes.push(st.doneAt - st.joinedAt);
  if (sw.port.observed) sw.port.emit('done', peer, { ms: st.doneAt - st.joinedAt });
  sw.onDone?.(peer);
  for (const c of [...st.conns.values()]) {
    if (!c.open) continue;
    releaseRequests(sw, st, c);
    // two seeds have nothing to say to each other
    if (c.remoteCount === sw.pieces) close(sw, peer, c);
  }
  if (!sw.cfg.stayAfterDone) sw.port.world.leave(peer, true);
  // a new seed re-picks its unchokes at once by the seed rule (the peers furthest behind)
  else rechoke(sw, peer, st, false);
}
