/**
 * RoomSync: one peer's sync of one room's documents in either mode, switchable at run time — what Node
 * peers (peer.ts) and browser peers (browser-peer.ts) share; they differ only in the WebRTC/WebSocket they
 * hand in and in how they keep documents (update logs / IndexedDB).
 * - 'overlay': peerlab's OverlayRoom (partial view, gossip, anti-entropy), all documents over one set of
 *   links;
 * - 'ywebrtc': the stock y-webrtc WebrtcProvider (full mesh), one provider per document on the y-webrtc
 *   room `<room>:<doc>` (y-webrtc allows one provider per room per JS context).
 * A partition (`block`) survives a mode switch. Browser-safe: no Node imports.
 */
import { WebrtcProvider } from 'y-webrtc';
import * as awarenessProtocol from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { OverlayRoom, type DocInfo, type LinkInfo, type OverlayEvent, type OverlayOptions, type OverlayStats } from './overlay/room.js';
import { cores, defaultGossip, type CoreName } from './overlay/cores.js';
import type { GossipFactory } from './overlay/realtime.js';
import { docInfo, latencySummary, ywebrtcLinks, type LatencySummary } from './peer-state.js';
import type { WebSocketCtor } from './signaling/client.js';

export type SyncMode = 'overlay' | 'ywebrtc';

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
  /** Dissemination core by name (when `gossip` is not given). Default 'plumtree'. */
  core?: CoreName;
  gossip?: GossipFactory<unknown>;
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

  private readonly gossip: GossipFactory<unknown>;

  constructor(
    private readonly room: RoomOptions,
    private readonly o: RoomSyncOptions,
  ) {
    this.modeNow = room.mode ?? 'overlay';
    this.gossip = room.gossip ?? (room.core ? (cores[room.core] as GossipFactory<unknown>) : defaultGossip());
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
        gossip: this.gossip,
        ...(o.WebSocket ? { WebSocket: o.WebSocket } : {}),
        ...(o.rtcConfig ? { rtcConfig: o.rtcConfig } : {}),
        ...overlayTuning(this.room),
      });
      room.on((e) => {
        for (const l of this.listeners) l(e);
      });
      this.overlayRoom = room;
      for (const [name, d] of this.docs) this.startOverlayDoc(name, d);
      if (this.blocked) room.block(this.blocked);
    } else for (const name of this.docs.keys()) this.startYwebrtc(name);
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
    if (this.blocked) p.disconnect();
    this.ywebrtc.set(name, p);
  }

  private stop(graceful: boolean): void {
    this.overlayRoom?.close(graceful);
    this.overlayRoom = null;
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

  /** A partition: overlay mode refuses links to these peers; y-webrtc mode (full mesh by design) cuts
   * this peer off entirely until `unblock`. */
  block(peers: number[]): void {
    this.blocked = [...(this.blocked ?? []), ...peers];
    if (this.overlayRoom) this.overlayRoom.block(peers);
    else for (const p of this.ywebrtc.values()) p.disconnect();
  }

  unblock(): void {
    if (!this.blocked) return;
    this.blocked = null;
    this.overlayRoom?.unblock();
    for (const p of this.ywebrtc.values()) p.connect();
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

  get stats(): OverlayStats | null {
    return this.overlayRoom ? { ...this.overlayRoom.stats } : null;
  }

  close(graceful = true): void {
    this.stop(graceful);
    this.docs.clear();
  }
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
