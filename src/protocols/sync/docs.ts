/**
 * The documents a sync peer keeps in step: each a real Y.Doc, its digest for anti-entropy, and the
 * state of its sync requests. The digest is a 64-bit hash of the state vector *and* the delete set: a
 * deletion adds no clock, so two replicas with equal state vectors can still differ by a delete, and a
 * state-vector-only digest would never repair that.
 */
import * as Y from 'yjs';

/** Origin of every update the peer applies (hosts' update listeners skip it: it is not a local edit). */
export const SYNC_ORIGIN: unique symbol = Symbol('sync-peer');

export interface DocState {
  name: string;
  doc: Y.Doc;
  /** The digest must be recomputed (the document changed since). */
  dirty: boolean;
  h1: number;
  h2: number;
  /** The neighbour whose sync reply we wait for (-1: none), since when, and who waits behind it. */
  syncAwait: number;
  syncAwaitAt: number;
  syncDeferred: Set<number>;
  /** When gossip last brought this document something (-Infinity: never). */
  gossipAt: number;
}

export function newDocState(name: string, doc: Y.Doc): DocState {
  return { name, doc, dirty: true, h1: 0, h2: 0, syncAwait: -1, syncAwaitAt: 0, syncDeferred: new Set(), gossipAt: -Infinity };
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

/** The document's digest (recomputed only after it changed). */
export function digestOf(d: DocState): [number, number] {
  if (d.dirty) {
    const sv = Y.encodeStateVector(d.doc);
    // an update holding no structs of its own state: just the delete set
    const ds = Y.encodeStateAsUpdate(d.doc, sv);
    [d.h1, d.h2] = hashBytes([sv, ds]);
    d.dirty = false;
  }
  return [d.h1, d.h2];
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
