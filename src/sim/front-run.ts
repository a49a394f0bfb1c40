/**
 * The event queue's front run (the current tick's events as parallel arrays of time, seq and slot,
 * read from a cursor): the two rare operations on its storage, kept apart from the queue's hot paths.
 */

/** The run's three arrays. */
export interface RunArrays {
  time: Float64Array<ArrayBuffer>;
  seq: Float64Array<ArrayBuffer>;
  slot: Int32Array<ArrayBuffer>;
}

/** Sorts the run's first `n` entries (a long tick that came out of order) by (time, seq), in place. */
export function sortRun(r: RunArrays, n: number): void {
  const rTime = r.time, rSeq = r.seq, rSlot = r.slot;
  const order = Array.from(rSlot.subarray(0, n).keys());
  order.sort((a, b) => rTime[a]! - rTime[b]! || rSeq[a]! - rSeq[b]!);
  const t = Float64Array.from(order, (i) => rTime[i]!);
  const q = Float64Array.from(order, (i) => rSeq[i]!);
  const s = Int32Array.from(order, (i) => rSlot[i]!);
  rTime.set(t);
  rSeq.set(q);
  rSlot.set(s);
}

/**
 * Makes room at the run's end: the entries [ri, rn) at the start of arrays of the same length, or
 * twice as long when they would be more than half full.
 */
export function grownRun(r: RunArrays, ri: number, rn: number): RunArrays {
  const n = rn - ri;
  const cap = n * 2 < r.slot.length ? r.slot.length : r.slot.length * 2;
  const time = new Float64Array(cap), seq = new Float64Array(cap), slot = new Int32Array(cap);
  time.set(r.time.subarray(ri, rn));
  seq.set(r.seq.subarray(ri, rn));
  slot.set(r.slot.subarray(ri, rn));
  return { time, seq, slot };
}
