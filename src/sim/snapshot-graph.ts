/**
 * What keyframes (snapshot.ts) know of a session's object graph: the declarations simulation code makes
 * (continuations, static functions, immutable and transient objects, objects rebuilt by a restore), how
 * the graph is walked, and the census of its time-0 objects.
 */

export class SnapshotError extends Error {
  override name = 'SnapshotError';
}

// ---- continuations ------------------------------------------------------------------------------

/** @internal a continuation's function and arguments */
export const conts = new WeakMap<object, { f: (...a: never[]) => unknown; args: unknown[] }>();

/**
 * `cont(f, a, b)` is `(...rest) => f(a, b, ...rest)`, but a keyframe can copy it: `f` must be a
 * module-level function, a class's prototype method, or a closure made while the session was built
 * (it maps to the fresh session's own); the state goes in `args`, which are copied like the rest.
 */
export function cont<A extends unknown[], X extends unknown[], R>(f: (...a: [...A, ...X]) => R, ...args: A): (...x: X) => R {
  return makeCont(f as (...a: unknown[]) => R, args) as (...x: X) => R;
}

/** @internal A continuation over `args` itself (restore fills the array after making the function). */
export function makeCont<R>(f: (...a: unknown[]) => R, args: unknown[]): (...x: unknown[]) => R {
  const g = (...x: unknown[]): R => f(...args, ...x);
  conts.set(g, { f: f as (...a: never[]) => unknown, args });
  return g;
}

/** @internal */
export const statics = new WeakSet<object>();

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

/** @internal */
export const immutables = new WeakSet<object>();
/** @internal */
export const transientProtos: object[] = [];

/** Declares that `obj` (and all it references) never changes: keyframes share it instead of copying it. */
export function markImmutable<T extends object>(obj: T): T {
  immutables.add(obj);
  return obj;
}

/** @internal prototypes whose instances keyframes share (markImmutableClass) */
export const sharedProtos = new Set<object>();

/**
 * Declares that instances of a class never change once a session can reach them, and hold nothing
 * that does: keyframes share them instead of copying them (the Yjs ID of an integrated struct or of
 * its origins: a third of a sync room's objects).
 */
export function markImmutableClass(proto: object): void {
  sharedProtos.add(proto);
}

/** Whether keyframes share `v` rather than copy it (declared immutable, itself or by its class). */
export const isShared = (v: object): boolean => immutables.has(v) || sharedProtos.has(Object.getPrototypeOf(v) as object);

/** Instances of this class are not part of a run's state (a restored run keeps the fresh session's own). */
export function markTransient(proto: object): void {
  if (!transientProtos.includes(proto)) transientProtos.push(proto);
}

// ---- objects rebuilt by a restore ---------------------------------------------------------------

/** A step of a path from a rebuildable object: a property (or array index), a Map key, a Set position. */
export const STEP_KEY = 0;
export const STEP_MAP = 1;
export const STEP_SET = 2;
/** Steps as pairs: kind, key. */
export type Path = readonly unknown[];

/** @internal how each rebuildable object was made */
export const builds = new WeakMap<object, { f: (...a: never[]) => object; args: unknown[] }>();
/** @internal functions and opaque objects (a Promise) that a rebuildable object's construction made, and where */
export const madeBy = new WeakMap<object, { owner: object; path: Path }>();
/** @internal objects of a session's time-0 graph (of any census) */
export const timeZero = new WeakSet<object>();
/** Construction is recorded only once some session is followed by keyframes (a census was taken). */
let recording = false;

/**
 * `rebuildable(f, a, b)` is `f(a, b)`, for an object made during a run whose construction wires closures
 * (parts that call back into one another, a Y.Doc's own handlers): such closures cannot be copied, so a
 * restore makes the object again with `f(a, b)` in the fresh session and then overwrites, in place, what
 * that made with the keyframe's copy (objects matched by their paths from the object), and the closures
 * that construction made stand for the original's (found at the same paths). The object's state must
 * sit in fields, as everywhere: what a closure alone holds is lost. `f` as for `cont()`; `args`
 * primitives or objects of the session's time-0 graph (a restore makes these objects first of all).
 */
export function rebuildable<A extends unknown[], R extends object>(f: (...a: A) => R, ...args: A): R {
  const o = f(...args);
  builds.set(o, { f: f as unknown as (...a: never[]) => object, args });
  if (recording) recordConstruction(o);
  return o;
}

/**
 * Records where the functions and opaque objects that `root`'s construction made sit (the first path a
 * breadth-first walk finds). The walk stays within what the construction made: it stops at time-0
 * objects, other rebuildable objects, and things keyframes share or skip.
 */
export function recordConstruction(root: object): void {
  const seen = new Set<object>([root]);
  const queue: object[] = [root];
  const paths: Path[] = [[]];
  for (let head = 0; head < queue.length; head++) {
    const o = queue[head]!;
    const path = paths[head]!;
    const step = (c: unknown, kind: number, key: unknown): void => {
      if (!isRef(c) || seen.has(c)) return;
      seen.add(c);
      if (timeZero.has(c) || builds.has(c) || isShared(c)) return;
      if (typeof c === 'function' || !isCopyable(c)) {
        if (!conts.has(c) && !statics.has(c) && !madeBy.has(c)) madeBy.set(c, { owner: root, path: [...path, kind, key] });
        return;
      }
      if (isTyped(c) || c instanceof ArrayBuffer || frozenLeaf(c)) return;
      const proto = Object.getPrototypeOf(c) as object | null;
      if (proto !== null && transientProtos.includes(proto)) return;
      queue.push(c);
      paths.push([...path, kind, key]);
    };
    if (Array.isArray(o)) {
      for (let i = 0; i < o.length; i++) step(o[i], STEP_KEY, i);
    } else if (o instanceof Map) {
      for (const [k, x] of o) if (!isRef(k)) step(x, STEP_MAP, k);
    } else if (o instanceof Set) {
      let i = 0;
      for (const x of o) step(x, STEP_SET, i++);
    } else {
      const rec = o as Record<string, unknown>;
      for (const k of Object.keys(o)) step(rec[k], STEP_KEY, k);
    }
  }
}

/** The value at `path` from `root` (undefined where the path leads nowhere). */
export function follow(root: object, path: Path): unknown {
  let o: unknown = root;
  for (let i = 0; i < path.length && o !== undefined; i += 2) {
    const kind = path[i];
    const key = path[i + 1];
    if (!isRef(o)) return undefined;
    if (kind === STEP_MAP) o = o instanceof Map ? o.get(key) : undefined;
    else if (kind === STEP_SET) o = o instanceof Set ? [...o][key as number] : undefined;
    else o = (o as Record<string | number, unknown>)[key as string | number];
  }
  return o;
}

// ---- the walk -------------------------------------------------------------------------------------

const TypedArray = Object.getPrototypeOf(Uint8Array) as abstract new () => ArrayBufferView;
export type Typed = ArrayBufferView & { length: number; slice(): Typed; set(a: ArrayLike<number | bigint>): void };

export const isTyped = (v: object): v is Typed => v instanceof TypedArray;
export const isRef = (v: unknown): v is object => (typeof v === 'object' && v !== null) || typeof v === 'function';

/**
 * A frozen object holding no references (a module's `Object.freeze([])` sentinel that code compares by
 * identity) is shared, not copied: a copy would no longer be the sentinel. It is then remembered as
 * immutable, so a restore maps it to itself too.
 */
export function frozenLeaf(v: object): boolean {
  if (!Object.isFrozen(v) || isTyped(v) || v instanceof Map || v instanceof Set) return false;
  const rec = v as Record<string, unknown>;
  for (const k of Object.keys(v)) if (isRef(rec[k])) return false;
  immutables.add(v);
  return true;
}

/** Prototypes of built-ins whose state sits in hidden slots: copying their fields would lose it. */
// SharedArrayBuffer is not defined in a page that is not cross-origin isolated (the sync peer runs in windows too)
const sharedBuffer = (globalThis as { SharedArrayBuffer?: { prototype: object } }).SharedArrayBuffer;
const OPAQUE: object[] = [Promise, WeakMap, WeakSet, WeakRef, Date, RegExp, DataView, Error, ...(sharedBuffer ? [sharedBuffer] : [])].map((c) => c.prototype as object);
const copyable = new Map<object, boolean>();
function isCopyableClass(proto: object): boolean {
  let ok = copyable.get(proto);
  if (ok === undefined) {
    ok = !OPAQUE.some((p) => p === proto || Object.prototype.isPrototypeOf.call(p, proto));
    copyable.set(proto, ok);
  }
  return ok;
}

/** Whether an object's state can be copied from its fields (not a Promise, a WeakMap, ...). */
export function isCopyable(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null || Array.isArray(v) || isCopyableClass(proto);
}

export function protoName(v: object): string {
  const p = Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null;
  return p?.constructor?.name ?? 'null-prototype object';
}

/** Keys of a plain object's own accessors (a getter is computed, not state): found once, at census. */
export function accessorKeys(o: object): string[] | null {
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
  if (v instanceof ArrayBuffer || isShared(v)) return;
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
    recording = true;
    bfs(
      root,
      (o) => index.has(o),
      (o) => {
        if (n >= maxObjects) throw new SnapshotError(`the run holds over ${maxObjects} objects at time 0: too many to take keyframes of`);
        index.set(o, n++);
        timeZero.add(o);
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
    recording = true;
    bfs(
      root,
      (o) => seen.has(o),
      (o) => {
        seen.add(o);
        out.push(o);
        timeZero.add(o);
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
