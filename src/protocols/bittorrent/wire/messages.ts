/**
 * BEP 3's peer wire messages as the simulation carries them: one small object per message with the
 * fields its type uses, sized on the network as the real message is (a 4-byte length, a 1-byte id,
 * the payload).
 */

export const HANDSHAKE = 0, BITFIELD = 1, HAVE = 2, INTERESTED = 3, NOT_INTERESTED = 4, CHOKE = 5, UNCHOKE = 6,
  REQUEST = 7, PIECE = 8, CANCEL = 9;

export interface WireMsg {
  type: number;
  /** Connection id (a TCP connection's identity). */
  cid: number;
  /** Per-connection sequence number (TCP ordering). */
  seq: number;
  /** piece index (have, request, piece, cancel); info token (handshake) */
  a: number;
  /** block index (request, piece, cancel) */
  b: number;
  /** block content token (piece) */
  tok: number;
  /** bitfield (one byte per piece, 0/1) */
  bits: Uint8Array | null;
  /**
   * Where the message is addressed at the receiver: its row of the connection (the handshake carries
   * the sender's own in `b`), like the port that picks a TCP segment's socket; -1 or absent when not
   * yet known. Only a hint: the receiver uses it when that row holds this connection (`cid`, sender),
   * and else finds the connection by the sender's id. It saves the lookup's cache miss.
   */
  port?: number;
}

/**
 * The messages the swarm sends. Delivered messages are reused for later sends (`SwarmContext.recycle`):
 * a message object lives for a network delay, tens of thousands of events at 10^4 peers, long enough
 * to outlive V8's young generation, so fresh objects would fill the old generation with garbage.
 */
export class Msg implements WireMsg {
  constructor(
    public type: number,
    public cid: number,
    public seq: number,
    public a: number,
    public b: number,
    public tok: number,
    public bits: Uint8Array | null,
    public port: number,
  ) {}
}

/** Wire sizes in bytes. The header of every message after the handshake: 4-byte length + 1-byte id. */
export const HEADER_BYTES = 5;
/** pstrlen, "BitTorrent protocol", 8 reserved bytes, info-hash, peer id. */
export const HANDSHAKE_BYTES = 68;
/** header + piece index */
export const HAVE_BYTES = 9;
/** header + index, begin, length (request and cancel) */
export const REQUEST_BYTES = 17;
/** header + index, begin; the block follows */
export const PIECE_HEADER_BYTES = 13;

/** Messages a connection may hold ahead of a gap in its sequence before that is a violation. */
export const MAX_REORDER = 4096;
/** Requests a peer may have queued at us before that is a violation. */
export const MAX_QUEUED_REQUESTS = 256;
