/**
 * Incoming messages. `receive` restores each connection's order (per-connection sequence numbers and
 * a small reorder buffer undo the network model's per-message jitter, as TCP would) and hands every
 * message to its handler, one per type, each the mirror of its sender in `send.ts`. Peers are
 * untrusted: every handler checks its fields (type, ranges, a bitfield only first and of the right
 * length, requests only for pieces we have, at most 256 queued), and a violation closes that one
 * connection on both ends.
 */
import type { PeerId } from '../../../core/index.js';
import { fillSlots, maybeUnchokeNow } from '../choker/choker.js';
import { NONE, type Conn } from '../connections/conn.js';
import {
  AM_INTERESTED, ESTABLISHED, I_BITS, I_CID, I_FLAGS, I_RECV_SEQ, I_REMOTE_COUNT, I_WANTED, PEER_CHOKING, REORDERING,
} from '../connections/rows.js';
import { accept, setPeerRow, violate } from '../connections/lifecycle.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { offerNext, onHaveWhileSuperSeeding } from '../super-seed/super-seed.js';
import { fill, refillAll, releaseRequests, remoteGained, updateInterest } from '../transfer/download.js';
import { enqueueRequest } from '../transfer/upload.js';
import { receiveBlock } from '../transfer/verify.js';
import {
  BITFIELD, CANCEL, CHOKE, HANDSHAKE, HAVE, INTERESTED, MAX_QUEUED_REQUESTS, MAX_REORDER, NOT_INTERESTED, PIECE, REQUEST, UNCHOKE,
  type WireMsg,
} from './messages.js';
import { choke } from './send.js';

/** A message from `from` arrives at `peer`; once handled (and not held for reordering) it is recycled. */
export function receive(sw: SwarmContext, peer: PeerId, from: PeerId, msg: WireMsg): void {
  if (msg === null || typeof msg !== 'object') return; // not even a frame
  if (!(msg.type === HAVE && quietHave(sw, peer, from, msg)) && deliver(sw, peer, from, msg)) return;
  sw.recycle(msg);
}

/** The general path; true if `msg` is kept in the reorder buffer. */
function deliver(sw: SwarmContext, peer: PeerId, from: PeerId, msg: WireMsg): boolean {
  const st = sw.peers[peer];
  if (!st) return false;
  // the swarm's index directly: `st.conns.get` is the same lookup behind one more object to load
  const c = sw.connIndex.getFor(peer, from, msg.cid, msg.port);
  if (typeof msg.type !== 'number') return false;
  if (msg.type === HANDSHAKE && msg.seq === 0) {
    onHandshake(sw, peer, st, from, c, msg);
    return false;
  }
  if (!c || c.cid !== msg.cid) return false; // a closed or replaced connection's leftovers
  if (msg.seq !== c.recvSeq) {
    if (!(msg.seq > c.recvSeq)) {
      violate(sw, peer, st, c, 'bad sequence');
      return false;
    }
    if (!c.reorder) c.reorder = new Map();
    if (c.reorder.size >= MAX_REORDER) {
      violate(sw, peer, st, c, 'reorder overflow');
      return false;
    }
    c.reorder.set(msg.seq, msg);
    return true;
  }
  c.recvSeq++;
  dispatch(sw, peer, st, c, msg);
  drainReorder(sw, peer, st, c);
  return false;
}

/**
 * Most `have`s change only what the receiver knows: the remote chokes it (so it requests nothing) and
 * its interest stays as it was. Those are handled here from the connection's row alone, without the
 * connection's object, exactly as `onHave` would (same state after, nothing sent); this is half of a
 * swarm's messages. Anything else (a reaction, out of order, a violation, super-seeding) returns false
 * with nothing changed, for the general path.
 */
function quietHave(sw: SwarmContext, peer: PeerId, from: PeerId, m: WireMsg): boolean {
  const row = sw.connIndex.rowFor(peer, from, m.cid, m.port);
  if (row < 0) return false;
  const i32 = sw.rows.i32, r = row * sw.rows.stride, p = m.a;
  if (i32[r + I_CID] !== m.cid || i32[r + I_RECV_SEQ] !== m.seq) return false;
  const flags = i32[r + I_FLAGS]!;
  if ((flags & (ESTABLISHED | REORDERING)) !== ESTABLISHED || !(Number.isInteger(p) && p >= 0 && p < sw.pieces)) return false;
  // the peer's own object is not read here (a cache miss of its own at 10^5 peers): only an initial
  // seed may be super-seeding, and a peer that joined as a seed has every piece, so its `wanted` is 0
  if (sw.isSeedAtStart(peer) && sw.superSeeding(peer, sw.peers[peer]!)) return false;
  const bits = sw.rows.bits, w = r + I_BITS + (p >>> 5), bit = 1 << (p & 31);
  if ((bits[w]! & bit) !== 0) {
    i32[r + I_RECV_SEQ] = m.seq + 1; // a harmless repeat
    return true;
  }
  const t = sw.tables, i = peer * sw.pieces + p;
  const wanted = i32[r + I_WANTED]! + (t.ha[2 * i + 1] !== 1 ? 1 : 0);
  const want = wanted > 0, interested = (flags & AM_INTERESTED) !== 0;
  // updateInterest would send (interest changed) or fill would request (not choked): the general path
  if (want !== interested || (interested && (flags & PEER_CHOKING) === 0)) return false;
  i32[r + I_RECV_SEQ] = m.seq + 1;
  bits[w] = bits[w]! | bit;
  i32[r + I_REMOTE_COUNT] = i32[r + I_REMOTE_COUNT]! + 1;
  i32[r + I_WANTED] = wanted;
  t.ha[2 * i] = t.ha[2 * i]! + 1;
  return true;
}

/** Delivers the messages that waited for the one just handled. */
function drainReorder(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  const r = c.reorder;
  if (!r) return;
  while (r.size > 0 && c.open) {
    const m = r.get(c.recvSeq);
    if (!m) break;
    r.delete(c.recvSeq);
    c.recvSeq++;
    dispatch(sw, peer, st, c, m);
    sw.recycle(m);
  }
  if (r.size === 0 && c.reorder === r) c.reorder = null;
}

/** One message, in order, on an established connection: to its handler. */
function dispatch(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  if (!c.established) return violate(sw, peer, st, c, 'message before handshake');
  switch (m.type) {
    case BITFIELD: return onBitfield(sw, peer, st, c, m);
    case HAVE: return onHave(sw, peer, st, c, m);
    case INTERESTED: return onInterested(sw, peer, st, c);
    case NOT_INTERESTED: return onNotInterested(sw, peer, st, c);
    case CHOKE: return onChoke(sw, peer, st, c);
    case UNCHOKE: return onUnchoke(sw, peer, st, c);
    case REQUEST: return onRequest(sw, peer, st, c, m);
    case CANCEL: return onCancel(sw, peer, st, c, m);
    case PIECE: return onPiece(sw, peer, st, c, m);
    case HANDSHAKE: return violate(sw, peer, st, c, 'second handshake');
    default: return violate(sw, peer, st, c, 'unknown message type');
  }
}

function isPiece(sw: SwarmContext, a: number): boolean {
  return Number.isInteger(a) && a >= 0 && a < sw.pieces;
}

/** The reply to our own dial establishes the connection; any other handshake opens one. */
function onHandshake(sw: SwarmContext, peer: PeerId, st: SwarmPeer, from: PeerId, c: Conn | undefined, m: WireMsg): void {
  if (!c || c.cid !== m.cid) return accept(sw, peer, st, from, m.a, m.cid, c, m.b);
  if (c.established) return violate(sw, peer, st, c, 'second handshake');
  if (m.a !== sw.cfg.infoToken) return violate(sw, peer, st, c, 'wrong info-hash');
  setPeerRow(sw, c, m.b);
  c.established = true;
  c.since = sw.port.now();
  c.recvSeq = 1;
  sw.onConnected?.(peer, from);
  drainReorder(sw, peer, st, c);
}

function onBitfield(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  const P = sw.pieces;
  if (m.seq !== 1) return violate(sw, peer, st, c, 'late bitfield');
  const bits = m.bits;
  if (!(bits instanceof Uint8Array) || bits.length !== P) return violate(sw, peer, st, c, 'bitfield length');
  for (let p = 0; p < P; p++) {
    const v = bits[p]!;
    if (v > 1) return violate(sw, peer, st, c, 'bitfield value');
  }
  for (let p = 0; p < P; p++) if (bits[p] === 1) remoteGained(sw, st, c, p);
  updateInterest(sw, peer, st, c);
  if (sw.superSeeding(peer, st)) offerNext(sw, peer, st, c);
}

function onHave(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  if (!isPiece(sw, m.a)) return violate(sw, peer, st, c, 'have out of range');
  if (sw.remoteHas(st, c, m.a)) return; // harmless repeat
  remoteGained(sw, st, c, m.a);
  if (sw.superSeeding(peer, st)) onHaveWhileSuperSeeding(sw, peer, st, c, m.a);
  updateInterest(sw, peer, st, c);
  if (c.amInterested && !c.peerChoking) fill(sw, peer, st, c);
}

function onInterested(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.peerInterested = true;
  maybeUnchokeNow(sw, peer, st, c);
}

function onNotInterested(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.peerInterested = false;
  // an unchoke slot held by a peer that wants nothing is wasted upload: free it now rather than at
  // the next rechoke (which, for a download of seconds, may never come)
  if (!c.amChoking) {
    choke(sw, peer, st, c);
    fillSlots(sw, peer, st);
  }
}

function onChoke(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.peerChoking = true;
  if (!st.seed && c.outLength > 0) {
    releaseRequests(sw, st, c);
    refillAll(sw, peer, st);
  }
}

function onUnchoke(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.peerChoking = false;
  if (!st.seed) fill(sw, peer, st, c);
}

function onRequest(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  const validPiece = isPiece(sw, m.a);
  const n = validPiece ? sw.content.blocksIn(m.a) : 0;
  if (!validPiece || !Number.isInteger(m.b) || m.b < 0 || m.b >= n) return violate(sw, peer, st, c, 'request out of range');
  if (sw.tables.ha[2 * (st.pieceBase + m.a) + 1] !== 1) return violate(sw, peer, st, c, 'request for a piece we do not have');
  if (c.amChoking) return; // a request that crossed our choke: dropped, as BEP 3 says
  if (c.inq.length >= MAX_QUEUED_REQUESTS) return violate(sw, peer, st, c, 'too many requests');
  enqueueRequest(sw, peer, st, c, m.a * sw.blocksPerPiece + m.b);
}

function onCancel(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  if (!isPiece(sw, m.a) || !Number.isInteger(m.b) || m.b < 0 || m.b >= sw.blocksPerPiece) return violate(sw, peer, st, c, 'cancel out of range');
  const id = m.a * sw.blocksPerPiece + m.b;
  const i = c.inq.indexOf(id);
  if (i >= 0) c.inq.splice(i, 1);
  if (c.inq.length === 0) c.inq = NONE;
}

function onPiece(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, m: WireMsg): void {
  if (!isPiece(sw, m.a) || !Number.isInteger(m.b) || m.b < 0 || m.b >= sw.content.blocksIn(m.a) || typeof m.tok !== 'number')
    return violate(sw, peer, st, c, 'piece out of range');
  receiveBlock(sw, peer, st, c, m.a, m.b, m.tok);
}
