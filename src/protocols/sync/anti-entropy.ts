/**
 * State-vector anti-entropy: how a replica that missed something (it was away, partitioned, or a message
 * was in flight on a link that closed) catches up.
 *
 * - Every `antiEntropyMs` a peer sends one random neighbour the digest of each document (8 bytes; see
 *   docs.ts). Equal digests end it there, which is nearly always.
 * - A different digest: the receiver asks for what it lacks (SYNC_REQ with its state vector, flagged
 *   "send yours too"), gets the diff (SYNC_REPLY = Y.encodeStateAsUpdate(doc, sv), with the whole delete
 *   set), and the other side asks back the same way, so both end equal.
 * - While gossip keeps bringing a document something, a different digest is nearly always an edit still
 *   in flight, and the diff would repeat what the tree is delivering (with the whole delete set): the
 *   receiver lets it pass if the document heard gossip within `settleMs`. A real gap shows itself anyway:
 *   an update whose predecessor was lost waits in Yjs (pending), and the peer that delivered it is asked
 *   at once for what is missing; a gap of nothing but deletes is repaired once the room is quiet.
 * - A peer's first link asks for what it lacks at once; a peer that already has neighbours sends a new
 *   one its digests instead (it is nearly always in step: a shuffle link costs 14 bytes, not a state
 *   vector and a delete set each way). When a link fails, or this peer drops it (what was in flight to
 *   it is lost), the peer asks one remaining neighbour at once; a link the other end closed with a BYE
 *   loses nothing (the gossip trees mend themselves: src/protocols/gossip/plumtree-feeds.ts).
 * - One request per document is in flight at a time: while its reply (maybe the whole document, for a
 *   peer that just joined) is on the way, requests to other neighbours wait and then carry the updated
 *   state vector, so they return only what is still missing instead of each neighbour sending the whole
 *   document again. The held requests go anyway when the awaited neighbour closes its link, or when
 *   no reply has come for SYNC_WAIT_MS (a request or reply lost on a link that stays up; while a big reply
 *   keeps arriving in chunks, SYNC_MAX_WAIT_MS at most).
 */
import * as Y from 'yjs';
import type { Rng } from '../../core/index.js';
import { aheadOf, applyTo, digestOf, EMPTY_UPDATE, hasGap, SYNC_ORIGIN, type DocState } from './docs.js';
import type { SyncStats } from './host.js';
import type { LinkState } from './links/link-table.js';
import { F_DIGEST, F_SYNC_REPLY, F_SYNC_REQ, type Frame } from './wire/frames.js';

const SYNC_WAIT_MS = 3000;
/** Other neighbours a gap is asked of when the first one's reply left it open (then the digest rounds). */
const GAP_TRIES = 3;
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
  /** Documents with a gap being asked about, and how many more neighbours may be asked. */
  private readonly gapTries = new Map<string, number>();

  constructor(
    private readonly io: AntiEntropyIO,
    /** A document that heard gossip this recently takes a different digest for edits in flight. */
    private readonly settleMs = 0,
  ) {}

  /** Gossip from `from` changed `d`: if it left a gap (updates waiting for a predecessor), ask `from` for it. */
  gossiped(d: DocState, from: number): void {
    d.gossipAt = this.io.now();
    if (from < 0 || d.syncAwait !== -1 || !hasGap(d.doc)) return;
    this.io.stats.gapRequests++;
    this.gapTries.set(d.name, GAP_TRIES);
    this.request(from, d, false);
  }

  /** One round: digests of every document to one random neighbour; stalled requests released. */
  round(): void {
    for (const d of this.io.docs.values()) if (d.syncAwait !== -1 && this.stalled(d)) this.release(d);
    const open = this.io.openLinks();
    if (open.length === 0) return;
    const l = this.io.rng.pick(open);
    for (const d of this.io.docs.values()) this.sendDigest(l.peer, d);
  }

  /** A link opened: the first one asks for what we lack; later ones compare digests. */
  linkUp(peer: number): void {
    if (this.io.openLinks().length > 1) for (const d of this.io.docs.values()) this.sendDigest(peer, d);
    else for (const d of this.io.docs.values()) this.request(peer, d, false);
  }

  /** A link closed: its awaited replies will not come; unless the other end said BYE, ask one remaining neighbour now. */
  linkDown(peer: number, graceful: boolean): void {
    for (const d of this.io.docs.values()) {
      d.syncDeferred.delete(peer);
      if (d.syncAwait === peer) this.release(d);
    }
    if (graceful) return;
    const open = this.io.openLinks();
    if (open.length === 0) return;
    const l = this.io.rng.pick(open);
    for (const d of this.io.docs.values()) this.request(l.peer, d, false);
  }

  private sendDigest(peer: number, d: DocState): void {
    const [h1, h2] = digestOf(d);
    this.io.stats.digestsOut++;
    this.io.send(peer, { t: F_DIGEST, doc: d.name, h1, h2 });
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
    // already asking `from`: its reply brings what differs
    if (d.syncAwait === from && !this.stalled(d)) return;
    if (this.io.now() - d.gossipAt < this.settleMs && !hasGap(d.doc)) {
      this.io.stats.digestsInFlight++;
      return;
    }
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
    const fresh = applyTo(d, update, capture);
    this.io.changed(d, fresh);
    if (d.syncAwait === from) this.release(d);
    this.gapAgain(d, from);
  }

  /**
   * A reply left a gap we asked about open: the neighbour that delivered the update may have lacked its
   * predecessor too (it came by another branch of the tree), so another neighbour is asked, a few at most.
   */
  private gapAgain(d: DocState, from: number): void {
    const tries = this.gapTries.get(d.name);
    if (tries === undefined) return;
    if (!hasGap(d.doc) || tries <= 0) return void this.gapTries.delete(d.name);
    if (d.syncAwait !== -1) return;
    const others = this.io.openLinks().filter((l) => l.peer !== from);
    if (others.length === 0) return void this.gapTries.delete(d.name);
    this.gapTries.set(d.name, tries - 1);
    this.io.stats.gapRequests++;
    this.request(this.io.rng.pick(others).peer, d, false);
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
    // heartbeats keep a link heard; only a reply arriving in chunks shows the answer is on its way
    return now - Math.max(d.syncAwaitAt, l.lastChunk) >= SYNC_WAIT_MS || now - d.syncAwaitAt >= SYNC_MAX_WAIT_MS;
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
