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
 * rebuilt from the copy; those made with `rebuildable(f, ...args)` (whose construction wires closures)
 * are made again by `f(...args)` and matched the same way, by their paths from the object.
 *
 * What this asks of simulation code (a keyframe that meets anything else throws SnapshotError with the
 * path, so nothing is silently lost):
 * - no mutable state held only by a closure: a `let` counter captured by an event handler is invisible;
 *   keep such state in an object reachable from the session (`sim.keep({...})`, a field, the world);
 * - no closure made during the run and stored (a pending RPC's callback, a per-peer context): use a
 *   class with methods plus data, `cont(fn, ...args)`, a continuation this module can rebuild, or make
 *   the object that holds such closures from construction on with `rebuildable()`.
 *
 * `markImmutable(obj)` tells the copier that an object never changes after it is made (a scenario, a
 * trace): it is shared, not copied. `markTransient(proto)` excludes a class's instances from the state
 * (the event feed's listeners belong to whoever watches the run, not to the run).
 */

import { EventFeed } from './feed.js';
import {
  accessorKeys,
  builds,
  Census,
  conts,
  follow,
  frozenLeaf,
  immutables,
  isCopyable,
  isRef,
  isShared,
  isTyped,
  madeBy,
  makeCont,
  markTransient,
  protoName,
  rebuildable,
  sharedProtos,
  SnapshotError,
  statics,
  STEP_MAP,
  STEP_SET,
  timeZero,
  transientProtos,
  type Path,
  type Typed,
} from './snapshot-graph.js';

export { Census, cont, markImmutable, markImmutableClass, markStatic, markTransient, rebuildable, SnapshotError } from './snapshot-graph.js';

// ---- capture --------------------------------------------------------------------------------------

/** A continuation in a keyframe: its function and copied arguments. */
class ContCopy {
  constructor(
    readonly f: ((...a: never[]) => unknown) | MadeRef,
    readonly args: unknown[],
  ) {}
}

/** A transient object (or a time-0 Promise) in a keyframe: the fresh session's own counterpart is used. */
class TransientRef {
  constructor(readonly census: number) {}
}

/** A function (or Promise) that a rebuildable object's construction made: the rebuilt one's, at the same path. */
class MadeRef {
  constructor(
    readonly owner: object,
    readonly path: Path,
  ) {}
}

/** A rebuildable object in a keyframe: its copy, and how to make it again. */
interface Rebuild {
  readonly copy: object;
  readonly f: (...a: never[]) => object;
  /** Primitives, time-0 objects (the original's) and immutables. */
  readonly args: unknown[];
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
  /** @internal rebuildable objects, in the order met */
  readonly rebuilds: Rebuild[];
  /** @internal functions made by their construction */
  readonly made: MadeRef[];
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

  const rebuilds: Rebuild[] = [];
  const made: MadeRef[] = [];

  const refuse = (v: object, why: string): never => {
    throw new SnapshotError(`${pathTo(root, v)}: ${why}`);
  };

  /** A function or Promise that a rebuildable object's construction made (undefined: not one). */
  const madeRef = (v: object): MadeRef | undefined => {
    const m = madeBy.get(v);
    if (m === undefined || census.index.has(m.owner) || !builds.has(m.owner)) return undefined;
    const r = new MadeRef(copy(m.owner) as object, m.path);
    memo.set(v, r);
    made.push(r);
    objects++;
    return r;
  };

  const copy = (v: unknown): unknown => {
    if (!isRef(v)) {
      if (typeof v === 'string') bytes += 16 + 2 * v.length;
      return v;
    }
    if (sharedProtos.has(Object.getPrototypeOf(v) as object)) return v; // no memo: there are many, and each is itself
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
      if (!c) return madeRef(v) ?? refuse(v, 'a function made during the run cannot be copied (keep its state as data, or make it with cont())');
      let f: ContCopy['f'] = c.f;
      if (!statics.has(c.f) && census.index.get(c.f) === undefined)
        f = madeRef(c.f) ?? refuse(v, 'cont() of a function that is neither reachable from the session at time 0 nor declared with markStatic()');
      const cc = new ContCopy(f, []);
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
    if (!isCopyable(v)) {
      // a Promise of the time-0 graph: the fresh session's own (its state is not the run's)
      if (ci === undefined) return madeRef(v) ?? refuse(v, `a ${protoName(v)} cannot be copied`);
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
        out = Object.create(proto) as object;
        bytes += 48;
      }
      work.push(v, out);
      const b = ci === undefined ? builds.get(v) : undefined;
      if (b) {
        const f = statics.has(b.f) || census.index.has(b.f) ? b.f : refuse(v, 'rebuildable() with a function that is neither reachable from the session at time 0 nor declared with markStatic()');
        const args = b.args.map((a) => (!isRef(a) || census.index.has(a) || immutables.has(a) || statics.has(a) ? a : refuse(v, 'rebuildable() with an argument made during the run (only primitives and time-0 objects)')));
        rebuilds.push({ copy: out, f, args });
      }
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
  return { timeMs, bytes, objects, root: copied, extras, censusOf, census, rebuilds, made };
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
  rebuild(kf, fresh, memo, inPlace);

  const target = (v: unknown): unknown => {
    if (!isRef(v)) return v;
    if (sharedProtos.has(Object.getPrototypeOf(v) as object)) {
      const ci = kf.census.index.get(v);
      return ci === undefined ? v : fresh[ci];
    }
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

/**
 * Makes the keyframe's rebuildable objects again in the fresh session (in its time-0 state: all of it is
 * overwritten afterwards), maps each copy to what its construction made at the same path (so those
 * objects are overwritten in place, and the closures made with them see the restored state), and the
 * functions it made to the rebuilt ones.
 */
function rebuild(kf: Keyframe, fresh: object[], memo: Map<unknown, unknown>, inPlace: object[]): void {
  if (kf.rebuilds.length === 0) return;
  const raw = (a: unknown): unknown => {
    if (!isRef(a)) return a;
    const ci = kf.census.index.get(a);
    return ci === undefined ? a : fresh[ci];
  };
  const claimed = new Set<object>();
  const pairs: object[] = []; // rebuilt object, keyframe copy
  const claim = (x: object, y: object): void => {
    claimed.add(x);
    memo.set(y, x);
    inPlace.push(y, x);
  };
  for (const r of kf.rebuilds) {
    const o = rebuildable(raw(r.f) as (...a: unknown[]) => object, ...r.args.map(raw));
    if (Object.getPrototypeOf(o) !== Object.getPrototypeOf(r.copy)) throw new SnapshotError(`rebuilding made a ${protoName(o)} where the keyframe holds a ${protoName(r.copy)}`);
    claim(o, r.copy);
    pairs.push(o, r.copy);
  }
  /** Whether rebuilt `x` stands for copy `y`: both unclaimed objects of one kind, made by the construction. */
  const fits = (x: unknown, y: unknown): boolean => {
    if (typeof x !== 'object' || x === null || typeof y !== 'object' || y === null) return false;
    if (claimed.has(x) || memo.has(y) || timeZero.has(x) || builds.has(x) || isShared(x) || Object.isFrozen(x)) return false;
    if (kf.censusOf.has(y) || isShared(y) || y instanceof ContCopy || y instanceof TransientRef || y instanceof MadeRef) return false;
    return Object.getPrototypeOf(x) === Object.getPrototypeOf(y);
  };
  const pair = (x: unknown, y: unknown): void => {
    if (!fits(x, y)) return;
    const a = x as object;
    const b = y as object;
    if (a instanceof ArrayBuffer) {
      if (a.byteLength === (b as ArrayBuffer).byteLength) claim(a, b);
      return;
    }
    if (isTyped(a)) {
      // a view with its buffer (other views of the copy's buffer then map onto this one)
      const t = b as Typed;
      if (a.length !== t.length || a.byteOffset !== t.byteOffset) return;
      if (memo.get(t.buffer) !== a.buffer) pair(a.buffer, t.buffer);
      if (memo.get(t.buffer) === a.buffer) claim(a, b);
      return;
    }
    claim(a, b);
    pairs.push(a, b);
  };
  for (let i = 0; i < pairs.length; i += 2) {
    const x = pairs[i]!;
    const y = pairs[i + 1]!;
    if (Array.isArray(x)) {
      const ys = y as unknown[];
      for (let j = 0; j < Math.min(x.length, ys.length); j++) pair(x[j], ys[j]);
    } else if (x instanceof Map) {
      const ym = y as Map<unknown, unknown>;
      for (const [k, v] of x) if (!isRef(k) && ym.has(k)) pair(v, ym.get(k));
    } else if (x instanceof Set) {
      const it = (y as Set<unknown>).values();
      for (const v of x) pair(v, it.next().value);
    } else {
      const xr = x as Record<string, unknown>;
      const yr = y as Record<string, unknown>;
      for (const k of Object.keys(x)) if (Object.prototype.hasOwnProperty.call(y, k)) pair(xr[k], yr[k]);
    }
  }
  for (const r of kf.made) {
    const owner = memo.get(r.owner) as object | undefined;
    const v = owner === undefined ? undefined : follow(owner, r.path);
    if (!isRef(v)) throw new SnapshotError(`a ${protoName(r.owner)} made again holds no function at ${describePath(r.path)}, where its construction had made one`);
    memo.set(r, v);
  }
}

function describePath(path: Path): string {
  let out = '';
  for (let i = 0; i < path.length; i += 2) {
    const k = path[i + 1];
    out += path[i] === STEP_MAP ? `.get(${String(k)})` : path[i] === STEP_SET ? `<item ${String(k)}>` : typeof k === 'number' ? `[${k}]` : `.${String(k)}`;
  }
  return out;
}

// whoever watches a run (the dashboard, a recorder) listens on its feed; the run itself does not
markTransient(EventFeed.prototype);
