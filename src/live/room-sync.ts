/**
 * RoomSync: one peer's sync of one room's documents in either mode, switchable at run time — what Node
 * peers (peer.ts) and browser peers (browser-peer.ts) share; they differ only in the WebRTC/WebSocket they
 * hand in and in how they keep documents (update logs / IndexedDB).
 * - 'overlay': peerlab's OverlayRoom (the sync peer of src/protocols/sync: DHT discovery, partial view,
 *   Plumtree, anti-entropy), all documents over one set of links;
 * - 'ywebrtc': the stock y-webrtc WebrtcProvider (full mesh), one provider per document on the y-webrtc
 *   room `<room>:<doc>` (y-webrtc allows one provider per room per JS context).
 * A partition (`block`) cuts the links to the given peers and refuses new ones, in both modes, so a peer
 * keeps its links to its own side, and it survives a mode switch. In y-webrtc mode that takes knowing who
 * is behind a y-webrtc connection: y-webrtc names a peer by a random uuid used only for signaling, so
 * RoomSync names its own `<overlay id>.<uuid>` (still an opaque string to every other y-webrtc client) and
 * refuses announces and offers from blocked ids (stock clients, whose names carry no id, are never blocked).
 * Peers entering a y-webrtc room at once glare; resolveGlare (ywebrtc-glare.ts) makes each pair one
 * working connection, with stock clients on the other end too.
 * Browser-safe: no Node imports.
 */
import { WebrtcProvider } from 'y-webrtc';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import type { Behaviour } from '../protocols/sync/index.js';
import { OverlayRoom, type DocInfo, type LinkInfo, type OverlayEvent, type OverlayOptions, type OverlayStats, type TrustReport } from './overlay/room.js';
import { docInfo, latencySummary, ywebrtcLinks, ywebrtcPeerOf, type LatencySummary } from './peer-state.js';
import type { WebSocketCtor } from './signaling/client.js';
import type { PeerKeys } from './trust-keys.js';
import { resolveGlare } from './ywebrtc-glare.js';

export type SyncMode = 'overlay' | 'ywebrtc';

/** How the overlay spreads updates: Plumtree trees, or flooding over the partial view (the baseline). */
export type CoreName = 'plumtree' | 'flood';

/** The overlay's tuning knobs a peer passes through (each documented at OverlayOptions). */
export type OverlayTuning = Pick<
  OverlayOptions,
  'degree' | 'maxLinks' | 'antiEntropyMs' | 'shuffleMs' | 'seed' | 'maxMessageBytes' | 'maxAssembledBytes'
>;

const TUNING_KEYS = ['degree', 'maxLinks', 'antiEntropyMs', 'shuffleMs', 'seed', 'maxMessageBytes', 'maxAssembledBytes'] as const;

/** The tuning knobs set in a peer's options; unset (and 0, except a seed) are left out, so the overlay's
 * defaults apply. */
function overlayTuning(o: OverlayTuning): OverlayTuning {
  const t: Record<string, number> = {};
  for (const k of TUNING_KEYS) {
    const v = o[k];
    if (v !== undefined && (v !== 0 || k === 'seed')) t[k] = v;
  }
  return t;
}

/** What a peer's options say about its room (Node and browser peers take these the same way). */
export interface RoomOptions extends OverlayTuning {
  room: string;
  /** ws:// URL of the signaling server. */
  signaling: string;
  password?: string | null;
  /** Default 'overlay'. */
  mode?: SyncMode;
  /** Dissemination in overlay mode. Default 'plumtree'. */
  core?: CoreName;
  /**
   * Overlay mode with the sync peer's trust layer (keys bound to ids, sealed updates, reputation, cuts,
   * rewiring). A property of the room: every peer of it must agree. Needs the peer's keys. Default false.
   */
  trust?: boolean;
  /** With trust: what this peer does (anything but honest is an attacker, for experiments). Default honest. */
  behaviour?: Behaviour;
  /** With trust: fellow attackers a badmouthing peer praises. */
  colluders?: number[];
}

/** What the peer itself supplies: who it is and the WebRTC/WebSocket of its platform. */
export interface RoomSyncOptions {
  /** Overlay peer id. */
  id: number;
  name: string;
  RTCPeerConnection: typeof globalThis.RTCPeerConnection;
  /** WebSocket class for Node (the `ws` package); the browser's global otherwise. */
  WebSocket?: WebSocketCtor;
  /** simple-peer options for y-webrtc (`wrtc` in Node, `config`). */
  ywebrtcPeerOpts: Record<string, unknown>;
  /** The awareness `user` field of the awareness objects RoomSync makes itself. */
  user: Record<string, unknown>;
  rtcConfig?: RTCConfiguration;
  /** The peer's key pair (trust-keys.ts); its id must be `id`. Needed when the room runs with trust. */
  keys?: PeerKeys;
}

interface SyncedDoc {
  doc: Y.Doc;
  /** Given by the owner (kept across mode switches); null: each mode makes its own. */
  awareness: awarenessProtocol.Awareness | null;
}

export class RoomSync {
  private modeNow: SyncMode;
  private overlayRoom: OverlayRoom | null = null;
  private readonly ywebrtc = new Map<string, WebrtcProvider>();
  private readonly docs = new Map<string, SyncedDoc>();
  /** The peers cut off by a partition; null when there is none. */
  private blocked: number[] | null = null;
  private listeners: ((e: OverlayEvent) => void)[] = [];

  constructor(
    private readonly room: RoomOptions,
    private readonly o: RoomSyncOptions,
  ) {
    this.modeNow = room.mode ?? 'overlay';
    if (room.trust === true && !o.keys) throw new RangeError('a room with trust needs the peer\'s keys');
    if (o.keys && o.keys.id !== o.id) throw new RangeError(`peer id ${o.id} is not its key's (${o.keys.id})`);
    if (room.trust !== true && (room.behaviour ?? 'honest') !== 'honest') throw new RangeError(`behaviour ${room.behaviour}: behaviours need a room with trust`);
    this.start();
  }

  get mode(): SyncMode {
    return this.modeNow;
  }

  get overlay(): OverlayRoom | null {
    return this.overlayRoom;
  }

  /** Overlay events (links, violations, arrivals); the subscription survives mode switches. */
  on(cb: (e: OverlayEvent) => void): void {
    this.listeners.push(cb);
  }

  private start(): void {
    if (this.modeNow === 'overlay') {
      const o = this.o;
      const room = new OverlayRoom({
        room: this.room.room,
        signaling: this.room.signaling,
        password: this.room.password ?? null,
        RTCPeerConnection: o.RTCPeerConnection,
        peerId: o.id,
        name: o.name,
        dissemination: this.room.core ?? 'plumtree',
        ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
        ...(o.rtcConfig ? { rtcConfig: o.rtcConfig } : {}),
        ...(this.room.trust === true && o.keys
          ? { trust: { crypto: o.keys, options: { behaviour: this.room.behaviour ?? 'honest', ...(this.room.colluders ? { colluders: this.room.colluders } : {}) } } }
          : {}),
        ...overlayTuning(this.room),
      });
      room.on((e) => {
        for (const l of this.listeners) l(e);
      });
      this.overlayRoom = room;
      for (const [name, d] of this.docs) this.startOverlayDoc(name, d);
      if (this.blocked) room.block(this.blocked);
    } else {
      for (const name of this.docs.keys()) this.startYwebrtc(name);
    }
  }

  private startOverlayDoc(name: string, d: SyncedDoc): void {
    const { awareness } = this.overlayRoom!.openDoc(name, d.doc, d.awareness ?? undefined);
    if (!d.awareness) awareness.setLocalStateField('user', this.o.user);
  }

  private startYwebrtc(name: string): void {
    const d = this.docs.get(name);
    if (!d || this.ywebrtc.has(name)) return;
    const awareness = d.awareness ?? new awarenessProtocol.Awareness(d.doc);
    const p = new WebrtcProvider(`${this.room.room}:${name}`, d.doc, {
      signaling: [this.room.signaling],
      ...(this.room.password ? { password: this.room.password } : {}),
      awareness,
      peerOpts: this.o.ywebrtcPeerOpts,
      filterBcConns: false,
    } as ConstructorParameters<typeof WebrtcProvider>[2]);
    if (!d.awareness) awareness.setLocalStateField('user', this.o.user);
    this.ywebrtc.set(name, p);
    // Hold the first announce until y-webrtc's Room exists (it is made once the room key is derived) and
    // carries our name. Its disconnect() there drops our awareness state, so that is put back.
    p.disconnect();
    const local = awareness.getLocalState();
    void p.key.then(() => {
      const room = p.room;
      if (!room || this.ywebrtc.get(name) !== p) return; // stopped meanwhile
      room.peerId = `${this.o.id}.${room.peerId}`;
      resolveGlare(p, room);
      // y-webrtc makes a connection for an announce or offer through `map.setIfUndefined(webrtcConns, ...)`,
      // i.e. `get` first: a blocked peer gets a stand-in that is never stored and ignores its signals
      const conns = room.webrtcConns;
      const get = conns.get.bind(conns);
      conns.get = (key: string) => (this.isBlocked(key) ? (refused() as never) : get(key));
      if (local && awareness.getLocalState() === null) awareness.setLocalState(local);
      p.connect();
    });
  }

  private isBlocked(ywebrtcName: string): boolean {
    const peer = ywebrtcPeerOf(ywebrtcName);
    return peer !== null && this.blocked !== null && this.blocked.includes(peer);
  }

  /**
   * Heals a y-webrtc partition by leaving and re-entering the room, so that our announce goes out afresh as
   * y-webrtc's own. Peers healing at the same moment hear each other's announce and both offer: a glare,
   * which resolveGlare (ywebrtc-glare.ts) settles into one connection.
   */
  private reconnect(p: WebrtcProvider): void {
    const local = p.awareness.getLocalState();
    p.disconnect();
    if (local && p.awareness.getLocalState() === null) p.awareness.setLocalState(local);
    p.connect();
  }

  private stop(graceful: boolean): void {
    this.overlayRoom?.close(graceful);
    this.overlayRoom = null;
    // Leave the room before dropping it: destroy() alone keeps the signaling socket, and every connection
    // it closes then re-subscribes and announces the old name (y-webrtc does so on each close), which
    // others answer with connections to a peer that is gone ('opening' for good).
    for (const p of this.ywebrtc.values()) p.disconnect();
    for (const p of this.ywebrtc.values()) p.destroy();
    this.ywebrtc.clear();
  }

  setMode(mode: SyncMode): void {
    if (mode === this.modeNow) return;
    this.stop(true);
    this.modeNow = mode;
    this.start();
  }

  /** Starts syncing a document (once per name); pass an awareness to keep it across mode switches. */
  add(name: string, doc: Y.Doc, awareness: awarenessProtocol.Awareness | null = null): void {
    if (this.docs.has(name)) return;
    const d = { doc, awareness };
    this.docs.set(name, d);
    if (this.overlayRoom) this.startOverlayDoc(name, d);
    else this.startYwebrtc(name);
  }

  /** A partition: closes the links to these peers and refuses them until `unblock` (both modes). */
  block(peers: number[]): void {
    this.blocked = [...(this.blocked ?? []), ...peers];
    if (this.overlayRoom) this.overlayRoom.block(peers);
    for (const p of this.ywebrtc.values())
      for (const [key, conn] of p.room?.webrtcConns ?? []) if (this.isBlocked(key)) conn.destroy();
  }

  unblock(): void {
    if (!this.blocked) return;
    this.blocked = null;
    this.overlayRoom?.unblock();
    for (const p of this.ywebrtc.values()) this.reconnect(p);
  }

  links(now: number): LinkInfo[] {
    return this.overlayRoom?.linkInfo() ?? ywebrtcLinks(this.ywebrtc.values(), now);
  }

  docInfo(): DocInfo[] {
    return this.overlayRoom?.docInfo() ?? [...this.docs].map(([name, d]) => docInfo(name, d.doc));
  }

  latency(): LatencySummary {
    return latencySummary(this.overlayRoom?.latency);
  }

  get violations(): number {
    return this.overlayRoom?.stats.violations ?? 0;
  }

  /** With trust on, in overlay mode: what this peer judged; else null. */
  trustReport(): TrustReport | null {
    return this.overlayRoom?.trustReport() ?? null;
  }

  get stats(): OverlayStats | null {
    return this.overlayRoom ? { ...this.overlayRoom.stats } : null;
  }

  close(graceful = true): void {
    this.stop(graceful);
    this.docs.clear();
  }
}

/** The stand-in connection y-webrtc gets for a blocked peer: not stored, never connects. */
function refused(): { peer: { signal(): void; destroy(): void }; glareToken: undefined; destroy(): void } {
  return { peer: { signal() {}, destroy() {} }, glareToken: undefined, destroy() {} };
}

/** What Node and browser peers expose the same way: a peer that syncs its documents through a RoomSync. */
export abstract class RoomPeer {
  protected abstract readonly sync: RoomSync;
  protected abstract docOf(name: string): Y.Doc | undefined;

  get mode(): SyncMode {
    return this.sync.mode;
  }

  setMode(mode: SyncMode): void {
    this.sync.setMode(mode);
  }

  /** A partition (see RoomSync.block). */
  block(peers: number[]): void {
    this.sync.block(peers);
  }

  unblock(): void {
    this.sync.unblock();
  }

  text(name: string): string {
    return this.docOf(name)?.getText('text').toString() ?? '';
  }
}
