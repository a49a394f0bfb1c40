/**
 * A connection's scalar state lives in its owner's row arrays (struct of arrays, one row per
 * connection): a class with two dozen fields cost ~220 bytes per connection (doubles boxed), a row ~60.
 * The row also holds the remote's id and the connection id, so a message can be matched to its
 * connection, and a `have` handled, from the row alone (see wire/receive.ts). The remote's have-bitset
 * follows the integer fields in the same row: with 128 pieces a row is 64 bytes, so a `have` reads and
 * writes one cache line of it where two arrays cost a miss each (at 10^5 peers nothing is cached).
 */

export const I_SEND_SEQ = 0, I_RECV_SEQ = 1, I_REMOTE_COUNT = 2, I_WANTED = 3, I_OFFERED = 4, I_OFFERED_SENT = 5, I_FLAGS = 6, I_OUT_LEN = 7, I_OFFERED_PREV = 8,
  I_REMOTE = 9, I_CID = 10,
  /** The remote's row of the same connection (-1 until its handshake told us): where our messages
   * are addressed, as a TCP segment names its port (see `WireMsg.port`). */
  I_PEER_ROW = 11,
  /** Where the remote's have-bitset (`words` 32-bit words) starts in a row of `i32`. */
  I_BITS = 12;
export const F_RECV_WINDOW = 0, F_SENT_WINDOW = 1, F_RECV_RATE = 2, F_SENT_RATE = 3, F_RECV_TOTAL = 4, F_SINCE = 5, F_STRIDE = 6;
export const ESTABLISHED = 1, AM_CHOKING = 2, AM_INTERESTED = 4, PEER_CHOKING = 8, PEER_INTERESTED = 16, IN_SERVE_QUEUE = 32,
  /** Messages wait in the connection's reorder buffer. */
  REORDERING = 64;

/** Rows per chunk: a peer takes rows from the pool 8 at a time, so its connections' rows lie close. */
export const CHUNK = 8;

/**
 * Every connection's row, swarm-wide: integers with the remote-have bitset (`words` 32-bit words) after
 * them, doubles, and the outstanding requests (at most `outCap` = `pipeline` block ids). One set of
 * arrays for the whole swarm (per-peer arrays cost an object and a backing store each, and a cache miss
 * each to reach); a peer takes rows in chunks of `CHUNK` and gives its chunks back when it leaves. The
 * arrays double when full.
 */
export class Rows {
  /** Integers per row of `i32` (and of `bits`, a view of the same memory): the fields, then the
   * bitset, rounded up to whole 64-byte lines. */
  readonly stride: number;
  i32: Int32Array;
  /** `i32` read as unsigned: a row's have-bitset is `bits[row * stride + I_BITS + w]`. 16 bytes per
   * connection for 128 pieces, where a Uint8Array each cost ~400 (object, ArrayBuffer, backing store). */
  bits: Uint32Array;
  f64: Float64Array;
  /** Blocks requested from each remote, `outCap` slots per row, `I_OUT_LEN` of them in use. */
  out: Int32Array;
  private readonly freeChunks: number[] = [];
  private usedChunks = 0;
  /** Rows the arrays hold. */
  capacity: number;
  constructor(
    readonly words: number,
    readonly outCap: number,
    capacity: number,
  ) {
    this.capacity = Math.max(CHUNK, Math.ceil(capacity / CHUNK) * CHUNK);
    this.stride = Math.ceil((I_BITS + words) / 16) * 16;
    this.out = new Int32Array(this.capacity * outCap);
    this.i32 = new Int32Array(this.capacity * this.stride);
    this.bits = new Uint32Array(this.i32.buffer);
    this.f64 = new Float64Array(this.capacity * F_STRIDE);
  }

  /** A free chunk: rows `chunk * CHUNK` to `chunk * CHUNK + CHUNK - 1`. */
  takeChunk(): number {
    if (this.freeChunks.length > 0) return this.freeChunks.pop() as number;
    const chunk = this.usedChunks++;
    if ((chunk + 1) * CHUNK > this.capacity) this.grow();
    return chunk;
  }

  giveChunk(chunk: number): void {
    this.freeChunks.push(chunk);
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const i32 = new Int32Array(cap * this.stride), f64 = new Float64Array(cap * F_STRIDE);
    const out = new Int32Array(cap * this.outCap);
    out.set(this.out);
    i32.set(this.i32);
    f64.set(this.f64);
    this.out = out;
    this.i32 = i32;
    this.bits = new Uint32Array(i32.buffer);
    this.f64 = f64;
    this.capacity = cap;
  }

  /** Makes `row` a fresh connection's: both sides choking, not interested, nothing offered. */
  reset(row: number): void {
    const r = row * this.stride;
    this.i32.fill(0, r, r + this.stride); // the fields and the bitset
    this.i32[r + I_FLAGS] = AM_CHOKING | PEER_CHOKING;
    this.i32[r + I_OFFERED] = -1;
    this.i32[r + I_OFFERED_PREV] = -1;
    this.i32[r + I_PEER_ROW] = -1;
    this.f64.fill(0, row * F_STRIDE, row * F_STRIDE + F_STRIDE);
  }
}
