/**
 * A connection's scalar state lives in its owner's row arrays (struct of arrays, one row per
 * connection): a class with two dozen fields cost ~220 bytes per connection (doubles boxed), a row ~60.
 * The row also holds the remote's id and the connection id, so a message can be matched to its
 * connection, and a `have` handled, from the row alone (see wire/receive.ts).
 */

export const I_SEND_SEQ = 0, I_RECV_SEQ = 1, I_REMOTE_COUNT = 2, I_WANTED = 3, I_OFFERED = 4, I_OFFERED_SENT = 5, I_FLAGS = 6, I_OUT_LEN = 7, I_OFFERED_PREV = 8,
  I_REMOTE = 9, I_CID = 10, I_STRIDE = 11;
export const F_RECV_WINDOW = 0, F_SENT_WINDOW = 1, F_RECV_RATE = 2, F_SENT_RATE = 3, F_RECV_TOTAL = 4, F_SINCE = 5, F_STRIDE = 6;
export const ESTABLISHED = 1, AM_CHOKING = 2, AM_INTERESTED = 4, PEER_CHOKING = 8, PEER_INTERESTED = 16, IN_SERVE_QUEUE = 32,
  /** Messages wait in the connection's reorder buffer. */
  REORDERING = 64;

/** Rows per chunk: a peer takes rows from the pool 8 at a time, so its connections' rows lie close. */
export const CHUNK = 8;

/**
 * Every connection's row, swarm-wide: integers, doubles, the remote-have bitset (`words` 32-bit
 * words) and the outstanding requests (at most `outCap` = `pipeline` block ids). One set of arrays for
 * the whole swarm (per-peer arrays cost an object and a backing store each, and a cache miss each to
 * reach); a peer takes rows in chunks of `CHUNK` and gives its chunks back when it leaves. The arrays
 * double when full.
 */
export class Rows {
  i32: Int32Array;
  f64: Float64Array;
  /** Blocks requested from each remote, `outCap` slots per row, `I_OUT_LEN` of them in use. */
  out: Int32Array;
  /** The remotes' have-bitsets: 16 bytes per connection for 128 pieces, where a Uint8Array each
   * cost ~400 (object, ArrayBuffer, backing store). */
  bits: Uint32Array;
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
    this.out = new Int32Array(this.capacity * outCap);
    this.i32 = new Int32Array(this.capacity * I_STRIDE);
    this.f64 = new Float64Array(this.capacity * F_STRIDE);
    this.bits = new Uint32Array(this.capacity * words);
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
    const i32 = new Int32Array(cap * I_STRIDE), f64 = new Float64Array(cap * F_STRIDE), bits = new Uint32Array(cap * this.words);
    const out = new Int32Array(cap * this.outCap);
    out.set(this.out);
    i32.set(this.i32);
    f64.set(this.f64);
    bits.set(this.bits);
    this.out = out;
    this.i32 = i32;
    this.f64 = f64;
    this.bits = bits;
    this.capacity = cap;
  }

  /** Makes `row` a fresh connection's: both sides choking, not interested, nothing offered. */
  reset(row: number): void {
    this.i32.fill(0, row * I_STRIDE, row * I_STRIDE + I_STRIDE);
    this.i32[row * I_STRIDE + I_FLAGS] = AM_CHOKING | PEER_CHOKING;
    this.i32[row * I_STRIDE + I_OFFERED] = -1;
    this.i32[row * I_STRIDE + I_OFFERED_PREV] = -1;
    this.f64.fill(0, row * F_STRIDE, row * F_STRIDE + F_STRIDE);
    this.bits.fill(0, row * this.words, row * this.words + this.words);
  }
}
