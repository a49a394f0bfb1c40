/**
 * How document updates and awareness spread over the partial view:
 * - `plumtree` (default): the Plumtree core of src/protocols/gossip, the same code the gossip scenarios
 *   run: full messages along a tree that forms from the fastest paths, IHAVE announcements on the other
 *   links, GRAFT to repair the tree. Its own anti-entropy stays off (anti-entropy.ts does it by state
 *   vector, which also repairs what any core missed).
 * - `flood` (the baseline): every new payload to every neighbour (flood.ts).
 * An update whose payload would exceed `maxGossipBytes` (a multi-MiB paste: Plumtree caps payloads and
 * caches them) is PUSHed to every neighbour instead, and each peer forwards a push only if it was new there
 * (with trust, sealed by its origin over the whole update and forwarded with that seal: trust/trust.ts).
 *
 * A payload that does not decode (well-formed gossip around bad content) closes the link that delivered
 * it, as a violation.
 */
import { GOSSIP, Plumtree, type DeliverInfo, type PlumtreeMsg, type PlumtreeStats } from '../../gossip/index.js';
import type { PeerId } from '../../../core/index.js';
import { partContext, TAGS_GOSSIP, type SyncContext } from '../context.js';
import { applyTo, type DocState } from '../docs.js';
import type { SyncEvent, SyncStats } from '../host.js';
import type { ResolvedOptions } from '../options.js';
import { F_FLOOD, F_GOSSIP, F_PUSH, type Frame, type PushFrame } from '../wire/frames.js';
import { decodePayload, encodePayload, P_AWARENESS, P_UPDATE, P_UPDATE_AT } from '../wire/payload.js';
import { SEAL_BYTES, SEALED } from '../trust/sealed.js';
import { Flood, type FloodFrame } from './flood.js';

export interface DisseminationIO {
  readonly docs: ReadonlyMap<string, DocState>;
  send(peer: number, f: Frame): boolean;
  neighbours(): number[];
  /** Content arrived and was applied to a document. */
  changed(d: DocState, fresh: Uint8Array | null): void;
  /** Gossip from `from` (-1: unknown) brought `d` an update. */
  gossiped?(d: DocState, from: PeerId): void;
  onAwareness(doc: string, update: Uint8Array, from: number): void;
  event(e: SyncEvent): void;
  violation(peer: number, reason: string): void;
  /** Wall-clock ms (live arrival latency of stamped updates). */
  wallMs(): number;
  readonly stats: SyncStats;
  /** With trust: local payloads go to be sealed (and come back through spreadNow), received ones are unsealed. */
  seal?(payload: Uint8Array): void;
  unseal?(payload: Uint8Array): Uint8Array | null;
  /** With trust: a local push goes to be sealed, and comes back through `send` as the frame to push. */
  sealPush?(doc: string, update: Uint8Array, send: (f: PushFrame) => void): void;
}

export class Dissemination {
  readonly plumtree: Plumtree | null = null;
  readonly flood: Flood | null = null;
  /** The link whose message is being handled (a bad payload closes that one). */
  private delivering: PeerId = -1;

  constructor(
    ctx: SyncContext,
    private readonly io: DisseminationIO,
    private readonly o: ResolvedOptions,
    plumtreeStats?: PlumtreeStats,
  ) {
    if (o.dissemination === 'flood') {
      const fctx = partContext<FloodFrame>(ctx, TAGS_GOSSIP, (to, f) => void io.send(to, f));
      this.flood = new Flood(fctx, (payload, origin) => this.deliver(payload, origin), o.seenCapacity);
    } else {
      const pctx = partContext<PlumtreeMsg>(ctx, TAGS_GOSSIP, (to, g) => void io.send(to, { t: F_GOSSIP, g }));
      this.plumtree = new Plumtree(pctx, (payload, info: DeliverInfo) => this.deliver(payload, info.id?.origin ?? info.from), {
        graftTimeoutMs: o.graftTimeoutMs,
        lazyDelayMs: o.lazyDelayMs,
        lazyFanout: o.lazyFanout,
        // many editors: each one's updates follow the fastest paths from it
        perOriginTrees: true,
        // a message id's session in 2 bytes, not 5: every copy and announcement carries one. Two instances
        // of one origin share a session once in ~16,000 restarts; the later one's first updates then pass
        // for seen where the earlier one's ids are still remembered, and reach those peers by anti-entropy
        sessionBits: 14,
        cacheSize: o.cacheSize,
        seenCapacity: o.seenCapacity,
        antiEntropyMs: 0,
        ...(plumtreeStats ? { stats: plumtreeStats } : {}),
      });
    }
  }

  start(): void {
    this.plumtree?.start();
  }

  stop(): void {
    this.plumtree?.stop();
  }

  neighborUp(peer: PeerId): void {
    this.plumtree?.neighborUp(peer);
    this.flood?.neighborUp(peer);
  }

  neighborDown(peer: PeerId): void {
    this.plumtree?.neighborDown(peer);
    this.flood?.neighborDown(peer);
  }

  onTimer(tag: number, data: unknown): void {
    this.plumtree?.onTimer(tag, data);
  }

  /** A local edit of `doc`: spread it (by gossip, or pushed when too big). */
  broadcastUpdate(doc: string, update: Uint8Array): void {
    const payload = this.o.stampUpdates
      ? encodePayload({ kind: P_UPDATE_AT, doc, sentAt: this.io.wallMs(), update })
      : encodePayload({ kind: P_UPDATE, doc, update });
    if (payload.length <= this.o.maxGossipBytes) this.spread(payload);
    else if (this.io.sealPush) this.io.sealPush(doc, update, (f) => this.push(f, -1));
    else this.push({ t: F_PUSH, doc, update }, -1);
  }

  /** A local awareness change: spread it (awareness is small; a huge one is not worth a flood). */
  broadcastAwareness(doc: string, update: Uint8Array): void {
    const payload = encodePayload({ kind: P_AWARENESS, doc, awareness: update });
    if (payload.length <= this.o.maxGossipBytes) this.spread(payload);
  }

  private spread(payload: Uint8Array): void {
    if (this.io.seal) this.io.seal(payload);
    else this.spreadNow(payload);
  }

  /** Gossips a payload as is (a sealed one, with trust). */
  spreadNow(payload: Uint8Array): void {
    if (this.plumtree) this.plumtree.broadcast(payload);
    else this.flood?.broadcast(payload);
  }

  /** The id the next spread payload will carry. */
  nextId(): { origin: number; session: number; seq: number } {
    return this.plumtree ? this.plumtree.nextId() : this.flood!.nextId();
  }

  onGossip(from: PeerId, g: PlumtreeMsg): void {
    if (!this.plumtree) return this.io.violation(from, 'gossip frame in a flood room');
    this.delivering = from;
    try {
      this.plumtree.onMessage(from, g);
    } finally {
      this.delivering = -1;
    }
  }

  onFlood(from: PeerId, f: FloodFrame): void {
    if (!this.flood) return this.io.violation(from, 'flood frame in a plumtree room');
    this.delivering = from;
    try {
      this.flood.onFrame(from, f);
    } finally {
      this.delivering = -1;
    }
  }

  /** An update too big for gossip: apply it, and pass it on to the other neighbours if it was new here. */
  onPush(from: PeerId, f: PushFrame): void {
    this.io.stats.pushesIn++;
    const d = this.io.docs.get(f.doc);
    if (!d) return;
    let fresh: Uint8Array | null;
    try {
      fresh = applyTo(d, f.update, true);
    } catch (e) {
      // an update Yjs cannot integrate (it decoded, so the link's codec let it through)
      return this.io.violation(from, `push: ${(e as Error).message}`);
    }
    this.io.changed(d, fresh);
    // passed on as it came (its origin's seal with it)
    if (fresh) this.push(f, from);
  }

  private push(f: PushFrame, except: PeerId): void {
    for (const p of this.io.neighbours()) if (p !== except && this.io.send(p, f)) this.io.stats.pushesOut++;
  }

  private deliver(sealed: Uint8Array, origin: PeerId): void {
    const payload = this.io.unseal ? this.io.unseal(sealed) : sealed;
    if (payload === null) {
      if (this.delivering >= 0) this.io.violation(this.delivering, 'payload: not sealed');
      return;
    }
    let p;
    try {
      p = decodePayload(payload, this.o.validate);
    } catch (e) {
      if (this.delivering >= 0) this.io.violation(this.delivering, `payload: ${(e as Error).message}`);
      return;
    }
    this.io.stats.gossipDelivered++;
    const d = this.io.docs.get(p.doc);
    if (!d) return;
    if (p.kind === P_AWARENESS) {
      this.io.onAwareness(p.doc, p.awareness, origin);
      return;
    }
    try {
      applyTo(d, p.update, false);
    } catch (e) {
      // validated updates do not throw; an unvalidated peer's garbage is its link's violation
      if (this.delivering >= 0) this.io.violation(this.delivering, `update: ${(e as Error).message}`);
      return;
    }
    this.io.changed(d, null);
    this.io.gossiped?.(d, this.delivering);
    if (p.kind === P_UPDATE_AT) this.io.event({ type: 'edit-arrived', doc: p.doc, origin, latencyMs: Math.max(0, this.io.wallMs() - p.sentAt) });
  }
}

/** The traffic class of a gossip or flood frame (awareness or updates), for the byte counters. */
export function gossipClass(f: Frame): 'awareness' | 'updates' {
  const payload = f.t === F_GOSSIP ? (f.g.type === GOSSIP ? f.g.payload : null) : f.t === F_FLOOD ? f.payload : null;
  if (payload === null) return 'updates';
  // a sealed payload (trust on) carries its kind after the seal
  const kind = payload[0] === SEALED ? payload[SEAL_BYTES] : payload[0];
  return kind === P_AWARENESS ? 'awareness' : 'updates';
}
