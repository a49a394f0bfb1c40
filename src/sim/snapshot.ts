/**
 * Keyframes of a running simulation: a deep copy of everything a session holds (simulator, event queue,
 * network, world, protocols, driver state), taken at virtual time T and later restored into a freshly
 * built session of the same scenario and seed, which then goes on exactly as the original did from T.
 *
 * How: the state is an object graph reached from one root. A copy keeps every object's prototype, Maps
 * and Sets in insertion order, typed arrays, holes in arrays, and shared references (two paths to one
 * object stay two paths to one copy). Functions cannot be copied (what a closure captured is out of
 * reach), so restoring works into a *fresh* session built by the same code: the objects and functions
 * that existed at time 0 (the "census", indexed in a deterministic walk of the time-0 graph) are matched
 * to the fresh session's by their index; their contents are overwritten in place, so every closure made
 * at construction, which captured those very objects, sees the restored state. Objects made later are
 * rebuilt from the copy.
 *
 * What this asks of simulation code (a keyframe that meets anything else throws SnapshotError with the
 * path, so nothing is silently lost):
 * - no mutable state held only by a closure: a `let` counter captured by an event handler is invisible;
 *   keep such state in an object reachable from the session (`sim.keep({...})`, a field, the world);
 * - no closure made during the run and stored (a pending RPC's callback, a per-peer context): use a
 *   class with methods plus data, or `cont(fn, ...args)`, a continuation this module can rebuild.
 *
 * `markImmutable(obj)` tells the copier that an object never changes after it is made (a scenario, a
 * trace): it is shared, not copied. `markTransient(proto)` excludes a class's instances from the state
 * (the event feed's listeners belong to whoever watches the run, not to the run).
 */

import { EventFeed } from './feed.js';

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

// ---- continuations ------------------------------------------------------------------------------

const conts = new WeakMap<object, { f: (...a: never[]) => unknown; args: unknown[] }>();

/**
 * `cont(f, a, b)` is `(...rest) => f(a, b, ...rest)`, but a keyframe can copy it: `f` must be a
 * module-level function, a class's prototype method, or a closure made while the session was built
 * (it maps to the fresh session's own); the state goes in `args`, which are copied like the rest.
 */
export function cont<A extends unknown[], X extends unknown[], R>(f: (...a: [...A, ...X]) => R, ...args: A): (...x: X) => R {
  return makeCont(f as (...a: unknown[]) => R, args) as (...x: X) => R;
}

/** A continuation over `args` itself (restore fills the array after making the function). */
function makeCont<R>(f: (...a: unknown[]) => R, args: unknown[]): (...x: unknown[]) => R {
  const g = (...x: unknown[]): R => f(...args, ...x);
  conts.set(g, { f: f as (...a: never[]) => unknown, args });
  return g;
}

const statics = new WeakSet<object>();

/**
 * Declares a module-level function (or a class's prototype method) that `cont()` continuations made
 * during a run call: it belongs to no session, so a restored run calls it too. A closure made while a
 * session was built needs no declaration, as long as the session reaches it at time 0 (through a
 * continuation of a peer made then, or `sim.keep`); anything else is refused when a keyframe is taken.
 */
export function markStatic<F extends (...a: never[]) => unknown>(f: F): F {
  statics.add(f);
  return f;
}

const immutables = new WeakSet<object>();
const transientProtos: object[] = [];

/** Declares that `obj` (and all it references) never changes: keyframes share it instead of copying it. */
export function markImmutable<T extends object>(obj: T): T {
  immutables.add(obj);
  return obj;
}

/** Instances of this class are not part of a run's state (a restored run keeps the fresh session's own). */
export function markTransient(proto: object): void {
  if (!transientProtos.includes(proto)) transientProtos.push(proto);
}

// ---- the walk -------------------------------------------------------------------------------------

const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayBufferView;
type Typed = ArrayBufferView & { length: number; slice(): Typed; set(a: ArrayLike<number | bigint>): void };

const isTyped = (v: object): v is Typed => v instanceof TypedArray;
const isRef = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/**
 * A frozen object holding no references (a module's `Object.freeze([])` sentinel that code compares by
 * identity) is shared, not copied: a copy would no longer be the sentinel. It is then remembered as
 * immutable, so a restore maps it to itself too.
 */
function frozenLeaf(v: object): boolean {
  if (!Object.isFrozen(v) || isTyped(v) || v instanceof Map || v instanceof Set) return false;
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(v)) if (isRef(rec[k])) return false;
  immutables.add(v);
  return true;
}

/** Prototypes of built-ins whose state sits in hidden slots: copying their fields would lose it. */
const OPAQUE: object[] = [Promise, WeakMap, WeakSet, WeakRef, Date, RegExp, DataView, Error, SharedArrayBuffer].map((c) => c.prototype as object);
const copyable = new Map<object, boolean>();
function isCopyableClass(proto: object): boolean {
  let ok = copyable.get(proto);
  if (ok === undefined) {
    ok = !OPAQUE.some((p) => p === proto || Object.prototype.isPrototypeOf.call(p, proto));
    copyable.set(proto, ok);
  }
  return ok;
}

/** Keys of a plain object's own accessors (a getter is computed, not state): found once, at census. */
function accessorKeys(o: object): string[] | null {
  let out: string[] | null = null;
  for (const k of Object.keys(o)) {
    const d = Object.getOwnPropertyDescriptor(o, k) as PropertyDescriptor;
    if (d.get || d.set) (out ??= []).push(k);
  }
  return out;
}

/** Calls `visit` on every value `v` holds, in a fixed order (the census order). */
function eachChild(v: object, skip: readonly string[] | undefined, visit: (c: unknown) => void): void {
  if (typeof v === 'function') {
    // a continuation holds its function and its arguments: both belong to the run
    const c = conts.get(v);
    if (c) {
      visit(c.f);
      visit(c.args);
    }
    return;
  }
  if (isTyped(v)) {
    visit(v.buffer); // views may share one buffer (ids as views of one array): the buffer has its identity
    return;
  }
  if (v instanceof ArrayBuffer || immutables.has(v)) return;
  const proto = Object.getPrototypeOf(v) as object | null;
  if (proto !== null && transientProtos.includes(proto)) return;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (i in v) visit(v[i]);
  } else if (v instanceof Map) {
    for (const [k, x] of v) {
      visit(k);
      visit(x);
    }
  } else if (v instanceof Set) {
    for (const x of v) visit(x);
  } else {
    const rec = v as Record<string, unknown>;
    for (const k of Object.keys(v)) if (skip === undefined || !skip.includes(k)) visit(rec[k]);
  }
}

/**
 * The objects and functions of a session's graph at time 0, indexed in breadth-first order. Taken once
 * per session, right after it is built; a fresh session of the same scenario and seed walks the same.
 */
export class Census {
  private constructor(
    readonly index: WeakMap<object, number>,
    readonly size: number,
    /** Accessor keys of time-0 plain objects that have any (skipped when copying). */
    readonly accessors: WeakMap<object, string[]>,
  ) {}

  /** Indexes the graph under `root`; throws SnapshotError past `maxObjects` (keyframes would cost too much). */
  static take(root: object, maxObjects = Infinity): Census {
    const index = new WeakMap<object, number>();
    const accessors = new WeakMap<object, string[]>();
    let n = 0;
    bfs(
      root,
      (o) => index.has(o),
      (o) => {
        if (n >= maxObjects) throw new SnapshotError(`the run holds over ${maxObjects} objects at time 0: too many to take keyframes of`);
        index.set(o, n++);
        if (typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype) {
          const acc = accessorKeys(o);
          if (acc) accessors.set(o, acc);
        }
        return accessors.get(o);
      },
    );
    return new Census(index, n, accessors);
  }

  /** The same walk over a fresh session's time-0 graph: index -> object. */
  static list(root: object): object[] {
    const seen = new Set<object>();
    const out: object[] = [];
    bfs(
      root,
      (o) => seen.has(o),
      (o) => {
        seen.add(o);
        out.push(o);
        // the same keys are skipped as in the original (found by the accessors at the same index)
        return typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype ? (accessorKeys(o) ?? undefined) : undefined;
      },
    );
    return out;
  }
}

/** Breadth-first over objects and functions; `enter` marks one seen and returns keys of it to skip. */
function bfs(root: object, seen: (o: object) => boolean, enter: (o: object) => readonly string[] | undefined): void {
  const queue: object[] = [root];
  const skipRoot = enter(root);
  const skips: (readonly string[] | undefined)[] = [skipRoot];
  const visit = (c: unknown): void => {
    if (!isRef(c) || seen(c)) return;
    skips.push(enter(c));
    queue.push(c);
  };
  for (let head = 0; head < queue.length; head++) {
    const o = queue[head]!;
    eachChild(o, skips[head], visit);
    queue[head] = undefined as unknown as object; // let the walk's memory go as it proceeds
  }
}

// ---- capture --------------------------------------------------------------------------------------

/** A continuation in a keyframe: its function and copied arguments. */
class ContCopy {
  constructor(
    readonly f: (...a: never[]) => unknown,
    readonly args: unknown[],
  ) {}
}

/** A transient object in a keyframe: the fresh session's own counterpart is used. */
class TransientRef {
  constructor(readonly census: number) {}
}

export interface Keyframe {
  /** Virtual time it was taken at (the caller's; kept for its index). */
  readonly timeMs: number;
  /** Rough size in bytes (typed arrays, strings, ~48 B per object): for a memory budget. */
  readonly bytes: number;
  readonly objects: number;
  /** @internal */ readonly root: unknown;
  /** @internal argument lists of time-0 continuations */
  readonly extras: unknown[];
  /** @internal copies of time-0 objects -> their census index */
  readonly censusOf: Map<object, number>;
  /** @internal */ readonly census: Census;
}

/**
 * Copies the graph under `root` (the session) at `timeMs`. Throws SnapshotError naming the path of a
 * function made during the run (not a `cont`) or of a value that cannot be copied (a Promise, a WeakMap).
 */
export function capture(root: object, census: Census, timeMs: number): Keyframe {
  const memo = new Map<object, unknown>();
  const censusOf = new Map<object, number>();
  const work: object[] = []; // pairs: original, copy (filled after the copy is made: no deep recursion)
  const extras: unknown[] = [];
  let bytes = 0;
  let objects = 0;

  const refuse = (v: object, why: string): never => {
    throw new SnapshotError(`${pathTo(root, v)}: ${why}`);
  };

  const copy = (v: unknown): unknown => {
    if (!isRef(v)) {
      if (typeof v === 'string') bytes += 16 + 2 * v.length;
      return v;
    }
    const done = memo.get(v);
    if (done !== undefined) return done;
    const ci = census.index.get(v);
    if (typeof v === 'function') {
      const c = conts.get(v);
      if (ci !== undefined) {
        memo.set(v, v);
        // a time-0 continuation: its arguments may be the only path to some state
        if (c) extras.push(copy(c.args));
        return v;
      }
      if (!c) return refuse(v, 'a function made during the run cannot be copied (keep its state as data, or make it with cont())');
      if (!statics.has(c.f) && census.index.get(c.f) === undefined)
        return refuse(v, 'cont() of a function that is neither reachable from the session at time 0 nor declared with markStatic()');
      const cc = new ContCopy(c.f, []);
      memo.set(v, cc);
      objects++;
      work.push(c.args, cc.args);
      return cc;
    }
    if (immutables.has(v) || frozenLeaf(v)) {
      memo.set(v, v);
      return v;
    }
    const proto = Object.getPrototypeOf(v) as object | null;
    if (proto !== null && transientProtos.includes(proto)) {
      if (ci === undefined) return refuse(v, 'a transient object made during the run');
      const t = new TransientRef(ci);
      memo.set(v, t);
      return t;
    }
    objects++;
    let out: object;
    if (isTyped(v)) {
      // a view over a copy of its buffer (copied once however many views share it)
      const buf = copy(v.buffer) as ArrayBuffer;
      const Ctor = v.constructor as new (b: ArrayBuffer, offset: number, length: number) => Typed;
      out = new Ctor(buf, v.byteOffset, v.length);
      bytes += 64;
    } else if (v instanceof ArrayBuffer) {
      out = v.slice(0);
      bytes += v.byteLength + 64;
    } else {
      if (Array.isArray(v)) {
        out = new Array(v.length);
        bytes += 32 + 8 * v.length;
      } else if (v instanceof Map) {
        out = new Map();
        bytes += 48 + 40 * v.size;
      } else if (v instanceof Set) {
        out = new Set();
        bytes += 48 + 24 * v.size;
      } else {
        if (proto !== Object.prototype && proto !== null && !isCopyableClass(proto))
          refuse(v, `a ${(proto as { constructor?: { name?: string } }).constructor?.name ?? 'built-in'} cannot be copied`);
        out = Object.create(proto) as object;
        bytes += 48;
      }
      work.push(v, out);
    }
    memo.set(v, out);
    if (ci !== undefined) censusOf.set(out, ci);
    return out;
  };

  const copied = copy(root);
  for (let i = 0; i < work.length; i += 2) {
    const src = work[i]!;
    const dst = work[i + 1]!;
    work[i] = work[i + 1] = undefined as unknown as object;
    if (Array.isArray(src)) {
      const d = dst as unknown[];
      for (let j = 0; j < src.length; j++) {
        const x: unknown = src[j];
        if (typeof x === 'object' || typeof x === 'function') d[j] = copy(x);
        else if (x !== undefined || j in src) d[j] = x;
      }
    } else if (src instanceof Map) {
      const d = dst as Map<unknown, unknown>;
      for (const [k, x] of src) d.set(copy(k), copy(x));
    } else if (src instanceof Set) {
      const d = dst as Set<unknown>;
      for (const x of src) d.add(copy(x));
    } else {
      const skip = census.accessors.get(src);
      const d = dst as Record<string, unknown>;
      const r = src as Record<string, unknown>;
      const keys = Object.keys(src);
      bytes += 16 * keys.length;
      for (let j = 0; j < keys.length; j++) {
        const k = keys[j]!;
        if (skip !== undefined && skip.includes(k)) continue;
        const x = r[k];
        d[k] = typeof x === 'object' || typeof x === 'function' ? copy(x) : x;
      }
    }
  }
  return { timeMs, bytes, objects, root: copied, extras, censusOf, census };
}

/** Where `target` sits in the graph under `root` (for an error message; slow, only on failure). */
function pathTo(root: object, target: object): string {
  const parent = new Map<object, [object, string]>();
  const queue: object[] = [root];
  parent.set(root, [root, '']);
  for (let head = 0; head < queue.length; head++) {
    const o = queue[head]!;
    if (o === target) break;
    const step = (c: unknown, label: string): void => {
      if (!isRef(c) || parent.has(c)) return;
      parent.set(c, [o, label]);
      queue.push(c);
    };
    if (typeof o === 'function' || isTyped(o) || o instanceof ArrayBuffer) continue;
    if (Array.isArray(o)) o.forEach((c, i) => step(c, `[${i}]`));
    else if (o instanceof Map) for (const [k, x] of o) step(x, `.get(${typeof k === 'object' ? 'object' : String(k)})`);
    else if (o instanceof Set) for (const x of o) step(x, '<item>');
    else for (const k of Object.keys(o)) step((o as Record<string, unknown>)[k], `.${k}`);
    const c = conts.get(o);
    if (c) c.args.forEach((a, i) => step(a, `<arg ${i}>`));
  }
  if (!parent.has(target)) return 'session (unreachable?)';
  const parts: string[] = [];
  for (let o = target; o !== root; ) {
    const [p, label] = parent.get(o) as [object, string];
    parts.push(label);
    o = p;
  }
  return `session${parts.reverse().join('')}`;
}

// ---- restore --------------------------------------------------------------------------------------

/**
 * Restores `kf` into `freshRoot`, a session built from the same scenario and seed that has not run yet
 * (time 0). After this, `freshRoot` is in the state the original was in at `kf.timeMs`. The keyframe
 * itself is not changed (it can be restored again).
 */
export function restore(kf: Keyframe, freshRoot: object): void {
  const fresh = Census.list(freshRoot);
  if (fresh.length !== kf.census.size)
    throw new SnapshotError(
      `the fresh session holds ${fresh.length} objects at time 0 where the original held ${kf.census.size}: its construction is not deterministic`,
    );
  const memo = new Map<unknown, unknown>();
  const work: object[] = []; // pairs: keyframe copy, new object to fill
  const inPlace: object[] = []; // pairs: keyframe copy, fresh time-0 object to overwrite

  const target = (v: unknown): unknown => {
    if (!isRef(v)) return v;
    const done = memo.get(v);
    if (done !== undefined) return done;
    let out: unknown;
    if (typeof v === 'function' || immutables.has(v)) {
      // a time-0 function (or shared immutable object) of the original: the fresh session's counterpart
      const ci = kf.census.index.get(v);
      out = ci === undefined ? v : fresh[ci];
    } else if (v instanceof TransientRef) {
      out = fresh[v.census];
    } else if (v instanceof ContCopy) {
      const args: unknown[] = [];
      // a closure made at construction maps to the fresh session's own; a module-level function is itself
      out = makeCont(target(v.f) as (...a: unknown[]) => unknown, args);
      work.push(v.args, args);
    } else {
      const ci = kf.censusOf.get(v);
      if (ci !== undefined) {
        const t = fresh[ci]!;
        if (Object.getPrototypeOf(t) !== Object.getPrototypeOf(v))
          throw new SnapshotError(`object ${ci} of the time-0 graph is a ${protoName(t)} in the fresh session, a ${protoName(v)} in the keyframe`);
        inPlace.push(v, t);
        out = t;
      } else if (isTyped(v)) {
        const Ctor = v.constructor as new (b: ArrayBuffer, offset: number, length: number) => Typed;
        out = new Ctor(target(v.buffer) as ArrayBuffer, v.byteOffset, v.length);
      } else if (v instanceof ArrayBuffer) out = v.slice(0);
      else {
        if (Array.isArray(v)) out = new Array(v.length);
        else if (v instanceof Map) out = new Map();
        else if (v instanceof Set) out = new Set();
        else out = Object.create(Object.getPrototypeOf(v) as object | null) as object;
        work.push(v, out as object);
      }
    }
    memo.set(v, out);
    return out;
  };

  /** New objects: filled from their copy. */
  const fill = (src: object, dst: object): void => {
    if (Array.isArray(src)) {
      const d = dst as unknown[];
      for (let i = 0; i < src.length; i++) if (i in src) d[i] = target(src[i]);
    } else if (src instanceof Map) {
      for (const [k, x] of src) (dst as Map<unknown, unknown>).set(target(k), target(x));
    } else if (src instanceof Set) {
      for (const x of src) (dst as Set<unknown>).add(target(x));
    } else {
      const d = dst as Record<string, unknown>;
      const r = src as Record<string, unknown>;
      for (const k of Object.keys(src)) d[k] = target(r[k]);
    }
  };

  /** Time-0 objects of the fresh session: made to hold what the keyframe's copy holds. */
  const overwrite = (src: object, dst: object): void => {
    if (Object.isFrozen(dst)) return;
    if (isTyped(src)) {
      const d = dst as Typed;
      if (d.length !== (src as Typed).length) throw new SnapshotError('a typed array of the time-0 graph changed length');
      d.set(src as Typed as unknown as ArrayLike<number>);
    } else if (src instanceof ArrayBuffer) {
      new Uint8Array(dst as ArrayBuffer).set(new Uint8Array(src));
    } else if (Array.isArray(src)) {
      const d = dst as unknown[];
      d.length = src.length;
      for (let i = 0; i < src.length; i++) {
        if (i in src) d[i] = target(src[i]);
        else delete d[i];
      }
    } else if (src instanceof Map) {
      const d = dst as Map<unknown, unknown>;
      d.clear();
      for (const [k, x] of src) d.set(target(k), target(x));
    } else if (src instanceof Set) {
      const d = dst as Set<unknown>;
      d.clear();
      for (const x of src) d.add(target(x));
    } else {
      const d = dst as Record<string, unknown>;
      const r = src as Record<string, unknown>;
      const want = Object.keys(src);
      const skip = Object.getPrototypeOf(dst) === Object.prototype ? accessorKeys(dst) : null;
      const have = skip ? Object.keys(dst).filter((k) => !skip.includes(k)) : Object.keys(dst);
      // same keys in the same order: assign (keeps the object's shape); otherwise rebuild in order
      if (have.length !== want.length || have.some((k, i) => k !== want[i])) for (const k of have) delete d[k];
      for (const k of want) d[k] = target(r[k]);
    }
  };

  target(kf.root);
  for (const e of kf.extras) target(e);
  // new objects first, time-0 ones after: all mapping is settled by the time anything is overwritten
  for (let w = 0, p = 0; w < work.length || p < inPlace.length; ) {
    if (w < work.length) {
      fill(work[w]!, work[w + 1]!);
      w += 2;
    } else {
      overwrite(inPlace[p]!, inPlace[p + 1]!);
      p += 2;
    }
  }
}

function protoName(v: object): string {
  const p = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return p?.constructor?.name ?? 'null-prototype object';
}

// whoever watches a run (the dashboard, a recorder) listens on its feed; the run itself does not
markTransient(EventFeed.prototype);
