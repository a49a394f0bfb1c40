/**
 * BrowserPeer: a window or tab as a peer of the live network, with the browser's own WebRTC and
 * WebSocket. Same two sync modes as Node peers (overlay: OverlayRoom with the Plumtree core; ywebrtc:
 * the stock WebrtcProvider per document on room `<room>:<doc>`), documents persisted in IndexedDB
 * (y-indexeddb, database `peerlab:<room>:<doc>`). One Y.Doc and one Awareness per document survive a
 * mode switch, so an editor bound to them keeps working. Browser-only: no Node imports.
 */
import { IndexeddbPersistence } from 'y-indexeddb';
import { WebrtcProvider } from 'y-webrtc';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import { cores, defaultGossip, type CoreName } from './overlay/cores.js';
import type { GossipFactory } from './overlay/realtime.js';
import { OverlayRoom, type DocInfo, type LinkInfo } from './overlay/room.js';
import { docInfo, latencySummary, ywebrtcLinks, type LatencySummary } from './peer-state.js';

export type BrowserSyncMode = 'overlay' | 'ywebrtc';

export interface BrowserPeerOptions {
  room: string;
  signaling: string;
  password?: string | null;
  mode?: BrowserSyncMode;
  name?: string;
  /** Keep documents in IndexedDB. Default true. */
  persist?: boolean;
  degree?: number;
  maxLinks?: number;
  core?: CoreName;
  antiEntropyMs?: number;
  shuffleMs?: number;
  seed?: number;
  rtcConfig?: RTCConfiguration;
}

export interface BrowserPeerState {
  id: number;
  name: string;
  mode: BrowserSyncMode;
  links: LinkInfo[];
  docs: DocInfo[];
  latency: LatencySummary;
  violations: number;
}

interface OpenDoc {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  idb: IndexeddbPersistence | null;
  synced: Promise<void>;
}

const COLORS = ['#e6194b', '#3cb44b', '#4363d8', '#f58231', '#911eb4', '#42d4f4', '#f032e6', '#9a6324'];

export class BrowserPeer {
  readonly id: number;
  readonly name: string;
  readonly color: string;
  private modeNow: BrowserSyncMode;
  private readonly docs = new Map<string, OpenDoc>();
  private overlay: OverlayRoom | null = null;
  private readonly ywebrtc = new Map<string, WebrtcProvider>();
  private blocked = false;

  constructor(private readonly opts: BrowserPeerOptions) {
    this.id = 1 + Math.floor(Math.random() * (2 ** 48 - 2));
    this.name = opts.name ?? `tab-${this.id % 10000}`;
    this.color = COLORS[this.id % COLORS.length] as string;
    this.modeNow = opts.mode ?? 'overlay';
    this.start();
  }

  get mode(): BrowserSyncMode {
    return this.modeNow;
  }

  private gossip(): GossipFactory<unknown> {
    return this.opts.core ? (cores[this.opts.core] as GossipFactory<unknown>) : defaultGossip();
  }

  private start(): void {
    if (this.modeNow === 'overlay') {
      this.overlay = new OverlayRoom({
        room: this.opts.room,
        signaling: this.opts.signaling,
        password: this.opts.password ?? null,
        RTCPeerConnection: globalThis.RTCPeerConnection,
        peerId: this.id,
        name: this.name,
        gossip: this.gossip(),
        rtcConfig: this.opts.rtcConfig ?? { iceServers: [] },
        ...(this.opts.degree ? { degree: this.opts.degree } : {}),
        ...(this.opts.maxLinks ? { maxLinks: this.opts.maxLinks } : {}),
        ...(this.opts.antiEntropyMs ? { antiEntropyMs: this.opts.antiEntropyMs } : {}),
        ...(this.opts.shuffleMs ? { shuffleMs: this.opts.shuffleMs } : {}),
        ...(this.opts.seed !== undefined ? { seed: this.opts.seed } : {}),
      });
      for (const [name, d] of this.docs) this.overlay.openDoc(name, d.doc, d.awareness);
      if (this.blocked) this.overlay.block([]);
    } else for (const name of this.docs.keys()) this.startYwebrtc(name);
  }

  private startYwebrtc(name: string): void {
    const d = this.docs.get(name);
    if (!d || this.ywebrtc.has(name)) return;
    const p = new WebrtcProvider(`${this.opts.room}:${name}`, d.doc, {
      signaling: [this.opts.signaling],
      ...(this.opts.password ? { password: this.opts.password } : {}),
      awareness: d.awareness,
      filterBcConns: false,
      peerOpts: { config: this.opts.rtcConfig ?? { iceServers: [] } },
    } as ConstructorParameters<typeof WebrtcProvider>[2]);
    if (this.blocked) p.disconnect();
    this.ywebrtc.set(name, p);
  }

  private stop(): void {
    this.overlay?.close(true);
    this.overlay = null;
    for (const p of this.ywebrtc.values()) p.destroy();
    this.ywebrtc.clear();
  }

  setMode(mode: BrowserSyncMode): void {
    if (mode === this.modeNow) return;
    this.stop();
    this.modeNow = mode;
    this.start();
  }

  open(name: string): { doc: Y.Doc; awareness: awarenessProtocol.Awareness; synced: Promise<void> } {
    let d = this.docs.get(name);
    if (!d) {
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      awareness.setLocalStateField('user', { name: this.name, color: this.color, colorLight: `${this.color}33` });
      const idb = this.opts.persist === false ? null : new IndexeddbPersistence(`peerlab:${this.opts.room}:${name}`, doc);
      const synced = idb ? idb.whenSynced.then(() => undefined) : Promise.resolve();
      d = { doc, awareness, idb, synced };
      this.docs.set(name, d);
      if (this.overlay) this.overlay.openDoc(name, doc, awareness);
      else this.startYwebrtc(name);
    }
    return { doc: d.doc, awareness: d.awareness, synced: d.synced };
  }

  docNames(): string[] {
    return [...this.docs.keys()];
  }

  text(name: string): string {
    return this.docs.get(name)?.doc.getText('text').toString() ?? '';
  }

  /** Partition for tests: overlay refuses these peers; y-webrtc mode disconnects entirely. */
  block(peers: number[]): void {
    if (this.overlay) this.overlay.block(peers);
    else {
      this.blocked = true;
      for (const p of this.ywebrtc.values()) p.disconnect();
    }
  }

  unblock(): void {
    this.overlay?.unblock();
    if (this.blocked) {
      this.blocked = false;
      for (const p of this.ywebrtc.values()) p.connect();
    }
  }

  state(): BrowserPeerState {
    const docs: DocInfo[] = this.overlay?.docInfo() ?? [...this.docs].map(([name, d]) => docInfo(name, d.doc));
    const links: LinkInfo[] = this.overlay?.linkInfo() ?? ywebrtcLinks(this.ywebrtc.values(), Date.now()).slice(0, 64);
    return {
      id: this.id,
      name: this.name,
      mode: this.modeNow,
      links,
      docs: docs.slice(0, 32),
      latency: latencySummary(this.overlay?.latency),
      violations: this.overlay?.stats.violations ?? 0,
    };
  }

  close(): void {
    this.stop();
    for (const d of this.docs.values()) {
      awarenessProtocol.removeAwarenessStates(d.awareness, [d.doc.clientID], 'close');
      void d.idb?.destroy();
    }
    this.docs.clear();
  }
}
