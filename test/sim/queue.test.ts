/**
 * The event queue against an independent reference (a plain binary heap of objects on (time, seq)),
 * through everything the timing wheel does behind the scenes: tick-width rebuilds, level-1 cascades,
 * far-future events, equal-time bursts, zero delays, cancels in every place an event can wait, and
 * popUntil/peekTime at arbitrary limits. Seeds are fixed and printed on failure.
 */
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../src/sim/index.js';
import { Rng } from '../../src/core/index.js';

interface Ref {
  t: number;
  seq: number;
  id: number;
  handle: number;
  cancelled: boolean;
}

/** Reference priority queue: a binary heap of objects; cancelled entries are skipped when popped. */
class RefQueue {
  private h: Ref[] = [];
  size = 0;
  private static less(a: Ref, b: Ref): boolean {
    return a.t < b.t || (a.t === b.t && a.seq < b.seq);
  }
  push(e: Ref): void {
    this.size++;
    const h = this.h;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!RefQueue.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  private dropCancelled(): void {
    while (this.h.length > 0 && this.h[0]!.cancelled) this.removeTop();
  }
  peek(): Ref | undefined {
    this.dropCancelled();
    return this.h[0];
  }
  pop(): Ref | undefined {
    this.dropCancelled();
    const top = this.h[0];
    if (top) {
      this.removeTop();
      this.size--;
    }
    return top;
  }
  private removeTop(): void {
    const h = this.h;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < h.length && RefQueue.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && RefQueue.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}

function drive(seed: number, ops: number): EventQueue {
  const rng = new Rng(seed);
  const q = new EventQueue(64);
  const ref = new RefQueue();
  const pending: Ref[] = []; // candidates for cancel (may include ones already run or cancelled)
  let seq = 0;
  let now = 0;
  let burstT = -1;
  const fail = (op: number, what: string): never => {
    throw new Error(`seed ${seed} op ${op}: ${what}`);
  };
  const check = (op: number, e: Ref | undefined, popped: boolean): void => {
    if (!e) {
      if (popped) fail(op, 'popped an event the reference does not have');
      return;
    }
    if (!popped) fail(op, `pop found nothing, expected id ${e.id} at ${e.t}`);
    if (q.lastTarget !== e.id || q.lastTime !== e.t || q.lastArg !== e.seq)
      fail(op, `popped id ${q.lastTarget} at ${q.lastTime}, expected id ${e.id} at ${e.t}`);
    now = e.t;
  };
  for (let op = 0; op < ops; op++) {
    // density phases: the tick width must follow them (rebuilds)
    const phase = [1e-3, 1, 50, 1e4][Math.floor(op / 7000) % 4]!;
    const r = rng.float();
    if (r < 0.5 || ref.size < 20) {
      const m = rng.float();
      let t: number;
      if (m < 0.1) t = now; // zero delay
      else if (m < 0.15) t = burstT >= now ? burstT : (burstT = now + rng.exponential(phase)); // equal-time burst
      else if (m < 0.17) t = now + rng.float() * 1e9; // far future
      else if (m < 0.18) t = now + q.horizonMs * (0.97 + 0.06 * rng.float()); // either side of the wheel's reach
      else if (m < 0.2) t = now + rng.int(4) * phase; // ties on a grid
      else t = now + rng.exponential(phase);
      const e: Ref = { t, seq, id: op, handle: 0, cancelled: false };
      e.handle = q.push(t, 0, op, seq, undefined);
      seq++;
      ref.push(e);
      pending.push(e);
    } else if (r < 0.6 && pending.length > 0) {
      const i = rng.int(pending.length);
      const e = pending[i]!;
      pending[i] = pending[pending.length - 1]!;
      pending.pop();
      const live = !e.cancelled && e.seq >= 0; // events that ran are marked seq = -1 below
      const ok = q.cancel(e.handle);
      if (ok !== live) fail(op, `cancel returned ${ok}, expected ${live}`);
      if (q.cancel(e.handle)) fail(op, 'a second cancel succeeded');
      if (ok) {
        e.cancelled = true;
        ref.size--;
      }
    } else if (r < 0.7) {
      // popUntil at a limit that may or may not reach the next event
      const limit = now + rng.exponential(phase);
      const next = ref.peek();
      const expectPop = next !== undefined && next.t <= limit;
      const popped = q.popUntil(limit);
      if (popped !== expectPop) fail(op, `popUntil(${limit}) returned ${popped}`);
      if (popped) {
        const e = ref.pop()!;
        check(op, e, true);
        e.seq = -1; // ran: a later cancel must fail
      }
    } else if (r < 0.72) {
      const next = ref.peek();
      if (q.peekTime() !== (next ? next.t : Infinity)) fail(op, `peekTime ${q.peekTime()}, expected ${next?.t}`);
    } else {
      const e = ref.pop();
      const popped = q.pop();
      check(op, e, popped);
      if (e) e.seq = -1;
    }
    if (q.size !== ref.size) fail(op, `size ${q.size}, expected ${ref.size}`);
  }
  // drain what is left, in order
  for (let e = ref.pop(); e; e = ref.pop()) check(ops, e, q.pop());
  if (q.pop()) fail(ops, 'events left over');
  return q;
}

describe('EventQueue (timing wheel) against a reference heap', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: same order through rebuilds, cascades, far events, bursts and cancels`, () => {
      const q = drive(seed, 60_000);
      // the rare paths really ran
      expect(q.stats.rebuilds, 'tick-width rebuilds').toBeGreaterThanOrEqual(2);
      expect(q.stats.blocks, 'blocks entered').toBeGreaterThanOrEqual(10);
      expect(q.stats.far, 'far-heap events').toBeGreaterThanOrEqual(10);
      expect(q.stats.extra, 'events that landed inside the current tick').toBeGreaterThanOrEqual(10);
    });
  }

  it('a long tick scheduled out of order comes out sorted by (time, seq)', () => {
    // one 1 ms tick with 500 events at shuffled times, a third of them tied: the tick is sorted whole
    const q = new EventQueue(16);
    const rng = new Rng(7);
    const want: { t: number; id: number }[] = [];
    for (let id = 0; id < 500; id++) {
      const t = 3 + (rng.chance(1 / 3) ? 0.5 : rng.float());
      q.push(t, 0, id, 0, undefined);
      want.push({ t, id });
    }
    want.sort((a, b) => a.t - b.t || a.id - b.id);
    const got: { t: number; id: number }[] = [];
    while (q.pop()) got.push({ t: q.lastTime, id: q.lastTarget });
    expect(got).toEqual(want);
  });

  it('stale handles stay harmless: after a run, after a cancel, after clear(), with the slot reused', () => {
    const q = new EventQueue(16);
    const a = q.push(5, 0, 1, 0, undefined);
    expect(q.pop()).toBe(true);
    const b = q.push(6, 0, 2, 0, undefined); // reuses a's slot
    expect(q.cancel(a)).toBe(false);
    expect(q.size).toBe(1);
    expect(q.cancel(b)).toBe(true);
    expect(q.cancel(b)).toBe(false);
    const c = q.push(7, 0, 3, 0, { x: 1 });
    q.clear();
    expect(q.cancel(c)).toBe(false);
    expect(q.size).toBe(0);
    expect(q.pop()).toBe(false);
    q.push(8, 0, 4, 0, 'payload');
    expect(q.pop()).toBe(true);
    expect([q.lastTime, q.lastTarget, q.lastObj]).toEqual([8, 4, 'payload']);
    for (const h of [-1, 0.5, NaN, 2 ** 60]) expect(q.cancel(h)).toBe(false);
  });
});
