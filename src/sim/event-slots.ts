/**
 * The event queue's storage (queue.ts extends it): one slot per pending event, its fields in parallel
 * typed arrays of one element type each (packing a slot's fields into one record was slower in V8, see
 * docs/engine.md), a free list, and the generation that makes a handle stale once its event ran or was
 * cancelled. No object is allocated per event.
 */

/** Written as literals by esbuild within this file (a module-level `const` is a context-slot load). */
const enum S {
  /** Up to 67M pending events; the generation uses the bits above. */
  BITS = 67108864,
  GEN_MASK = 0x7ffffff,
}

export class EventSlots {
  /** Handler index (| a has-object flag) and target, side by side: read together when the event runs. */
  protected kt: Int32Array;
  protected arg: Float64Array;
  /** Object payloads; only events that have one touch this array. */
  protected obj: unknown[];
  /** (time, seq) of each slot, interleaved: one cache line serves both. */
  protected key: Float64Array;
  /** Next and previous slot in the same tick/block list, -1 at the ends. */
  protected next: Int32Array;
  protected prev: Int32Array;
  protected gen: Int32Array;
  private freeSlots: Int32Array;
  private freeTop = 0;
  private slotCap: number;
  private nextFresh = 0;
  /** Events scheduled and not yet run or cancelled. */
  protected liveCount = 0;

  constructor(initialCapacity: number) {
    const cap = Math.max(16, initialCapacity);
    this.slotCap = cap;
    this.kt = new Int32Array(2 * cap);
    this.arg = new Float64Array(cap);
    this.obj = new Array<unknown>(cap).fill(undefined);
    this.key = new Float64Array(2 * cap);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.gen = new Int32Array(cap);
    this.freeSlots = new Int32Array(cap);
  }

  /** The handle of the event in `slot` now: (generation, slot). */
  protected handleOf(slot: number): number {
    return this.gen[slot]! * S.BITS + slot;
  }

  /** The slot a handle names if its event is still pending, else -1. */
  protected liveSlot(handle: number): number {
    if (!(handle >= 0)) return -1;
    const g = Math.floor(handle / S.BITS);
    const slot = handle - g * S.BITS; // not %, which V8 computes with x87 fprem on doubles
    // the generation moves on when an event runs or is cancelled, so a matching handle is live
    return slot < this.slotCap && this.gen[slot] === g ? slot : -1;
  }

  /** Makes every handle of the slot's event stale (it ran or was cancelled). */
  protected retire(slot: number): void {
    this.gen[slot] = (this.gen[slot]! + 1) & S.GEN_MASK;
  }

  protected allocSlot(): number {
    if (this.freeTop > 0) return this.freeSlots[--this.freeTop]!;
    if (this.nextFresh === this.slotCap) this.growSlots();
    return this.nextFresh++;
  }

  protected freeSlot(slot: number): void {
    this.freeSlots[this.freeTop++] = slot;
  }

  /** Retires and frees every slot. */
  protected clearSlots(): void {
    for (let s = 0; s < this.nextFresh; s++) {
      this.retire(s);
      this.obj[s] = undefined;
    }
    this.freeTop = 0;
    this.nextFresh = 0;
    this.liveCount = 0;
  }

  private growSlots(): void {
    const cap = this.slotCap * 2;
    if (cap > S.BITS) throw new RangeError(`EventQueue: more than ${S.BITS} pending events`);
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T, n = cap): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.kt = grow(this.kt, (n) => new Int32Array(n), 2 * cap);
    this.arg = grow(this.arg, (n) => new Float64Array(n));
    this.key = grow(this.key, (n) => new Float64Array(n), 2 * cap);
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.prev = grow(this.prev, (n) => new Int32Array(n));
    this.gen = grow(this.gen, (n) => new Int32Array(n));
    this.freeSlots = grow(this.freeSlots, (n) => new Int32Array(n));
    this.obj.length = cap;
    this.slotCap = cap;
  }
}
