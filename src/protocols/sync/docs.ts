/**
 * The documents a sync peer keeps in step: each a real Y.Doc, its digest for anti-entropy, and the
 * state of its sync requests. The digest is a 64-bit hash of the state vector *and* the delete set: a
 * deletion adds no clock, so two replicas with equal state vectors can still differ by a delete, and a
 * state-vector-only digest would never repair that.
 *
 * The digest is a sum over the state vector's entries and over every deleted id, each hashed on its
 * own, so it does not depend on how Yjs splits or merges structs and can be kept up to date from what
 * one transaction changed: an update applied through `applyTo` adds the transaction's new deletions
 * and takes its state vector after (both Yjs computed anyway), instead of re-encoding the whole
 * document's delete set for every digest (a walk over every struct of the replica). Any other change
 * (a local edit) marks the digest `dirty`, and it is computed again from the whole document.
 */
import * as Y from 'yjs';

/** Origin of every update the peer applies (hosts' update listeners skip it: it is not a local edit). */
export const SYNC_ORIGIN: unique symbol = Symbol('sync-peer');

export interface DocState {
  name: string;
  doc: Y.Doc;
  /** The digest must be recomputed from the whole document (it changed other than through `applyTo`). */
  dirty: boolean;
  /** The digest's two halves: sums over the state vector (s1, s2) and over the deleted ids (d1, d2). */
  s1: number;
  s2: number;
  d1: number;
  d2: number;
  /** The neighbour whose sync reply we wait for (-1: none), since when, and who waits behind it. */
  syncAwait: number;
  syncAwaitAt: number;
  syncDeferred: Set<number>;
  /** When gossip last brought this document something (-Infinity: never). */
  gossipAt: number;
}

export function newDocState(name: string, doc: Y.Doc): DocState {
  return { name, doc, dirty: true, s1: 0, s2: 0, d1: 0, d2: 0, syncAwait: -1, syncAwaitAt: 0, syncDeferred: new Set(), gossipAt: -Infinity };
}

/** Two independent 32-bit hashes of a byte string (FNV-1a, and a multiply-rotate over 32-bit words). */
export function hashBytes(parts: readonly Uint8Array[]): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (const bytes of parts) {
    for (let i = 0; i < bytes.length; i++) {
      const x = bytes[i]!;
      a = Math.imul(a ^ x, 0x01000193);
      b = Math.imul((b << 5) | (b >>> 27), 0x5bd1e995) ^ (x + i);
    }
    a = Math.imul(a ^ bytes.length, 0x01000193);
    b = Math.imul(b ^ (b >>> 15), 0x2c1b3c6d) ^ bytes.length;
  }
  b = Math.imul(b ^ (b >>> 13), 0x297a2d39);
  return [a >>> 0, (b ^ (b >>> 16)) >>> 0];
}

// seeds of the four sums (state vector and deleted ids, two independent hashes each)
const SV1 = 0x3c6ef372;
const SV2 = 0x1b873593;
const DS1 = 0x5bd1e995;
const DS2 = 0x27d4eb2f;

/** A 32-bit hash of a pair of 32-bit integers (murmur3's finalizer over a seeded mix). */
function mix(a: number, b: number, seed: number): number {
  let h = Math.imul(a ^ seed, 0xcc9e2d51) ^ Math.imul(((b << 15) | (b >>> 17)) ^ seed, 0x1b873593);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function hashState(d: DocState, sv: Iterable<[number, number]>): void {
  let s1 = 0;
  let s2 = 0;
  for (const [client, clock] of sv) {
    s1 = (s1 + mix(client, clock, SV1)) | 0;
    s2 = (s2 + mix(client, clock, SV2)) | 0;
  }
  d.s1 = s1;
  d.s2 = s2;
}

/** Adds the ids client:[clock, clock + len) to the delete-set sums. */
function addDeleted(d: DocState, client: number, clock: number, len: number): void {
  let d1 = d.d1;
  let d2 = d.d2;
  for (let c = clock; c < clock + len; c++) {
    d1 = (d1 + mix(client, c, DS1)) | 0;
    d2 = (d2 + mix(client, c, DS2)) | 0;
  }
  d.d1 = d1;
  d.d2 = d2;
}

/** The digest from the whole document: its state vector and every deleted struct. */
function rehash(d: DocState): void {
  const clients = d.doc.store.clients;
  const sv: [number, number][] = [];
  d.d1 = d.d2 = 0;
  for (const [client, structs] of clients) {
    const last = structs[structs.length - 1];
    if (last) sv.push([client, last.id.clock + last.length]);
    for (const s of structs) if (s.deleted) addDeleted(d, client, s.id.clock, s.length);
  }
  hashState(d, sv);
  d.dirty = false;
}

/** The document's digest (from the whole document only after it changed other than through applyTo). */
export function digestOf(d: DocState): [number, number] {
  if (d.dirty) rehash(d);
  const store = d.doc.store;
  if (store.pendingStructs === null && store.pendingDs === null) return [(d.s1 + d.d1) >>> 0, (d.s2 + d.d2) >>> 0];
  // updates waiting for a predecessor (a gap) count too, as they do in the state Yjs encodes
  const [p1, p2] = hashBytes([store.pendingDs ?? NONE, store.pendingStructs?.update ?? NONE]);
  return [(d.s1 + d.d1 + p1) >>> 0, (d.s2 + d.d2 + p2) >>> 0];
}

const NONE = new Uint8Array(0);

/** A transaction applied through applyTo ended: its new deletions and state vector join the digest. */
function track(d: DocState, tr: Y.Transaction): void {
  for (const [client, items] of tr.deleteSet.clients) for (const it of items) addDeleted(d, client, it.clock, it.len);
  // Yjs records a struct that arrives as GC (its parent was collected) nowhere in the transaction's
  // delete set: look for such among the structs this transaction added
  const store = d.doc.store;
  for (const [client, after] of tr.afterState) {
    const before = tr.beforeState.get(client) ?? 0;
    if (after <= before) continue;
    // the new structs are the last ones (a client's structs are kept in clock order)
    const structs = store.clients.get(client)!;
    for (let i = structs.length - 1; i >= 0; i--) {
      const s = structs[i]!;
      if (s.id.clock + s.length <= before) break;
      if (!(s instanceof Y.GC)) continue;
      for (let c = Math.max(before, s.id.clock); c < s.id.clock + s.length; c++)
        if (!Y.isDeleted(tr.deleteSet, Y.createID(client, c))) addDeleted(d, client, c, 1);
    }
  }
  hashState(d, tr.afterState);
}

/**
 * Applies an update a peer sent (origin SYNC_ORIGIN) and keeps the digest up to date from its
 * transaction. `capture`: returns what was new here (the update Yjs emitted), or null if nothing was;
 * without it, null. Throws what Y.applyUpdate throws (the digest is then computed again when asked).
 */
export function applyTo(d: DocState, update: Uint8Array, capture: boolean): Uint8Array | null {
  const doc = d.doc;
  let fresh: Uint8Array | null = null;
  const f = (u: Uint8Array, origin: unknown): void => {
    if (origin === SYNC_ORIGIN) fresh = u;
  };
  if (capture) doc.on('update', f);
  let tr: Y.Transaction | null = null;
  try {
    // the same transaction Y.applyUpdate would make (remote, this origin), held to read what it changed
    Y.transact(
      doc,
      (t) => {
        tr = t;
        Y.applyUpdate(doc, update, SYNC_ORIGIN);
      },
      SYNC_ORIGIN,
      false,
    );
  } catch (e) {
    d.dirty = true;
    throw e;
  } finally {
    if (capture) doc.off('update', f);
  }
  if (!d.dirty) track(d, tr!);
  return fresh;
}

/** True if Yjs holds updates (or deletes) of the document whose predecessors have not arrived: a gap. */
export function hasGap(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

/** True if `theirs` (a state vector) has clocks we lack: they hold something we do not. */
export function aheadOf(theirs: Map<number, number>, doc: Y.Doc): boolean {
  for (const [client, clock] of theirs) if (clock > Y.getState(doc.store, client)) return true;
  return false;
}

/** Applies an update; returns what was new here (the update Yjs emitted), or null if nothing was. */
export function applyCapturing(doc: Y.Doc, update: Uint8Array): Uint8Array | null {
  let fresh: Uint8Array | null = null;
  const f = (u: Uint8Array, origin: unknown): void => {
    if (origin === SYNC_ORIGIN) fresh = u;
  };
  doc.on('update', f);
  try {
    Y.applyUpdate(doc, update, SYNC_ORIGIN);
  } finally {
    doc.off('update', f);
  }
  return fresh;
}

/** An empty update (the sync reply about a document we do not hold, so the asker stops waiting on us). */
export const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());
