/**
 * BrowserPeer: a window or tab as a peer of the live network, with the browser's own WebRTC and
 * WebSocket. Same two sync modes as Node peers (room-sync.ts: overlay with the Plumtree core, or the stock
 * y-webrtc WebrtcProvider per document on room `<room>:<doc>`), documents persisted in IndexedDB
 * (y-indexeddb, database `peerlab:<room>:<doc>`). One Y.Doc and one Awareness per document survive a
 * mode switch, so an editor bound to them keeps working. Browser-only: no Node imports.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { RelayCheck, type IceServer } from './ice.js';
import type { DocInfo, LinkInfo, TrustReport } from './overlay/room.js';
import type { LatencySummary } from './peer-state.js';
import { RoomPeer, RoomSync, type RoomOptions, type SyncMode } from './room-sync.js';
import type { PeerKeys } from './trust-keys.js';

// a window makes its key pair with this (the renderer may import src/live/ through this file only)
export { createPeerKeys, type PeerKeys } from './trust-keys.js';

export type BrowserSyncMode = SyncMode;

/** Room, mode, core and overlay tuning as in RoomOptions (room-sync.ts), plus: */
export interface BrowserPeerOptions extends RoomOptions {
  name?: string;
  /** Keep documents in IndexedDB. Default true. */
  persist?: boolean;
  rtcConfig?: RTCConfiguration;
  /**
   * The window's key pair (trust-keys.ts `createPeerKeys()`), needed when the room runs with trust; the
   * peer id is its key's. A window makes one per session: nothing it stores is keyed by its peer id
   * (documents live in IndexedDB by room and name), and a key kept in the page's storage would be
   * readable by any script of the page anyway.
   */
  keys?: PeerKeys;
}

export interface BrowserPeerReport {
  id: number;
  name: string;
  mode: BrowserSyncMode;
  links: LinkInfo[];
  docs: DocInfo[];
  latency: LatencySummary;
  violations: number;
  /** Why its TURN servers give it no relay address (see ice.ts), or null. */
  error: string | null;
  /** With trust on (overlay mode): its behaviour, the peers it cut, its trust counters; else null. */
  trust: TrustReport | null;
}

interface OpenDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  idb: IndexeddbPersistence | null;
  synced: Promise<void>;
}

const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];

export class BrowserPeer extends RoomPeer {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  private readonly docs = new Map<string, OpenDoc>();
  protected readonly sync: RoomSync;
  private readonly relay: RelayCheck;

  constructor(private readonly opts: BrowserPeerOptions) {
    super();
    this.id = opts.keys?.id ?? 1 + Math.floor(Math.random() * (2 ** 32 - 2));
    this.name = opts.name ?? `tab-${this.id % 10000}`;
    this.color = COLORS[this.id % COLORS.length]!;
    const rtcConfig = opts.rtcConfig ?? { iceServers: [] };
    const iceServers = (rtcConfig.iceServers ?? []).map(
      (x): IceServer => ({ urls: typeof x.urls === 'string' ? [x.urls] : [...x.urls], ...(x.username ? { username: x.username } : {}), ...(x.credential ? { credential: x.credential } : {}) }),
    );
    this.relay = new RelayCheck(globalThis.RTCPeerConnection, { iceServers, iceTransportPolicy: rtcConfig.iceTransportPolicy ?? 'all' });
    this.sync = new RoomSync(opts, {
      id: this.id,
      name: this.name,
      RTCPeerConnection: globalThis.RTCPeerConnection,
      ywebrtcPeerOpts: { config: rtcConfig },
      rtcConfig,
      user: this.user(),
      ...(opts.keys ? { keys: opts.keys } : {}),
    });
  }

  private user(): Record<string, unknown> {
    return { name: this.name, color: this.color, colorLight: `${this.color}33` };
  }

  open(name: string): { doc: Y.Doc; awareness: awarenessProtocol.Awareness; synced: Promise<void> } {
    let d = this.docs.get(name);
    if (!d) {
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalStateField('user', this.user());
      const idb = this.opts.persist === false ? null : new IndexeddbPersistence(`peerlab:${this.opts.room}:${name}`, doc);
      const synced = idb ? idb.whenSynced.then(() => undefined) : Promise.resolve();
      d = { doc, awareness, idb, synced };
      this.docs.set(name, d);
      this.sync.add(name, doc, awareness);
    }
    return { doc: d.doc, awareness: d.awareness, synced: d.synced };
  }

  protected docOf(name: string): Y.Doc | undefined {
    return this.docs.get(name)?.doc;
  }

  docNames(): string[] {
    return [...this.docs.keys()];
  }

  state(): BrowserPeerReport {
    return {
      id: this.id,
      name: this.name,
      mode: this.sync.mode,
      links: this.sync.links(Date.now()).slice(0, 64),
      docs: this.sync.docInfo().slice(0, 32),
      latency: this.sync.latency(),
      violations: this.sync.violations,
      error: this.relay.status().error,
      trust: this.sync.trustReport(),
    };
  }

  close(): void {
    this.relay.close();
    this.sync.close(true);
    for (const d of this.docs.values()) {
      awarenessProtocol.removeAwarenessStates(d.awareness, [d.doc.clientID], 'close');
      void d.idb?.destroy();
    }
    this.docs.clear();
  }
}
