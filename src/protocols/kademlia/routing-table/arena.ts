/**
 * Memory for routing tables: big Int32Array chunks (with a Float64Array view of the same bytes for
 * times) handed out in regions, so a million tables are a few hundred chunks instead of millions of
 * small arrays and objects: nothing per table for the garbage collector to trace, and no per-array
 * header. One arena serves all the tables of a run; a table made without one gets its own small one.
 *
 * A region is named by an address, chunk * CHUNK_STRIDE + offset (in 32-bit words, offset even so
 * Float64 fields line up). A freed region is kept on a free list by size and reused for the next
 * request of exactly that size (tables of one run ask for few distinct sizes).
 */

const CHUNK_STRIDE = 2 ** 30;

export class TableArena {
  readonly i32: Int32Array[] = [];
  readonly f64: Float64Array[] = [];
  private top = 0;
  private readonly free = new Map<number, number[]>();
  /** Words handed out and not freed. */
  used = 0;

  /** `chunkWords`: size of each chunk in 32-bit words (a region larger than that gets a chunk of its own). */
  constructor(private readonly chunkWords = 1 << 22) {}

  /** A zeroed region of `words` 32-bit words (rounded up to even). Returns its address. */
  alloc(words: number): number {
    words = (words + 1) & ~1;
    this.used += words;
    const list = this.free.get(words);
    if (list !== undefined && list.length > 0) {
      const addr = list.pop() as number;
      const c = Math.floor(addr / CHUNK_STRIDE);
      const off = addr - c * CHUNK_STRIDE;
      this.i32[c]!.fill(0, off, off + words);
      return addr;
    }
    let c = this.i32.length - 1;
    if (c < 0 || this.top + words > this.i32[c]!.length) {
      const buf = new ArrayBuffer(4 * Math.max(this.chunkWords, words));
      this.i32.push(new Int32Array(buf));
      this.f64.push(new Float64Array(buf));
      c++;
      this.top = 0;
    }
    const off = this.top;
    this.top += words;
    return c * CHUNK_STRIDE + off;
  }

  /** Gives a region back (its size as passed to alloc). */
  release(addr: number, words: number): void {
    words = (words + 1) & ~1;
    this.used -= words;
    let list = this.free.get(words);
    if (list === undefined) this.free.set(words, (list = []));
    list.push(addr);
  }

  /** Bytes reserved from the system (all chunks). */
  get bytes(): number {
    let n = 0;
    for (const a of this.i32) n += a.byteLength;
    return n;
  }

  static chunkOf(addr: number): number {
    return Math.floor(addr / CHUNK_STRIDE);
  }

  static offsetOf(addr: number): number {
    return addr - Math.floor(addr / CHUNK_STRIDE) * CHUNK_STRIDE;
  }
}
