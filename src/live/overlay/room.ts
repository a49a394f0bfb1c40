/**
 * OverlayRoom: a live peer of one room (any number of Yjs documents in it), peerlab's own provider. It is
 * a thin adapter around the sans-IO sync peer (src/protocols/sync/peer.ts), the very object the
 * simulator and the deterministic test network run; this file only supplies what a real peer has:
 *
 * - time and timers: the wall clock and setTimeout;
 * - links: WebRTC data channels (link.ts), each with its own byte framing (codec, 64 KiB chunks,
 *   bounded reassembly: src/protocols/sync/wire/framing.ts); a frame that breaks the wire rules makes
 *   Link close that one link as a violation, which the peer counts and bans;
 * - the signaling server: a y-webrtc-compatible one, topic `peerlab-sync/<room>`, encrypted the y-webrtc
 *   way when the room has a password. The peer uses it only until its first link is open (and to heal a
 *   split room); every later link is found in the DHT and negotiated through the overlay;
 * - documents and awareness: local changes go to the peer (`localUpdate`, `localAwareness`), remote
 *   awareness is applied to the document's y-protocols Awareness.
 *
 * Discovery, the partial view, dissemination, anti-entropy, chunking rules and bans are the peer's
 * (docs/sync.md describes them).
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { Rng } from '../../core/index.js';
import {
  createSyncCodec,
  LinkFraming,
  parseSignaling,
  SYNC_ORIGIN,
  SyncPeer,
  toJson,
  type Frame,
  type LinkKind,
  type LinkSignal,
  type PeerTrust,
  type SignalingMsg,
  type SyncContext,
  type SyncEvent,
  type SyncHost,
  type SyncCodec,
  type SyncOptions,
  type SyncStats,
  type Behaviour,
  type TrafficClass,
  type TrustStats,
} from '../../protocols/sync/index.js';
import { connectionCerts } from '../dtls-fingerprint.js';
import { Link, type LinkCloseReason } from '../link.js';
import { SignalingClient, type WebSocketCtor } from '../signaling/client.js';

export interface OverlayOptions {
  room: string;
  /** ws:// URL of the signaling server, or a client to share. */
  signaling: string | SignalingClient;
  password?: string | null;
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  /** WebSocket class for Node (the `ws` package); the browser's global is used otherwise. */
  WebSocket?: WebSocketCtor;
  /** Peer id, a u32 unique in the room (default: the trust key's id, else random). */
  peerId?: number;
  /**
   * Trust on (src/protocols/sync/trust/): this peer's key pair (its id must be the peer id: trust-keys.ts
   * gives both) and the trust layer's options (a behaviour other than honest makes it an attacker, for
   * experiments). Every peer of a room must agree: a peer with trust and one without cannot link.
   */
  trust?: PeerTrust & { crypto: { readonly id?: number } };
  /** Display name (awareness). */
  name?: string;
  /** How updates spread: Plumtree (default) or flooding over the partial view. */
  dissemination?: 'plumtree' | 'flood';
  /** The sync peer's tuning (each documented at SyncOptions). */
  degree?: number;
  maxLinks?: number;
  antiEntropyMs?: number;
  shuffleMs?: number;
  banMs?: number;
  /** Largest channel message accepted on a link. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Frames larger than this go in chunks. Default 64 KiB (less than maxMessageBytes). */
  chunkBytes?: number;
  /** Largest frame, sent or reassembled (so the largest document that syncs). Default 32 MiB. */
  maxAssembledBytes?: number;
  /** Gossip payloads above this go out as PUSH instead. Default 256 KiB. */
  maxGossipBytes?: number;
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
  /** How the link was found (overlay mode): through signaling, in the DHT, or by the shuffle. */
  found?: LinkKind;
  /** With trust: how rewiring holds the link (a kept random link, one its metric chose, or a trial being measured). */
  kind?: 'random' | 'metric' | 'trial';
  /** With trust, on an honest peer: its trust in the far end (0..1; a stranger is 0.5). */
  score?: number;
  /** With trust: the link's measured round-trip time (moving average), once measured. */
  rttMs?: number;
}

/** What a peer with trust on says about its own judgements (the host sums the room's into per-peer views). */
export interface TrustReport {
  behaviour: Behaviour;
  /** Peers it cut off and refuses (its blacklist), at most MAX_REPORTED_CUTS. */
  cuts: number[];
  stats: TrustStats;
}

/** A message a peer published on signaling after its first link. */
export interface SignalingNote {
  /** Wall ms. */
  at: number;
  type: 'hello' | 'bye' | LinkSignal['kind'];
  /** The peer a negotiation step went to. */
  to?: number;
  /** Open links the peer held then (0: it had lost every link). */
  open: number;
}

/** Signaling notes a peer keeps. */
export const MAX_SIGNALING_NOTES = 64;

/** Cut peers a trust report lists at most. */
export const MAX_REPORTED_CUTS = 64;

export interface DocInfo {
  name: string;
  /** client id -> clock */
  stateVector: Record<string, number>;
  /** true if the doc holds updates it cannot integrate yet (missing causal predecessors) */
  pending: boolean;
  length: number;
}

/** The sync peer's counters, plus what the adapter sees. */
export interface OverlayStats extends SyncStats {
  /** Messages sent / received in chunks. */
  chunkedOut: number;
  chunkedIn: number;
  /**
   * Messages published on signaling; of those, the ones after the first link opened while the peer held
   * an open link, and the ones after it had lost every link (a new bootstrap, counted apart).
   */
  signalingPublished: number;
  signalingAfterFirstLink: number;
  signalingUnlinked: number;
  /** The latest messages published after the first link (at most MAX_SIGNALING_NOTES): what and why. */
  signalingNotes: SignalingNote[];
  /** Wall ms the first link opened (0: none yet). */
  firstLinkAt: number;
  /** Bytes sent by traffic class. */
  bytesOut: Record<TrafficClass, number>;
}

export type OverlayEvent = SyncEvent;

/** Wall-clock milliseconds with sub-ms resolution (comparable across processes on one machine). */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}

/** How long a link we drop stays up for what we sent last (a BYE) to leave. */
const LINGER_MS = 250;

/** Origin of awareness updates that came from peers (not re-broadcast). */
const REMOTE = Symbol('remote-awareness');

interface Transport {
  link: Link;
  framing: LinkFraming;
  initiator: boolean;
  lastHeard: number;
}

interface RoomDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  ownsAwareness: boolean;
  detach(): void;
}

export class OverlayRoom {
  readonly id: number;
  readonly topic: string;
  readonly peer: SyncPeer;
  /** origin peer -> recent arrival latencies (ms) of its edits here, newest last (bounded). */
  readonly latency = new Map<number, number[]>();
  private readonly transports = new Map<number, Transport>();
  private readonly docs = new Map<string, RoomDoc>();
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  private nextTimer = 1;
  private readonly signaling: SignalingClient;
  private readonly ownsSignaling: boolean;
  private readonly codec: SyncCodec;
  private readonly maxMessageBytes: number;
  private readonly chunkBytes: number;
  private readonly maxAssembledBytes: number;
  private readonly counts = { chunkedOut: 0, chunkedIn: 0, signalingPublished: 0, signalingAfterFirstLink: 0, signalingUnlinked: 0, firstLinkAt: 0 };
  private readonly notes: SignalingNote[] = [];
  private readonly bytesOut: Record<TrafficClass, number> = { updates: 0, antiEntropy: 0, awareness: 0, dht: 0, negotiation: 0, control: 0 };
  private listeners: ((e: OverlayEvent) => void)[] = [];
  private closed = false;
  private readonly t0 = performance.now();

  constructor(private readonly opts: OverlayOptions) {
    const keyId = opts.trust?.crypto.id;
    if (opts.peerId !== undefined && keyId !== undefined && opts.peerId !== keyId)
      throw new RangeError(`peerId ${opts.peerId} is not the trust key's id (${keyId}): with trust, a peer's id is its key's`);
    this.id = opts.peerId ?? keyId ?? 1 + Math.floor(Math.random() * (2 ** 32 - 2));
    this.topic = `peerlab-sync/${opts.room}`;
    this.maxMessageBytes = opts.maxMessageBytes ?? 1024 * 1024;
    // a chunk frame carries its header too: it must fit under the channel bound
    this.chunkBytes = Math.min(opts.chunkBytes ?? 64 * 1024, this.maxMessageBytes - 64);
    this.maxAssembledBytes = opts.maxAssembledBytes ?? 32 * 1024 * 1024;
    const options: SyncOptions = {
      room: opts.room,
      stampUpdates: true,
      ...(opts.dissemination ? { dissemination: opts.dissemination } : {}),
      ...(opts.degree !== undefined ? { degree: opts.degree } : {}),
      ...(opts.maxLinks !== undefined ? { maxLinks: opts.maxLinks } : {}),
      ...(opts.antiEntropyMs !== undefined ? { antiEntropyMs: opts.antiEntropyMs } : {}),
      ...(opts.shuffleMs !== undefined ? { shuffleMs: opts.shuffleMs } : {}),
      ...(opts.banMs !== undefined ? { banMs: opts.banMs } : {}),
      ...(opts.maxGossipBytes !== undefined ? { maxGossipBytes: opts.maxGossipBytes } : {}),
    };
    const rng = new Rng(opts.seed ?? (this.id ^ Math.floor(Math.random() * 2 ** 31)) >>> 0);
    const ctx: SyncContext = {
      id: this.id,
      rng,
      now: () => performance.now() - this.t0,
      setTimer: (delayMs, tag, data) => this.setTimer(delayMs, tag, data),
      cancelTimer: (id) => this.cancelTimer(id),
      emit: () => {},
    };
    this.codec = createSyncCodec({});
    this.peer = new SyncPeer(ctx, this.host(), options, {}, this.codec, opts.trust ? { crypto: opts.trust.crypto, ...(opts.trust.options ? { options: opts.trust.options } : {}) } : undefined);
    if (typeof opts.signaling === 'string') {
      this.signaling = new SignalingClient(opts.signaling, opts.WebSocket ? { WebSocket: opts.WebSocket } : {});
      this.ownsSignaling = true;
    } else {
      this.signaling = opts.signaling;
      this.ownsSignaling = false;
    }
    this.signaling.subscribe(this.topic, opts.password ?? null, (d) => {
      const m = parseSignaling(d);
      if (m && !this.closed) this.peer.onSignaling(m);
    });
    this.peer.start();
  }

  // ---- the peer's world ---------------------------------------------------------------------------

  private setTimer(delayMs: number, tag: number, data: unknown): number {
    const id = this.nextTimer++;
    const h = setTimeout(() => {
      this.timers.delete(id);
      if (!this.closed) this.peer.onTimer(tag, data);
    }, delayMs);
    (h as { unref?: () => void }).unref?.();
    this.timers.set(id, h);
    return id;
  }

  private cancelTimer(id: number): boolean {
    const h = this.timers.get(id);
    if (h === undefined) return false;
    clearTimeout(h);
    this.timers.delete(id);
    return true;
  }

  private host(): SyncHost {
    return {
      publish: (m: SignalingMsg) => {
        if (this.closed) return;
        this.counts.signalingPublished++;
        if (this.counts.firstLinkAt > 0) {
          const open = this.peer.links.open;
          if (open > 0) this.counts.signalingAfterFirstLink++;
          else this.counts.signalingUnlinked++;
          if (this.notes.length >= MAX_SIGNALING_NOTES) this.notes.shift();
          this.notes.push(m.type === 'signal' ? { at: wallMs(), type: m.sig.kind, to: m.to, open } : { at: wallMs(), type: m.type, open });
        }
        void this.signaling.publish(this.topic, toJson(m));
      },
      signalingUp: () => this.signaling.connected,
      openLink: (peer, initiator) => this.openLink(peer, initiator),
      remoteSignal: (peer, sig: LinkSignal) => {
        const t = this.transports.get(peer);
        if (t && sig.kind !== 'busy') void t.link.signal({ type: sig.kind, sdp: sig.sdp, nonce: sig.nonce });
      },
      send: (peer, frame: Frame, _bytes, cls) => this.send(peer, frame, cls),
      // KEY proofs bind the connection's DTLS certificates (a relaying man in the middle holds other ones)
      linkCerts: (peer) => {
        const t = this.transports.get(peer);
        return t?.link.open ? connectionCerts(t.link.pc) : null;
      },
      closeLink: (peer) => {
        const t = this.transports.get(peer);
        if (!t) return;
        this.transports.delete(peer);
        t.link.onclose = () => {};
        t.link.onmessage = () => {};
        // an open link may carry a BYE just sent: closing the connection at once can lose it, and the
        // other end would take the link for failed (and retry it through signaling) instead of dropped
        if (t.link.open && !this.closed) setTimeout(() => t.link.close('local'), LINGER_MS);
        else t.link.close('local');
      },
      onAwareness: (doc, update) => {
        const d = this.docs.get(doc);
        if (d) awarenessProtocol.applyAwarenessUpdate(d.awareness, update, REMOTE);
      },
      wallMs,
      event: (e) => this.onEvent(e),
    };
  }

  private openLink(peer: number, initiator: boolean): void {
    this.transports.get(peer)?.link.close('local');
    const link = new Link({
      RTCPeerConnection: this.opts.RTCPeerConnection,
      initiator,
      maxMessageBytes: this.maxMessageBytes,
      // the peer gives negotiations up by its own timeout; this one only catches a transport that hangs
      connectTimeoutMs: 30_000,
      sendSignal: (d) => {
        if (this.transports.get(peer)?.link !== link || (d.type !== 'offer' && d.type !== 'answer' && d.type !== 'candidates')) return;
        this.peer.onLocalSignal(peer, { kind: d.type, nonce: d.nonce ?? '', sdp: d.sdp, link: 'bootstrap' });
      },
      ...(this.opts.rtcConfig ? { rtcConfig: this.opts.rtcConfig } : {}),
    });
    const t: Transport = { link, framing: new LinkFraming(this.codec, { chunkBytes: this.chunkBytes, maxAssembledBytes: this.maxAssembledBytes }), initiator, lastHeard: 0 };
    this.transports.set(peer, t);
    link.onopen = () => {
      if (this.transports.get(peer) !== t) return;
      t.lastHeard = wallMs();
      if (this.counts.firstLinkAt === 0) this.counts.firstLinkAt = wallMs();
      this.peer.onLinkOpen(peer);
    };
    link.onmessage = (bytes) => {
      t.lastHeard = wallMs();
      // a SyncWireError here makes Link close the link as a violation (onclose below)
      const got = t.framing.decode(bytes);
      if (got) this.peer.onFrame(peer, got.frame, got.bytes);
      else this.peer.heard(peer);
    };
    link.onclose = (reason: LinkCloseReason) => {
      if (this.transports.get(peer) !== t) return;
      this.transports.delete(peer);
      this.peer.onLinkClosed(peer, reason);
    };
  }

  private send(peer: number, frame: Frame, cls: TrafficClass): void {
    const t = this.transports.get(peer);
    if (!t) return;
    const before = t.framing.chunkedOut;
    const msgs = t.framing.encode(frame);
    if (msgs === null) {
      this.peer.stats.oversize++;
      this.fire({ type: 'oversize', doc: 'doc' in frame ? String(frame.doc) : '', bytes: this.codec.size(frame) });
      return;
    }
    this.counts.chunkedOut += t.framing.chunkedOut - before;
    for (const m of msgs) {
      if (!t.link.send(m)) return;
      this.bytesOut[cls] += m.length;
    }
  }

  private onEvent(e: SyncEvent): void {
    if (e.type === 'edit-arrived') {
      let arr = this.latency.get(e.origin);
      if (!arr) this.latency.set(e.origin, (arr = []));
      arr.push(e.latencyMs);
      if (arr.length > 2000) arr.splice(0, arr.length - 1000);
    }
    if (e.type === 'link-up')
      // a new neighbourhood sees our cursor now, not at the awareness renewal
      for (const [name, d] of this.docs)
        if (d.awareness.getLocalState() !== null) this.peer.localAwareness(name, awarenessProtocol.encodeAwarenessUpdate(d.awareness, [d.doc.clientID]));
    this.fire(e);
  }

  on(cb: (e: OverlayEvent) => void): () => void {
    this.listeners.push(cb);
    return () => (this.listeners = this.listeners.filter((x) => x !== cb));
  }

  private fire(e: OverlayEvent): void {
    for (const l of this.listeners) l(e);
  }

  // ---- documents ----------------------------------------------------------------------------------

  /** Opens (or returns) a document of this room; pass a doc to bind an existing one (e.g. persisted). */
  openDoc(name: string, doc: Y.Doc = new Y.Doc(), shared?: awarenessProtocol.Awareness): { doc: Y.Doc; awareness: awarenessProtocol.Awareness } {
    const existing = this.docs.get(name);
    if (existing) return existing;
    this.peer.openDoc(name, doc); // RangeError on a bad name, before anything is bound
    const awareness = shared ?? new awarenessProtocol.Awareness(doc);
    // what the peer applied is already spreading; everything else (an edit, a load) is local news
    const onUpdate = (u: Uint8Array, origin: unknown): void => {
      if (origin !== SYNC_ORIGIN && !this.closed) this.peer.localUpdate(name, u);
    };
    const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
      if (origin === REMOTE || this.closed) return;
      this.peer.localAwareness(name, awarenessProtocol.encodeAwarenessUpdate(awareness, added.concat(updated, removed)));
    };
    doc.on('update', onUpdate);
    awareness.on('update', onAwareness);
    const d: RoomDoc = {
      doc,
      awareness,
      ownsAwareness: shared === undefined,
      detach: () => {
        doc.off('update', onUpdate);
        awareness.off('update', onAwareness);
      },
    };
    this.docs.set(name, d);
    return d;
  }

  doc(name: string): Y.Doc | undefined {
    return this.docs.get(name)?.doc;
  }

  docNames(): string[] {
    return [...this.docs.keys()];
  }

  // ---- lab controls and reports -------------------------------------------------------------------

  /** Refuses and closes links to these peers (a partition); `unblock` heals it. */
  block(peers: Iterable<number>): void {
    this.peer.block(peers);
  }

  unblock(): void {
    this.peer.unblock();
  }

  get stats(): OverlayStats {
    let chunkedIn = this.counts.chunkedIn;
    for (const t of this.transports.values()) chunkedIn += t.framing.chunkedIn;
    return { ...this.peer.stats, ...this.counts, chunkedIn, bytesOut: { ...this.bytesOut }, signalingNotes: this.notes.slice() };
  }

  linkInfo(): LinkInfo[] {
    const out: LinkInfo[] = [];
    const trust = this.peer.trust;
    for (const l of this.peer.links.values()) {
      const t = this.transports.get(l.peer);
      const tl = trust?.trusted(l.peer);
      out.push({
        peer: l.peer,
        open: l.open,
        initiator: l.initiator,
        bytesIn: t?.link.bytesIn ?? 0,
        bytesOut: t?.link.bytesOut ?? 0,
        messagesIn: t?.link.messagesIn ?? 0,
        messagesOut: t?.link.messagesOut ?? 0,
        lastHeard: t?.lastHeard ?? 0,
        found: l.kind,
        ...(tl ? { kind: tl.trial ? 'trial' : tl.random ? 'random' : 'metric' } : {}),
        ...(tl && trust?.judging ? { score: trust.judge.table.score(l.peer) } : {}),
        ...(tl && !Number.isNaN(tl.rtt) ? { rttMs: tl.rtt } : {}),
      });
    }
    return out;
  }

  /** With trust on: what this peer judged (null: trust off). */
  trustReport(): TrustReport | null {
    const trust = this.peer.trust;
    if (!trust) return null;
    const cuts: number[] = [];
    if (trust.judging)
      for (const [p, r] of trust.judge.table.entries()) {
        if (cuts.length >= MAX_REPORTED_CUTS) break;
        if (r.blacklisted) cuts.push(p);
      }
    return { behaviour: trust.o.behaviour, cuts, stats: { ...trust.stats } };
  }

  docInfo(): DocInfo[] {
    return [...this.docs].map(([name, d]) => {
      const sv: Record<string, number> = {};
      for (const [c, clock] of Y.decodeStateVector(Y.encodeStateVector(d.doc))) sv[String(c)] = clock;
      return { name, stateVector: sv, pending: d.doc.store.pendingStructs !== null || d.doc.store.pendingDs !== null, length: d.doc.getText('text').length };
    });
  }

  /** Leaves: graceful says goodbye (on every link and on signaling) and removes our awareness state. */
  close(graceful = true): void {
    if (this.closed) return;
    if (graceful) for (const d of this.docs.values()) if (d.ownsAwareness) awarenessProtocol.removeAwarenessStates(d.awareness, [d.doc.clientID], 'local');
    this.peer.stop(graceful);
    this.closed = true;
    for (const h of this.timers.values()) clearTimeout(h);
    this.timers.clear();
    for (const d of this.docs.values()) {
      d.detach();
      if (d.ownsAwareness) d.awareness.destroy();
    }
    for (const t of this.transports.values()) {
      t.link.onclose = () => {};
      t.link.close('local');
    }
    this.transports.clear();
    if (this.ownsSignaling) {
      // let the goodbye leave before the socket closes
      setTimeout(() => this.signaling.close(), graceful ? 50 : 0);
    } else this.signaling.unsubscribe(this.topic);
  }
}
