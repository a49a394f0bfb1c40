/**
 * Opening and closing connections. A dial sends the handshake and the bitfield at once (TCP's set-up
 * is folded into the first message's latency); the dialled peer answers in kind, refuses a peer of
 * another torrent or one it banned, refuses beyond `maxConnections + 5`, and of two simultaneous
 * dials keeps the lower id's. A refusal or close is seen at once by the other end (a RST is tiny). A
 * protocol violation closes that one connection on both ends and is counted; it never throws.
 */
import type { PeerId } from '../../../core/index.js';
import { fillSlots } from '../choker/choker.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import { refillAll, releaseRequests } from '../transfer/download.js';
import { bitfield, handshake } from '../wire/send.js';
import { Conn, NONE } from './conn.js';
import { I_BITS, I_CID, I_PEER_ROW } from './rows.js';

/** Connections a peer accepts beyond `maxConnections` (peers it did not dial itself). */
export const ACCEPT_SLACK = 5;

/** Dials each of `picked` not yet connected, not banned, while below `maxConnections`; returns how many. */
export function dial(sw: SwarmContext, peer: PeerId, st: SwarmPeer, picked: readonly PeerId[]): number {
  let n = 0;
  for (const q of picked) {
    if (st.conns.size >= sw.cfg.maxConnections) break;
    if (st.conns.has(q) || st.banned?.has(q) === true) continue;
    const c = new Conn(q, sw.nextCid++, st.allocRow(sw.rows), sw.rows);
    st.conns.add(c);
    handshake(sw, peer, st, c);
    bitfield(sw, peer, st, c);
    n++;
  }
  return n;
}

/** A handshake that opens a connection (`existing`: our connection to `from`, if any). */
export function accept(sw: SwarmContext, peer: PeerId, st: SwarmPeer, from: PeerId, info: number, cid: number, existing: Conn | undefined, peerRow: unknown): void {
  if (info !== sw.cfg.infoToken || st.banned?.has(from) === true) {
    refuse(sw, from, cid);
    return;
  }
  if (existing) {
    // simultaneous dials: keep the connection the lower id opened
    if (existing.established || peer < from) return; // the remote will drop its dial on our handshake
    dropConn(sw, peer, st, existing);
  } else if (st.conns.size >= sw.cfg.maxConnections + ACCEPT_SLACK) {
    refuse(sw, from, cid);
    return;
  }
  const c = new Conn(from, cid, st.allocRow(sw.rows), sw.rows);
  c.established = true;
  c.since = sw.port.now();
  c.recvSeq = 1;
  setPeerRow(sw, c, peerRow);
  st.conns.add(c);
  handshake(sw, peer, st, c);
  bitfield(sw, peer, st, c);
  sw.onConnected?.(peer, from);
}

/** Keeps the row the remote's handshake named (its `b`) for addressing our messages; anything but a
 * row index is ignored (the messages then carry none, and the remote finds the connection by our id). */
export function setPeerRow(sw: SwarmContext, c: Conn, row: unknown): void {
  if (typeof row === 'number' && (row | 0) === row && row >= 0 && c.slot >= 0) sw.rows.i32[c.slot * sw.rows.stride + I_PEER_ROW] = row;
}

/** TCP refusal: the dialer's half-open connection closes. */
export function refuse(sw: SwarmContext, dialer: PeerId, cid: number): void {
  const st = sw.peers[dialer];
  if (!st || sw.port.world.alive[dialer] !== 1) return;
  const c = [...st.conns.values()].find((x) => x.cid === cid);
  if (c) dropConn(sw, dialer, st, c);
}

/** A protocol violation by `c`'s remote: counted, and the connection closed. */
export function violate(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, reason: string): void {
  sw.stats.violations++;
  sw.stats.violationReasons[reason] = (sw.stats.violationReasons[reason] ?? 0) + 1;
  if (sw.port.observed) sw.port.emit('violation', peer, { from: c.remote, reason });
  close(sw, peer, c);
}

/** Closes a connection on both ends (the remote sees the TCP close). */
export function close(sw: SwarmContext, peer: PeerId, c: Conn): void {
  const st = sw.peers[peer];
  if (st && c.open) dropConn(sw, peer, st, c);
  const rs = sw.peers[c.remote];
  const rc = rs?.conns.get(peer);
  if (rs && rc && rc.cid === c.cid) dropConn(sw, c.remote, rs, rc);
}

/** Forget one side of a connection: undo its availability and outstanding requests. */
export function dropConn(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  const live = c.open;
  st.conns.delete(c.remote);
  const wasUnchoked = !c.amChoking;
  if (live && wasUnchoked) st.unchoked--;
  releaseRequests(sw, st, c);
  freeRow(sw, st, c); // from here on `c` has no row: only its identity and queues remain
  c.inq = NONE;
  if (st.optimistic === c) st.optimistic = null;
  if (wasUnchoked) fillSlots(sw, peer, st);
  // lost a request source: others may take over
  if (!st.seed && st.conns.size > 0) refillAll(sw, peer, st);
}

/** Releases a dropped connection's row, taking its pieces out of the availability counts. */
function freeRow(sw: SwarmContext, st: SwarmPeer, c: Conn): void {
  if (c.slot < 0) return;
  const words = sw.words, bits = sw.rows.bits, ha = sw.tables.ha, base = c.slot * sw.rows.stride + I_BITS, pb = st.pieceBase;
  for (let w = 0; w < words; w++) {
    let x = bits[base + w]!;
    while (x !== 0) {
      const low = x & -x;
      const p = w * 32 + 31 - Math.clz32(low);
      ha[2 * (pb + p)] = ha[2 * (pb + p)]! - 1;
      x ^= low;
    }
  }
  // a message still addressed to this row must not match it once the row serves another connection
  sw.rows.i32[c.slot * sw.rows.stride + I_CID] = 0;
  st.freeRow(c.slot);
  c.slot = -1;
}
