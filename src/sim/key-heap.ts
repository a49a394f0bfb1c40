/**
 * Building blocks of the event queue (queue.ts): a binary min-heap on (time, seq) keys kept in typed
 * arrays, and a bitmap scan.
 */

/** A binary min-heap of (time, seq, slot) in typed arrays. */
export class KeyHeap {
  time: Float64Array;
  seq: Float64Array;
  slot: Int32Array;
  n = 0;

  constructor(cap: number) {
    this.time = new Float64Array(cap);
    this.seq = new Float64Array(cap);
    this.slot = new Int32Array(cap);
  }

  push(t: number, q: number, s: number): void {
    if (this.n === this.time.length) this.grow();
    const hTime = this.time, hSeq = this.seq, hSlot = this.slot;
    let pos = this.n++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = hTime[parent]!;
      if (pt < t || (pt === t && hSeq[parent]! < q)) break;
      hTime[pos] = pt;
      hSeq[pos] = hSeq[parent]!;
      hSlot[pos] = hSlot[parent]!;
      pos = parent;
    }
    hTime[pos] = t;
    hSeq[pos] = q;
    hSlot[pos] = s;
  }

  /** Removes the top entry (n > 0). */
  pop(): void {
    const last = --this.n;
    if (last === 0) return;
    const hTime = this.time, hSeq = this.seq, hSlot = this.slot;
    const t = hTime[last]!;
    const q = hSeq[last]!;
    const s = hSlot[last]!;
    const n = last;
    const half = n >> 1;
    let pos = 0;
    while (pos < half) {
      let child = 2 * pos + 1;
      let ct = hTime[child]!;
      let cq = hSeq[child]!;
      const right = child + 1;
      if (right < n) {
        const rt = hTime[right]!;
        if (rt < ct || (rt === ct && hSeq[right]! < cq)) {
          child = right;
          ct = rt;
          cq = hSeq[right]!;
        }
      }
      if (t < ct || (t === ct && q < cq)) break;
      hTime[pos] = ct;
      hSeq[pos] = cq;
      hSlot[pos] = hSlot[child]!;
      pos = child;
    }
    hTime[pos] = t;
    hSeq[pos] = q;
    hSlot[pos] = s;
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const t = new Float64Array(cap);
    t.set(this.time);
    this.time = t;
    const q = new Float64Array(cap);
    q.set(this.seq);
    this.seq = q;
    const s = new Int32Array(cap);
    s.set(this.slot);
    this.slot = s;
  }
}

/** Index of the first set bit at or after `from` in [from, end), or -1. */
export function nextSetBit(bits: Uint32Array, from: number, end: number): number {
  if (from >= end) return -1;
  let w = from >> 5;
  let x = bits[w]! & (~0 << (from & 31));
  const lastWord = (end - 1) >> 5;
  for (;;) {
    if (x !== 0) {
      const i = (w << 5) + 31 - Math.clz32(x & -x);
      return i < end ? i : -1;
    }
    if (++w > lastWord) return -1;
    x = bits[w]!;
  }
}
