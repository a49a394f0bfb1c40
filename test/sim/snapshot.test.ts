import { describe, expect, it } from 'vitest';
import { Census, capture, cont, markImmutable, markImmutableClass, markStatic, rebuildable, restore, SnapshotError } from '../../src/sim/snapshot.js';

/** A small "session": built the same way every time, with closures over its time-0 objects. */
class Peer {
  links = new Map<number, { since: number }>();
  seen = new Set<string>();
  constructor(readonly id: number) {}
  bump(by: number): void {
    this.links.set(by, { since: by });
  }
}

/** [1, <hole>, 3] */
function holey(): (number | undefined)[] {
  const a: (number | undefined)[] = [1];
  a[2] = 3;
  return a;
}

function build() {
  const counters = { a: 0 };
  const arr = new Float64Array(4);
  const peers = [new Peer(0), new Peer(1)];
  const shared = { tag: 'x' };
  const config = markImmutable({ name: 'cfg', big: [1, 2, 3] });
  const root = {
    peers,
    arr,
    holes: holey(),
    left: shared,
    right: shared,
    config,
    counters,
    // a closure made at construction: after a restore it must see the restored counters
    inc: () => counters.a++,
    later: [] as unknown[],
  };
  return { root, counters, arr, peers, Peer };
}

function addOne(state: { n: number }, by: number): number {
  state.n += by;
  return state.n;
}
markStatic(addOne);

const NONE: number[] = Object.freeze([]) as unknown as number[];

describe('engine snapshot (keyframes)', () => {
  it('restores into a fresh build: contents, prototypes, shared references, Map and Set order, holes, typed arrays', () => {
    const a = build();
    const census = Census.take(a.root);
    a.root.inc();
    a.root.inc();
    a.arr[2] = 7.5;
    a.peers[1]!.bump(9);
    a.peers[1]!.bump(3);
    a.peers[0]!.seen.add('q');
    a.peers[0]!.seen.add('p');
    const made = new a.Peer(5); // made during the run
    made.bump(1);
    a.root.peers.push(made);
    a.root.holes[5] = 6;
    const kf = capture(a.root, census, 10);
    // the original goes on changing: the keyframe is a copy
    a.root.inc();
    a.peers[1]!.links.clear();

    const b = build();
    restore(kf, b.root);
    expect(b.counters.a).toBe(2);
    b.root.inc(); // the fresh closure counts on from the restored value
    expect(b.counters.a).toBe(3);
    expect([...b.arr]).toEqual([0, 0, 7.5, 0]);
    expect(b.arr).toBe(b.root.arr); // time-0 objects overwritten in place
    expect([...b.peers[1]!.links.keys()]).toEqual([9, 3]);
    expect([...b.peers[0]!.seen]).toEqual(['q', 'p']);
    expect(b.root.peers).toHaveLength(3);
    const p5 = b.root.peers[2]!;
    expect(p5).toBeInstanceOf(Peer);
    expect(Object.getPrototypeOf(p5)).toBe(Object.getPrototypeOf(b.peers[0]));
    expect(p5.id).toBe(5);
    expect(b.root.left).toBe(b.root.right);
    expect(1 in b.root.holes).toBe(false);
    expect(b.root.holes).toHaveLength(6);
    expect(b.root.holes[5]).toBe(6);
    // restoring again gives the same (the keyframe is not used up)
    const c = build();
    restore(kf, c.root);
    expect(c.counters.a).toBe(2);
    expect([...c.peers[1]!.links.keys()]).toEqual([9, 3]);
  });

  it('copies continuations and rebuilds them bound to the restored state', () => {
    const a = build();
    const census = Census.take(a.root);
    const st = { n: 1 };
    a.root.later.push(cont(addOne, st), st);
    expect((a.root.later[0] as (by: number) => number)(2)).toBe(3);
    const kf = capture(a.root, census, 0);
    const b = build();
    restore(kf, b.root);
    const f = b.root.later[0] as (by: number) => number;
    const st2 = b.root.later[1] as { n: number };
    expect(st2).not.toBe(st);
    expect(f(10)).toBe(13);
    expect(st2.n).toBe(13);
    expect(st.n).toBe(3);
  });

  it('shares a frozen sentinel that code compares by identity, even one first reached during the run', () => {
    const a = build();
    const census = Census.take(a.root);
    // reached only after time 0: a copy would no longer be the sentinel
    a.root.later.push({ q: NONE }, { q: NONE }, { q: [4] });
    const kf = capture(a.root, census, 5);
    const b = build();
    restore(kf, b.root);
    const [x, y, z] = b.root.later as { q: number[] }[];
    expect(x!.q).toBe(NONE);
    expect(y!.q).toBe(NONE);
    expect(z!.q).not.toBe((a.root.later[2] as { q: number[] }).q);
    expect(z!.q).toEqual([4]);
    // a frozen object holding a reference is still copied (what it references may change)
    const inner = { n: 1 };
    const c = build();
    const census2 = Census.take(c.root);
    c.root.later.push(Object.freeze({ inner }));
    const kf2 = capture(c.root, census2, 5);
    inner.n = 2;
    const d = build();
    restore(kf2, d.root);
    expect((d.root.later[0] as { inner: { n: number } }).inner.n).toBe(1);
  });

  it('shares instances of a class declared immutable: made during the run, the same object; of the time-0 graph, the fresh build\'s', () => {
    class Stamp {
      constructor(readonly at: number) {}
    }
    markImmutableClass(Stamp.prototype);
    const make = () => ({ first: new Stamp(0), later: [] as { s: Stamp }[] });
    const a = make();
    const census = Census.take(a);
    const s1 = new Stamp(1);
    a.later.push({ s: s1 }, { s: s1 }, { s: a.first });
    const kf = capture(a, census, 5);
    const b = make();
    restore(kf, b);
    expect(b.later[0]!.s).toBe(s1);
    expect(b.later[1]!.s).toBe(s1);
    expect(b.later[2]!.s).toBe(b.first);
    expect(b.later[0]).not.toBe(a.later[0]); // what holds it is still copied
    expect(kf.objects).toBe(5); // the root, the array and its three objects: no Stamp
  });

  it('keeps views of one buffer sharing it (ids as views of one array)', () => {
    const make = () => {
      const buf = new ArrayBuffer(16);
      return { all: new Uint8Array(buf), ids: [new Uint8Array(buf, 0, 8), new Uint8Array(buf, 8, 8)], later: [] as unknown[] };
    };
    const a = make();
    const census = Census.take(a);
    a.ids[1]![3] = 42;
    const buf2 = new ArrayBuffer(8);
    a.later.push(new Uint16Array(buf2, 2, 2), new Uint8Array(buf2));
    (a.later[1] as Uint8Array)[2] = 7;
    const kf = capture(a, census, 0);
    const b = make();
    restore(kf, b);
    expect(b.all[11]).toBe(42);
    b.ids[0]![0] = 9;
    expect(b.all[0]).toBe(9); // still views of one buffer
    const [u16, u8] = b.later as [Uint16Array, Uint8Array];
    expect(u16.buffer).toBe(u8.buffer);
    expect(u8[2]).toBe(7);
    expect([u16.byteOffset, u16.length]).toEqual([2, 2]);
  });

  it('makes a rebuildable object again, the closures of its construction bound to the restored state', () => {
    /** Parts wired by closures at construction (as the sync peer's are), with a Promise of their own. */
    class Wired {
      count = 0;
      readonly log: number[] = [];
      readonly io: { bump: (by: number) => void; owner: () => { n: number } };
      readonly ready = new Promise<void>(() => {});
      readonly buf = new Float64Array(2);
      constructor(owner: { n: number }, readonly id: number) {
        this.io = { bump: (by) => void this.log.push((this.count += by)), owner: () => owner };
      }
    }
    const make = () => {
      const x = build();
      const owner = { n: 7 };
      const wire = (id: number): Wired => new Wired(owner, id);
      return { ...x, owner, wire, root: { ...x.root, owner, wire } };
    };
    const a = make();
    const census = Census.take(a.root);
    const w = rebuildable(a.wire, 3);
    w.io.bump(2);
    w.io.bump(5);
    w.buf[1] = 0.5;
    // reached from elsewhere too: one of its closures, and its log
    a.root.later.push(w, w.io.bump, w.log);
    const kf = capture(a.root, census, 0);
    w.io.bump(100); // the original goes on: the keyframe is a copy

    const b = make();
    restore(kf, b.root);
    const [w2, bump, log] = b.root.later as [Wired, (by: number) => void, number[]];
    expect(w2).toBeInstanceOf(Wired);
    expect(w2).not.toBe(w);
    expect([w2.id, w2.count, [...w2.log], [...w2.buf]]).toEqual([3, 7, [2, 7], [0, 0.5]]);
    expect(bump).toBe(w2.io.bump);
    expect(log).toBe(w2.log);
    expect(w2.ready).toBeInstanceOf(Promise);
    expect(w2.ready).not.toBe(w.ready);
    bump(1); // the rebuilt closure works on the restored object
    expect([w2.count, [...w2.log]]).toEqual([8, [2, 7, 8]]);
    expect(w2.io.owner()).toBe(b.owner);
    // and a keyframe of the restored run rebuilds it again
    const c = make();
    const census2 = Census.take(c.root);
    restore(kf, c.root);
    const kf2 = capture(c.root, census2, 0);
    const d = make();
    restore(kf2, d.root);
    const w4 = d.root.later[0] as Wired;
    w4.io.bump(3);
    expect([w4.count, [...w4.log]]).toEqual([10, [2, 7, 10]]);
  });

  it('refuses a rebuildable object whose arguments were made during the run', () => {
    const a = build();
    const census = Census.take(a.root);
    const arg = { n: 1 };
    a.root.later.push(rebuildable((o: { n: number }) => ({ o, f: () => o.n }), arg));
    expect(() => capture(a.root, census, 0)).toThrow(/session\.later\[0\]: rebuildable\(\) with a function that is neither/);
    const ok = markStatic((o: { n: number }) => ({ o, f: () => o.n }));
    const b = build();
    const census2 = Census.take(b.root);
    b.root.later.push(rebuildable(ok, arg));
    expect(() => capture(b.root, census2, 0)).toThrow(/rebuildable\(\) with an argument made during the run/);
  });

  it('refuses a closure made during the run, naming where it is', () => {
    const a = build();
    const census = Census.take(a.root);
    a.peers[1]!.links.set(4, { since: 1, cb: () => 1 } as unknown as { since: number });
    expect(() => capture(a.root, census, 0)).toThrow(SnapshotError);
    expect(() => capture(a.root, census, 0)).toThrow(/session\.peers\[1\]\.links\.get\(4\)\.cb: a function made during the run/);
  });

  it('refuses values whose state it cannot see (a Promise, a WeakMap)', () => {
    const a = build();
    const census = Census.take(a.root);
    a.root.later.push(new WeakMap());
    expect(() => capture(a.root, census, 0)).toThrow(/session\.later\[0\]: a WeakMap cannot be copied/);
  });

  it('says when a fresh build does not match the original (non-deterministic construction)', () => {
    const a = build();
    const census = Census.take(a.root);
    const kf = capture(a.root, census, 0);
    const b = build();
    b.root.peers.push(new b.Peer(9));
    expect(() => restore(kf, b.root)).toThrow(/construction is not deterministic/);
  });
});
