/**
 * State-vector anti-entropy: how a replica that missed something (it was away, partitioned, or a message
 * was in flight on a link that closed) catches up.
 *
 * - Every `antiEntropyMs` a peer sends one random neighbour the digest of each document (8 bytes; see
 *   docs.ts). Equal digests end it there, which is nearly always.
 * - A different digest: the receiver asks for what it lacks (SYNC_REQ with its state vector, flagged
 *   "send yours too"), gets the diff (SYNC_REPLY = Y.encodeStateAsUpdate(doc, sv), with the whole delete
 *   set), and the other side asks back the same way, so both end equal.
 * - On every new link both sides ask each other, and when a link drops the peer asks its remaining
 *   neighbours at once (what was in flight on it is lost).
 * - One request per document is in flight at a time: while its reply (maybe the whole document, for a
 *   peer that just joined) is on the way, requests to other neighbours wait and then carry the updated
 *   state vector, so they return only what is still missing instead of each neighbour sending the whole
 *   document again. The held requests go anyway when the awaited neighbour closes its link or goes
 *   quiet for SYNC_WAIT_MS (SYNC_MAX_WAIT_MS at most while a big reply keeps arriving).
 */
import * as Y from 'yjs';
import type { Rng } from '../../core/index.js';
import { aheadOf, applyCapturing, digestOf, EMPTY_UPDATE, SYNC_ORIGIN, type DocState } from './docs.js';
import type { SyncStats } from './host.js';
import type { LinkState } from './links/link-table.js';
import { F_DIGEST, F_SYNC_REPLY, F_SYNC_REQ, type Frame } from './wire/frames.js';

const SYNC_WAIT_MS = 3000;
const SYNC_MAX_WAIT_MS = 30_000;

export interface AntiEntropyIO {
  readonly rng: Rng;
  now(): number;
  docs: ReadonlyMap<string, DocState>;
  link(peer: number): LinkState | undefined;
  openLinks(): LinkState[];
  send(peer: number, f: Frame): boolean;
  /** A document changed through a sync reply (what was new, if the caller wants it). */
  changed(d: DocState, fresh: Uint8Array | null): void;
  readonly stats: SyncStats;
  /**
   * With trust: sends `peer` the sealed originals it lacks of `doc` and returns its state vector as it will
   * be with them, which the reply's diff is computed against (trust/originals.ts).
   */
  originals?(peer: number, doc: string, sv: Uint8Array): Uint8Array;
}

export class AntiEntropy {
  constructor(private readonly io: AntiEntropyIO) {}

  /** One round: digests of every document to one random neighbour; stalled requests released. */
  round(): void {
    for (const d of this.io.docs.values()) if (d.syncAwait !== -1 && this.stalled(d)) this.release(d);
    const open = this.io.openLinks();
    if (open.length === 0) return;
    const l = this.io.rng.pick(open);
    for (const d of this.io.docs.values()) {
      const [h1, h2] = digestOf(d);
      this.io.stats.digestsOut++;
      this.io.send(l.peer, { t: F_DIGEST, doc: d.name, h1, h2 });
    }
  }

  /** A link opened: ask it for what we lack of every document. */
  linkUp(peer: number): void {
    for (const d of this.io.docs.values()) this.request(peer, d, false);
  }

  /** A link closed: its awaited replies will not come; ask the remaining neighbours now. */
  linkDown(peer: number): void {
    for (const d of this.io.docs.values()) {
      d.syncDeferred.delete(peer);
      if (d.syncAwait === peer) this.release(d);
    }
    for (const l of this.io.openLinks()) for (const d of this.io.docs.values()) this.request(l.peer, d, false);
  }

  /** A document was opened: ask every neighbour (one at a time, see above). */
  docOpened(d: DocState): void {
    for (const l of this.io.openLinks()) this.request(l.peer, d, false);
  }

  onDigest(from: number, doc: string, h1: number, h2: number): void {
    const d = this.io.docs.get(doc);
    if (!d) return;
    const [a, b] = digestOf(d);
    if (a === h1 && b === h2) return;
    this.io.stats.digestMismatches++;
    this.request(from, d, true);
  }

  /** A neighbour's state vector: send it what it lacks; ask back when asked to or when it holds more. */
  onRequest(from: number, doc: string, sv: Uint8Array, back: boolean): void {
    this.io.stats.syncRequests++;
    const d = this.io.docs.get(doc);
    // a document we do not hold: an empty reply, so the asker need not wait for us
    const covered = d && this.io.originals ? this.io.originals(from, doc, sv) : sv;
    this.io.send(from, { t: F_SYNC_REPLY, doc, update: d ? Y.encodeStateAsUpdate(d.doc, covered) : EMPTY_UPDATE });
    if (!d || !(back || aheadOf(Y.decodeStateVector(sv), d.doc))) return;
    // already asking `from`: that reply brings what we lack (asking again with the same state vector
    // would have the whole difference sent twice: all of the document, for a peer that just joined)
    if (d.syncAwait === from && !this.stalled(d)) return;
    this.request(from, d, false);
  }

  onReply(from: number, doc: string, update: Uint8Array, capture: boolean): void {
    this.io.stats.syncReplies++;
    const d = this.io.docs.get(doc);
    if (!d) return;
    let fresh: Uint8Array | null = null;
    if (capture) fresh = applyCapturing(d.doc, update);
    else Y.applyUpdate(d.doc, update, SYNC_ORIGIN);
    d.dirty = true;
    this.io.changed(d, fresh);
    if (d.syncAwait === from) this.release(d);
  }

  /** Sealed originals from `from` (trust on, their seals checked): applied in order. */
  onOriginals(from: number, doc: string, updates: readonly Uint8Array[]): void {
    const d = this.io.docs.get(doc);
    if (!d) return;
    for (const u of updates) Y.applyUpdate(d.doc, u, SYNC_ORIGIN);
    d.dirty = true;
    this.io.changed(d, null);
  }

  /** Asks `peer` for what we lack of `d` (or holds the request behind the one in flight). */
  request(peer: number, d: DocState, back: boolean): void {
    if (d.syncAwait !== -1 && d.syncAwait !== peer && !this.stalled(d)) {
      d.syncDeferred.add(peer);
      return;
    }
    d.syncAwait = peer;
    d.syncAwaitAt = this.io.now();
    this.io.send(peer, { t: F_SYNC_REQ, doc: d.name, sv: Y.encodeStateVector(d.doc), back });
  }

  private stalled(d: DocState): boolean {
    const l = this.io.link(d.syncAwait);
    if (!l?.open) return true;
    const now = this.io.now();
    return now - Math.max(d.syncAwaitAt, l.lastHeard) >= SYNC_WAIT_MS || now - d.syncAwaitAt >= SYNC_MAX_WAIT_MS;
  }

  private release(d: DocState): void {
    d.syncAwait = -1;
    if (d.syncDeferred.size === 0) return;
    const held = [...d.syncDeferred];
    d.syncDeferred.clear();
    const sv = Y.encodeStateVector(d.doc);
    for (const p of held) if (this.io.link(p)?.open) this.io.send(p, { t: F_SYNC_REQ, doc: d.name, sv, back: false });
  }
}
