/**
 * OverlayRoom: peerlab's own sync provider for one room (any number of Yjs documents in it).
 *
 * - Membership and link setup go through a y-webrtc-compatible signaling server, on the topic
 *   `peerlab-overlay/<room>` (so one server serves y-webrtc rooms and overlay rooms), encrypted the
 *   y-webrtc way when the room has a password. Peers announce themselves (`hello`) periodically.
 * - Each peer keeps a bounded partial view: it opens links until it has `degree` of them, accepts up to
 *   `maxLinks`, and every `shuffleMs` trades one link for a random other (so partitions heal and the
 *   overlay keeps mixing). Never a full mesh.
 * - Yjs updates and awareness are broadcast through a gossip core (the same sans-IO per-peer code the
 *   simulator runs; see realtime.ts) over the links.
 * - Anti-entropy: on every new link and every `antiEntropyMs` with one random neighbour, each side sends
 *   its state vector per document and gets back exactly what it lacks (Y.encodeStateAsUpdate(doc, sv)),
 *   so a peer that missed gossip (it was away, partitioned, or a link dropped mid-flight) catches up.
 * - Large messages (a sync reply for a document of several MiB) are cut into 64 KiB frames and put back
 *   together per link within bounds (chunks.ts). An update too big for gossip (a multi-MiB paste) is not
 *   gossiped but pushed to every neighbour, which forwards it only if it was new there (MSG_PUSH).
 * - Peers are untrusted: every message is bounded and validated (wire.ts, chunks.ts); a violation closes
 *   that one link, is counted, and the peer is ignored for `banMs`.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Rng } from '../../core/index.js';
import { Link, type LinkCloseReason } from '../link.js';
import { SignalingClient, type WebSocketCtor } from '../signaling/client.js';
import { DEFAULT_CHUNK_BYTES, Reassembler, chunkMessage } from './chunks.js';
import { RealtimeContext, type GossipCore, type GossipFactory } from './realtime.js';
import {
  MSG_CHUNK,
  MSG_GOSSIP,
  MSG_PUSH,
  MSG_SYNC_REPLY,
  MSG_SYNC_REQ,
  PAYLOAD_AWARENESS,
  PAYLOAD_UPDATE,
  WireError,
  decodeChannel,
  decodePayload,
  encodeChannel,
  encodePayload,
  validDocName,
  type ChannelMessage,
} from './wire.js';

export interface OverlayOptions {
  room: string;
  /** ws:// URL of the signaling server, or a client to share. */
  signaling: string | SignalingClient;
  password?: string | null;
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  /** WebSocket class for Node (the `ws` package); the browser's global is used otherwise. */
  WebSocket?: WebSocketCtor;
  /** Numeric peer id, unique in the room (default: random 48-bit). */
  peerId?: number;
  /** Display name (awareness). */
  name?: string;
  /** Links a peer tries to keep. Default 3. */
  degree?: number;
  /** Links a peer accepts at most. Default 6. */
  maxLinks?: number;
  /** Dissemination core (Plumtree, push-pull, flood). */
  gossip: GossipFactory<unknown>;
  /** Anti-entropy period (one random neighbour per period). Default 1000 ms. */
  antiEntropyMs?: number;
  /** Announce period on signaling. Default 2000 ms. */
  helloMs?: number;
  /** Period of the link shuffle. Default 10 s. */
  shuffleMs?: number;
  /** Largest frame accepted on a link. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Messages larger than this are sent in frames of this size. Default 64 KiB (SCTP carries 256 KiB). */
  chunkBytes?: number;
  /** Largest chunked message, sent or accepted (so the largest document that syncs). Default 32 MiB. */
  maxAssembledBytes?: number;
  /** Gossip payloads above this go out as a PUSH flood instead (Plumtree caps payloads at 1 MiB and caches
   * them). Default 256 KiB. */
  maxGossipBytes?: number;
  /** Violating peers are refused for this long. Default 30 s. */
  banMs?: number;
  /** Seed of the peer's random choices. */
  seed?: number;
  rtcConfig?: RTCConfiguration;
}

export interface LinkInfo {
  peer: number;
  open: boolean;
  initiator: boolean;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
  lastHeard: number;
}

export interface DocInfo {
  name: string;
  /** client id -> clock */
  stateVector: Record<string, number>;
  /** true if the doc holds updates it cannot integrate yet (missing causal predecessors) */
  pending: boolean;
  length: number;
}

export interface OverlayStats {
  linksOpened: number;
  linksClosed: number;
  violations: number;
  gossipIn: number;
  gossipDelivered: number;
  syncRequests: number;
  syncReplies: number;
  /** Messages sent / received in chunks. */
  chunkedOut: number;
  chunkedIn: number;
  /** PUSH messages sent / received (updates too big for gossip). */
  pushesOut: number;
  pushesIn: number;
  /** Messages not sent because they exceeded maxAssembledBytes. */
  oversize: number;
}

interface LinkState {
  link: Link;
  peer: number;
  initiator: boolean;
  openedAt: number;
  lastHeard: number;
  reassembly: Reassembler;
  nextMsgId: number;
}

interface DocState {
  name: string;
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  ownsAwareness: boolean;
  onUpdate: (u: Uint8Array, origin: unknown) => void;
  onAwareness: (c: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => void;
  /** The neighbour whose sync reply we are waiting for (-1: none), and since when (see syncRequest). */
  syncAwait: number;
  syncAwaitAt: number;
  /** Neighbours whose sync request waits for that reply. */
  syncDeferred: Set<number>;
}

/**
 * How long a sync request holds back the others (see syncRequest) once its neighbour has gone quiet, and
 * at most in all (a big reply keeps arriving in frames for a while).
 */
const SYNC_WAIT_MS = 3000;
const SYNC_MAX_WAIT_MS = 30_000;
/** A sync reply for a document we do not hold: an empty update (so the asker stops waiting on us). */
const EMPTY_UPDATE = Y.encodeStateAsUpdate(new Y.Doc());

const PEER_ID = /^\d{1,16}$/;
/** Origin of updates applied from anti-entropy replies (only what was new here reaches 'update'). */
const REPAIR = Symbol('anti-entropy');
/** Origin of updates that arrived in a PUSH (forwarded to the other neighbours if new here). */
const PUSH = Symbol('push');
const MAX_SDP = 64 * 1024;
/** A negotiation nonce (Link draws 16 hex digits; up to 32 accepted). */
const NONCE = /^[0-9a-f]{1,32}$/;

export type OverlayEvent =
  | { type: 'link-up'; peer: number }
  | { type: 'link-down'; peer: number; reason: string }
  | { type: 'violation'; peer: number; reason: string }
  | { type: 'oversize'; doc: string; bytes: number }
  | { type: 'edit-arrived'; doc: string; origin: number; latencyMs: number };

/** Wall-clock milliseconds with sub-ms resolution (comparable across processes on one machine). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

export class OverlayRoom {
  readonly id: number;
  readonly topic: string;
  readonly stats: OverlayStats = {
    linksOpened: 0,
    linksClosed: 0,
    violations: 0,
    gossipIn: 0,
    gossipDelivered: 0,
    syncRequests: 0,
    syncReplies: 0,
    chunkedOut: 0,
    chunkedIn: 0,
    pushesOut: 0,
    pushesIn: 0,
    oversize: 0,
  };
  /** origin peer -> recent arrival latencies (ms) of its edits here, newest last (bounded). */
  readonly latency = new Map<number, number[]>();
  private readonly links = new Map<number, LinkState>();
  private readonly known = new Map<number, number>(); // peer -> last hello (wall ms)
  private readonly banned = new Map<number, number>(); // peer -> until (wall ms)
  private readonly blocked = new Set<number>();
  private readonly docs = new Map<string, DocState>();
  private readonly signaling: SignalingClient;
  private readonly ownsSignaling: boolean;
  private readonly rng: Rng;
  private readonly ctx: RealtimeContext<unknown>;
  private readonly core: GossipCore<unknown>;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly o: Required<Omit<OverlayOptions, 'password' | 'WebSocket' | 'rtcConfig' | 'peerId' | 'seed' | 'signaling'>>;
  private listeners: ((e: OverlayEvent) => void)[] = [];
  private closed = false;
  /** The link whose message is being processed (so a bad gossip payload closes the right one). */
  private delivering: number | null = null;

  constructor(private readonly opts: OverlayOptions) {
    this.id = opts.peerId ?? 1 + Math.floor(Math.random() * (2 ** 48 - 2));
    this.topic = `peerlab-overlay/${opts.room}`;
    this.o = {
      room: opts.room,
      RTCPeerConnection: opts.RTCPeerConnection,
      name: opts.name ?? `peer-${this.id % 10000}`,
      degree: opts.degree ?? 3,
      maxLinks: opts.maxLinks ?? 6,
      gossip: opts.gossip,
      antiEntropyMs: opts.antiEntropyMs ?? 1000,
      helloMs: opts.helloMs ?? 2000,
      shuffleMs: opts.shuffleMs ?? 10_000,
      maxMessageBytes: opts.maxMessageBytes ?? 1024 * 1024,
      chunkBytes: opts.chunkBytes ?? DEFAULT_CHUNK_BYTES,
      maxAssembledBytes: opts.maxAssembledBytes ?? 32 * 1024 * 1024,
      maxGossipBytes: opts.maxGossipBytes ?? 256 * 1024,
      banMs: opts.banMs ?? 30_000,
    };
    this.rng = new Rng(opts.seed ?? this.id);
    this.ctx = new RealtimeContext<unknown>(this.id, this.rng.int(2 ** 31), (to, msg) => this.sendGossip(to, msg));
    this.core = this.o.gossip.create(this.ctx, (payload) => this.onDeliver(payload));
    this.ctx.protocol = this.core;
    this.core.start?.();
    if (typeof opts.signaling === 'string') {
      this.signaling = new SignalingClient(opts.signaling, opts.WebSocket ? { WebSocket: opts.WebSocket } : {});
      this.ownsSignaling = true;
    } else {
      this.signaling = opts.signaling;
      this.ownsSignaling = false;
    }
    this.signaling.subscribe(this.topic, opts.password ?? null, (d) => this.onSignal(d));
    this.signaling.onConnect(() => this.hello());
    if (this.signaling.connected) this.hello();
    this.every(this.o.helloMs, () => {
      this.hello();
      this.expireKnown();
    });
    this.every(this.o.antiEntropyMs, () => this.antiEntropy());
    this.every(this.o.shuffleMs, () => this.shuffle());
    this.every(250, () => this.maintain());
  }

  private every(ms: number, f: () => void): void {
    const h = setInterval(f, ms);
    (h as { unref?: () => void }).unref?.();
    this.timers.push(h);
  }

  on(cb: (e: OverlayEvent) => void): () => void {
    this.listeners.push(cb);
    return () => (this.listeners = this.listeners.filter((x) => x !== cb));
  }

  private fire(e: OverlayEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- documents -------------------------------------------------------------------------------

  /** Opens (or returns) a document of this room; pass a doc to bind an existing one (e.g. persisted). */
  openDoc(
    name: string,
    doc: Y.Doc = new Y.Doc(),
    shared?: awarenessProtocol.Awareness,
  ): { doc: Y.Doc; awareness: awarenessProtocol.Awareness } {
    if (!validDocName(name)) throw new RangeError(`document name must match [\\w.:/ -]{1,128}: ${JSON.stringify(name)}`);
    const existing = this.docs.get(name);
    if (existing) return existing;
    const awareness = shared ?? new awarenessProtocol.Awareness(doc);
    const st: DocState = {
      name,
      doc,
      awareness,
      ownsAwareness: shared === undefined,
      syncAwait: -1,
      syncAwaitAt: 0,
      syncDeferred: new Set(),
      onUpdate: (update, origin) => {
        // gossip deliveries are already being spread by the core; local edits and content that arrived
        // by anti-entropy (new here, so possibly missed by the peers that relied on us, e.g. in flight on a
        // link that closed) are broadcast; a pushed update goes on to the other neighbours. Big repairs are
        // not re-sent: a neighbour that lacks them gets them from its own anti-entropy.
        if (origin === this) return;
        if (origin === PUSH) return this.push(name, update);
        const payload = encodePayload({ kind: PAYLOAD_UPDATE, doc: name, origin: this.id, sentAt: wallMs(), update });
        if (payload.length <= this.o.maxGossipBytes) this.core.broadcast(payload);
        else if (origin !== REPAIR) this.push(name, update);
      },
      onAwareness: ({ added, updated, removed }, origin) => {
        if (origin === this) return;
        const changed = added.concat(updated, removed);
        const payload = encodePayload({ kind: PAYLOAD_AWARENESS, doc: name, awareness: awarenessProtocol.encodeAwarenessUpdate(awareness, changed) });
        // awareness is a few bytes per client; a huge one is not worth a flood
        if (payload.length <= this.o.maxGossipBytes) this.core.broadcast(payload);
      },
    };
    doc.on('update', st.onUpdate);
    awareness.on('update', st.onAwareness);
    this.docs.set(name, st);
    for (const l of this.links.values()) if (l.link.open) this.syncRequest(l, st);
    return st;
  }

  doc(name: string): Y.Doc | undefined {
    return this.docs.get(name)?.doc;
  }

  docNames(): string[] {
    return [...this.docs.keys()];
  }

  // ---- signaling & membership ------------------------------------------------------------------

  private hello(): void {
    if (this.closed) return;
    void this.signaling.publish(this.topic, { type: 'hello', from: String(this.id), links: this.links.size });
  }

  private expireKnown(): void {
    const cutoff = wallMs() - this.o.helloMs * 4;
    for (const [p, t] of this.known) if (t < cutoff && !this.links.has(p)) this.known.delete(p);
  }

  private onSignal(data: unknown): void {
    if (this.closed || typeof data !== 'object' || data === null) return;
    const m = data as Record<string, unknown>;
    if (typeof m.from !== 'string' || !PEER_ID.test(m.from)) return;
    const from = Number(m.from);
    if (from === this.id) return;
    if (m.to !== undefined && m.to !== String(this.id)) return;
    switch (m.type) {
      case 'hello':
        this.known.set(from, wallMs());
        if (this.links.size < this.o.degree) this.maintain();
        break;
      case 'bye':
        this.known.delete(from);
        break;
      case 'busy': {
        const l = this.links.get(from);
        if (l && l.initiator && !l.link.open) l.link.close('remote');
        break;
      }
      case 'signal': {
        const sdp = m.sdp as { type?: unknown; sdp?: unknown; nonce?: unknown } | undefined;
        if (!sdp || (sdp.type !== 'offer' && sdp.type !== 'answer') || typeof sdp.sdp !== 'string' || sdp.sdp.length > MAX_SDP) return;
        // the nonce names the negotiation (see Link); a malformed one is dropped with the message
        if (sdp.nonce !== undefined && (typeof sdp.nonce !== 'string' || !NONCE.test(sdp.nonce))) return;
        this.known.set(from, wallMs());
        if (sdp.type === 'offer') this.onOffer(from, sdp.sdp, sdp.nonce);
        else this.links.get(from)?.link.signal({ type: 'answer', sdp: sdp.sdp, nonce: sdp.nonce });
        break;
      }
    }
  }

  private refused(peer: number): boolean {
    if (this.blocked.has(peer)) return true;
    const until = this.banned.get(peer);
    if (until === undefined) return false;
    if (until < wallMs()) {
      this.banned.delete(peer);
      return false;
    }
    return true;
  }

  private onOffer(from: number, sdp: string, nonce: string | undefined): void {
    if (this.refused(from)) return;
    const existing = this.links.get(from);
    if (existing) {
      // glare: both sides offered; the lower id's offer wins
      if (existing.initiator && !existing.link.open && this.id > from) existing.link.close('local');
      // a new negotiation from a peer we are still answering: it gave up on the earlier one (an open
      // link is kept: a forged offer must not cut it, and a real restart shows as its channel closing)
      else if (!existing.initiator && !existing.link.open && existing.link.nonce !== (nonce ?? '')) existing.link.close('remote');
      else return;
    }
    if (this.links.size >= this.o.maxLinks) {
      void this.signaling.publish(this.topic, { type: 'busy', from: String(this.id), to: String(from) });
      return;
    }
    const st = this.createLink(from, false);
    void st.link.signal({ type: 'offer', sdp, nonce });
  }

  private createLink(peer: number, initiator: boolean): LinkState {
    const link = new Link({
      RTCPeerConnection: this.o.RTCPeerConnection,
      initiator,
      maxMessageBytes: this.o.maxMessageBytes,
      sendSignal: (sdp) => void this.signaling.publish(this.topic, { type: 'signal', from: String(this.id), to: String(peer), sdp }),
      ...(this.opts.rtcConfig ? { rtcConfig: this.opts.rtcConfig } : {}),
    });
    const st: LinkState = {
      link,
      peer,
      initiator,
      openedAt: 0,
      lastHeard: 0,
      reassembly: new Reassembler({ maxMessageBytes: this.o.maxAssembledBytes, maxBufferedBytes: this.o.maxAssembledBytes }),
      nextMsgId: 1,
    };
    this.links.set(peer, st);
    link.onopen = () => {
      st.openedAt = st.lastHeard = wallMs();
      this.stats.linksOpened++;
      this.core.neighborUp(peer);
      this.fire({ type: 'link-up', peer });
      for (const d of this.docs.values()) {
        this.syncRequest(st, d);
        // re-announce our own presence so the new neighbourhood sees our cursor now, not at the next renewal
        if (d.awareness.getLocalState() !== null) d.onAwareness({ added: [], updated: [d.doc.clientID], removed: [] }, null);
      }
    };
    link.onmessage = (bytes) => {
      st.lastHeard = wallMs();
      this.onLinkMessage(st, bytes);
    };
    link.onclose = (reason: LinkCloseReason) => {
      if (this.links.get(peer) === st) this.links.delete(peer);
      if (st.openedAt > 0) {
        this.stats.linksClosed++;
        this.core.neighborDown(peer);
        // what was in flight on that link is lost: repair from the remaining neighbours now rather than at
        // the next anti-entropy round
        if (!this.closed) for (const l of this.links.values()) if (l.link.open) for (const d of this.docs.values()) this.syncRequest(l, d);
      }
      if (reason.startsWith('violation')) {
        this.stats.violations++;
        this.banned.set(peer, wallMs() + this.o.banMs);
        this.fire({ type: 'violation', peer, reason });
      }
      this.fire({ type: 'link-down', peer, reason });
    };
    return st;
  }

  /** Opens links until `degree` (partial view, never a full mesh). */
  private maintain(): void {
    if (this.closed || !this.signaling.connected) return;
    let want = this.o.degree - this.links.size;
    if (want <= 0) return;
    const candidates = [...this.known.keys()].filter((p) => !this.links.has(p) && !this.refused(p));
    this.rng.shuffle(candidates);
    for (const p of candidates) {
      if (want-- <= 0) break;
      this.createLink(p, true);
    }
  }

  /** Trades one link for a random other, so the overlay keeps mixing (and heals after a partition). */
  private shuffle(): void {
    if (this.closed) return;
    const open = [...this.links.values()].filter((l) => l.link.open);
    if (open.length >= this.o.degree && this.links.size < this.o.maxLinks) {
      const candidates = [...this.known.keys()].filter((p) => !this.links.has(p) && !this.refused(p));
      if (candidates.length > 0) this.createLink(this.rng.pick(candidates), true);
    }
    if (open.length > this.o.degree + 1) {
      const old = open.filter((l) => wallMs() - l.openedAt > this.o.shuffleMs);
      if (old.length > 0) this.rng.pick(old).link.close('local');
    }
  }

  // ---- data path -------------------------------------------------------------------------------

  /** Sends one channel message, in frames if it is large; refuses (and counts) one over maxAssembledBytes. */
  private sendChannel(st: LinkState, m: ChannelMessage): boolean {
    const bytes = encodeChannel(m);
    if (bytes.length > this.o.maxAssembledBytes) {
      this.stats.oversize++;
      this.fire({ type: 'oversize', doc: 'doc' in m ? m.doc : '', bytes: bytes.length });
      return false;
    }
    if (bytes.length <= this.o.chunkBytes) return st.link.send(bytes);
    this.stats.chunkedOut++;
    for (const f of chunkMessage(bytes, st.nextMsgId++, this.o.chunkBytes)) if (!st.link.send(f)) return false;
    return true;
  }

  private sendGossip(to: number, msg: unknown): void {
    const st = this.links.get(to);
    if (!st) return;
    this.sendChannel(st, { type: MSG_GOSSIP, gossip: this.o.gossip.codec.encode(msg) });
  }

  /** Floods an update too big for gossip to every neighbour but the one it came from. */
  private push(doc: string, update: Uint8Array): void {
    for (const l of this.links.values())
      if (l.link.open && l.peer !== this.delivering && this.sendChannel(l, { type: MSG_PUSH, doc, update })) this.stats.pushesOut++;
  }

  private onLinkMessage(st: LinkState, frame: Uint8Array): void {
    let bytes: Uint8Array | null = frame;
    if (frame[0] === MSG_CHUNK) {
      bytes = st.reassembly.push(frame); // WireError on any lie -> Link closes this link as a violation
      if (!bytes) return;
      this.stats.chunkedIn++;
    }
    const m = decodeChannel(bytes); // WireError -> Link closes this link as a violation
    switch (m.type) {
      case MSG_GOSSIP: {
        let msg: unknown;
        try {
          msg = this.o.gossip.codec.decode(m.gossip);
        } catch (e) {
          throw new WireError(`gossip: ${(e as Error).message}`);
        }
        this.stats.gossipIn++;
        this.delivering = st.peer;
        try {
          this.core.onMessage(st.peer, msg);
        } finally {
          this.delivering = null;
        }
        break;
      }
      case MSG_SYNC_REQ: {
        this.stats.syncRequests++;
        const d = this.docs.get(m.doc);
        // a document we do not hold: an empty reply, so the asker need not wait for us
        this.sendChannel(st, { type: MSG_SYNC_REPLY, doc: m.doc, update: d ? Y.encodeStateAsUpdate(d.doc, m.stateVector) : EMPTY_UPDATE });
        break;
      }
      case MSG_SYNC_REPLY: {
        this.stats.syncReplies++;
        const d = this.docs.get(m.doc);
        if (d) {
          Y.applyUpdate(d.doc, m.update, REPAIR);
          if (d.syncAwait === st.peer) this.releaseSync(d);
        }
        break;
      }
      case MSG_PUSH: {
        this.stats.pushesIn++;
        const d = this.docs.get(m.doc);
        if (!d) return;
        this.delivering = st.peer;
        try {
          Y.applyUpdate(d.doc, m.update, PUSH);
        } finally {
          this.delivering = null;
        }
        break;
      }
    }
  }

  private onDeliver(payload: Uint8Array): void {
    let p;
    try {
      p = decodePayload(payload);
    } catch (e) {
      // a malformed payload inside well-formed gossip: cut the link that handed it to us
      const from = this.delivering;
      if (from !== null) this.links.get(from)?.link.close(`violation: ${(e as Error).message}`.slice(0, 200) as LinkCloseReason);
      return;
    }
    this.stats.gossipDelivered++;
    const d = this.docs.get(p.doc);
    if (!d) return;
    if (p.kind === PAYLOAD_UPDATE) {
      Y.applyUpdate(d.doc, p.update, this);
      const latencyMs = Math.max(0, wallMs() - p.sentAt);
      let arr = this.latency.get(p.origin);
      if (!arr) this.latency.set(p.origin, (arr = []));
      arr.push(latencyMs);
      if (arr.length > 2000) arr.splice(0, arr.length - 1000);
      this.fire({ type: 'edit-arrived', doc: p.doc, origin: p.origin, latencyMs });
    } else {
      awarenessProtocol.applyAwarenessUpdate(d.awareness, p.awareness, this);
    }
  }

  /**
   * Asks a neighbour for what we lack of a document (our state vector; the reply is the difference).
   * One request per document is in flight at a time: while its reply, maybe the whole document for a
   * peer that just joined, is on the way, requests to other neighbours wait for it and then ask only for
   * what is still missing, instead of each neighbour sending the whole document again. The others are
   * released when the reply comes, or when that neighbour goes quiet or away (see syncStalled).
   */
  private syncRequest(st: LinkState, d: DocState): void {
    if (d.syncAwait !== -1 && d.syncAwait !== st.peer && !this.syncStalled(d)) {
      d.syncDeferred.add(st.peer);
      return;
    }
    d.syncAwait = st.peer;
    d.syncAwaitAt = wallMs();
    this.sendChannel(st, { type: MSG_SYNC_REQ, doc: d.name, stateVector: Y.encodeStateVector(d.doc) });
  }

  /** Whether the awaited sync reply should no longer hold the others back. */
  private syncStalled(d: DocState): boolean {
    const l = this.links.get(d.syncAwait);
    if (!l?.link.open) return true;
    const now = wallMs();
    return now - Math.max(d.syncAwaitAt, l.lastHeard) >= SYNC_WAIT_MS || now - d.syncAwaitAt >= SYNC_MAX_WAIT_MS;
  }

  /** The awaited reply came (or will not): the held-back requests go now, with the updated state vector. */
  private releaseSync(d: DocState): void {
    d.syncAwait = -1;
    const held = [...d.syncDeferred];
    d.syncDeferred.clear();
    const sv = held.length > 0 ? Y.encodeStateVector(d.doc) : null;
    for (const p of held) {
      const l = this.links.get(p);
      if (l?.link.open && sv) this.sendChannel(l, { type: MSG_SYNC_REQ, doc: d.name, stateVector: sv });
    }
  }

  private antiEntropy(): void {
    for (const d of this.docs.values()) if (d.syncAwait !== -1 && this.syncStalled(d)) this.releaseSync(d);
    const open = [...this.links.values()].filter((l) => l.link.open);
    if (open.length === 0) return;
    const st = this.rng.pick(open);
    for (const d of this.docs.values()) this.syncRequest(st, d);
  }

  // ---- lab controls ----------------------------------------------------------------------------

  /** Refuses and closes links to these peers (a partition); `unblock` heals it. */
  block(peers: Iterable<number>): void {
    for (const p of peers) {
      this.blocked.add(p);
      this.links.get(p)?.link.close('local');
    }
  }

  unblock(): void {
    this.blocked.clear();
  }

  linkInfo(): LinkInfo[] {
    return [...this.links.values()].map((l) => ({
      peer: l.peer,
      open: l.link.open,
      initiator: l.initiator,
      bytesIn: l.link.bytesIn,
      bytesOut: l.link.bytesOut,
      messagesIn: l.link.messagesIn,
      messagesOut: l.link.messagesOut,
      lastHeard: l.lastHeard,
    }));
  }

  docInfo(): DocInfo[] {
    return [...this.docs.values()].map((d) => {
      const sv: Record<string, number> = {};
      for (const [c, clock] of Y.decodeStateVector(Y.encodeStateVector(d.doc))) sv[String(c)] = clock;
      return {
        name: d.name,
        stateVector: sv,
        pending: d.doc.store.pendingStructs !== null || d.doc.store.pendingDs !== null,
        length: d.doc.getText('text').length,
      };
    });
  }

  /** Leaves: graceful says goodbye on signaling and removes our awareness state. */
  close(graceful = true): void {
    if (this.closed) return;
    if (graceful) {
      for (const d of this.docs.values()) if (d.ownsAwareness) awarenessProtocol.removeAwarenessStates(d.awareness, [d.doc.clientID], 'local');
      void this.signaling.publish(this.topic, { type: 'bye', from: String(this.id) });
    }
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    for (const d of this.docs.values()) {
      d.doc.off('update', d.onUpdate);
      d.awareness.off('update', d.onAwareness);
      if (d.ownsAwareness) d.awareness.destroy();
    }
    for (const l of [...this.links.values()]) l.link.close('local');
    this.core.stop?.();
    this.ctx.dispose();
    if (this.ownsSignaling) {
      // let the goodbye leave before the socket closes
      setTimeout(() => this.signaling.close(), graceful ? 50 : 0);
    } else this.signaling.unsubscribe(this.topic);
  }
}
