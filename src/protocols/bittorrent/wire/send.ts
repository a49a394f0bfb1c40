/**
 * One function per outgoing message, each the mirror of its handler in `receive.ts`
 * (`choke` / `onChoke`, `have` / `onHave`, ...). Those that change what we told the remote (choke,
 * interest) change our side's flags with the message, so the two never disagree.
 */
import type { PeerId } from '../../../core/index.js';
import { NONE, type Conn } from '../connections/conn.js';
import type { SwarmContext } from '../context.js';
import type { SwarmPeer } from '../swarm-peer.js';
import {
  BITFIELD, CANCEL, CHOKE, HANDSHAKE, HANDSHAKE_BYTES, HAVE, HAVE_BYTES, HEADER_BYTES, INTERESTED, NOT_INTERESTED, PIECE,
  PIECE_HEADER_BYTES, REQUEST, REQUEST_BYTES, UNCHOKE,
} from './messages.js';

export function handshake(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  // b: our row of the connection, where the remote addresses what it sends on it (`WireMsg.port`)
  sw.send(peer, st, c, HANDSHAKE, sw.cfg.infoToken, c.slot, 0, null, HANDSHAKE_BYTES);
}

export function bitfield(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  // super-seeding hides the seed's pieces; BEP 3 lets a peer with nothing skip the bitfield, but we
  // always send one (of zeros if need be) so the receiver's state machine has one shape
  const hide = sw.superSeeding(peer, st);
  // one copy of `have` per change, shared by every bitfield sent until the next piece completes
  const bits = hide || st.haveCount === 0 ? sw.zeroBits : (st.bitfield ??= sw.tables.haveBytes(st.pieceBase, sw.pieces));
  sw.send(peer, st, c, BITFIELD, 0, 0, 0, bits, HEADER_BYTES + Math.ceil(sw.pieces / 8));
}

export function have(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number): void {
  sw.send(peer, st, c, HAVE, piece, 0, 0, null, HAVE_BYTES);
}

export function interested(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.amInterested = true;
  sw.send(peer, st, c, INTERESTED, 0, 0, 0, null, HEADER_BYTES);
}

export function notInterested(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  c.amInterested = false;
  sw.send(peer, st, c, NOT_INTERESTED, 0, 0, 0, null, HEADER_BYTES);
}

export function choke(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  if (c.amChoking) return;
  c.amChoking = true;
  if (c.open) st.unchoked--;
  c.inq = NONE; // BEP 3: a choke discards the remote's queued requests
  sw.send(peer, st, c, CHOKE, 0, 0, 0, null, HEADER_BYTES);
}

export function unchoke(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn): void {
  if (!c.amChoking) return;
  c.amChoking = false;
  st.unchoked++;
  sw.send(peer, st, c, UNCHOKE, 0, 0, 0, null, HEADER_BYTES);
}

export function request(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number, block: number): void {
  sw.send(peer, st, c, REQUEST, piece, block, 0, null, REQUEST_BYTES);
}

/** A block (`bytes` long) whose content is the token `tok`. */
export function piece(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, index: number, block: number, tok: number, bytes: number): void {
  sw.send(peer, st, c, PIECE, index, block, tok, null, PIECE_HEADER_BYTES + bytes);
}

export function cancel(sw: SwarmContext, peer: PeerId, st: SwarmPeer, c: Conn, piece: number, block: number): void {
  sw.send(peer, st, c, CANCEL, piece, block, 0, null, REQUEST_BYTES);
}
