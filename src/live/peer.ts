/**
 * LivePeer: one Node peer of the live network (node-datachannel WebRTC), with its documents persisted
 * in update logs, syncing in one of two modes, switchable at run time:
 * - 'overlay': peerlab's OverlayRoom (partial view, gossip, anti-entropy), all documents over one set of
 *   links;
 * - 'ywebrtc': the stock y-webrtc WebrtcProvider (full mesh), one provider per document on the y-webrtc
 *   room `<room>:<doc>` (y-webrtc allows one provider per room per JS context, which is also why the
 *   host runs each Node peer in its own process: see peer-process.ts).
 * The text of a document is its Y.Text 'text' (what the editor binds).
 */
import path from 'node:path';
import { WebrtcProvider } from 'y-webrtc';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { persistDoc, UpdateLog, type FsyncPolicy, type LoadReport } from './persistence/update-log.js';
import { cores, defaultGossip, type CoreName } from './overlay/cores.js';
import { OverlayRoom, wallMs, type DocInfo, type LinkInfo, type OverlayEvent, type OverlayStats } from './overlay/room.js';
import type { GossipFactory } from './overlay/realtime.js';
import { docInfo, latencySummary, ywebrtcLinks, type LatencySummary } from './peer-state.js';
import { nodeWrtc } from './rtc-node.js';

export type SyncMode = 'overlay' | 'ywebrtc';

export interface LivePeerOptions {
  room: string;
  signaling: string;
  password?: string | null;
  mode?: SyncMode;
  name?: string;
  /** Numeric overlay id (default random). */
  peerId?: number;
  /** Directory of this peer's update logs; none = in memory only. */
  dataDir?: string | null;
  fsync?: FsyncPolicy;
  degree?: number;
  maxLinks?: number;
  gossip?: GossipFactory<unknown>;
  /** Dissemination core by name (when `gossip` is not given). Default 'plumtree'. */
  core?: CoreName;
  antiEntropyMs?: number;
  shuffleMs?: number;
  seed?: number;
  /** Largest frame accepted on an overlay link. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Largest chunked message (so the largest document that syncs) in overlay mode. Default 32 MiB. */
  maxAssembledBytes?: number;
  bindAddress?: string;
  onWarning?: (m: string) => void;
}

export interface PeerState {
  id: number;
  name: string;
  mode: SyncMode;
  links: LinkInfo[];
  docs: DocInfo[];
  /** origin peer id -> { n, p50, p99 } of edit arrival latency here (overlay mode). */
  latency: LatencySummary;
  violations: number;
  loads: Record<string, LoadReport>;
  /** The overlay's counters (overlay mode only). */
  overlay?: OverlayStats;
}

export class LivePeer {
  readonly id: number;
  readonly name: string;
  private modeNow: SyncMode;
  private readonly docs = new Map<string, { doc: Y.Doc; detach: () => void; report: LoadReport }>();
  private overlay: OverlayRoom | null = null;
  private readonly ywebrtc = new Map<string, WebrtcProvider>();
  private readonly wrtc;
  private blockedYwebrtc = false;
  private listeners: ((e: OverlayEvent) => void)[] = [];

  constructor(private readonly opts: LivePeerOptions) {
    (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
    this.id = opts.peerId ?? 1 + Math.floor(Math.random() * (2 ** 48 - 2));
    this.name = opts.name ?? `node-${this.id % 10000}`;
    this.modeNow = opts.mode ?? 'overlay';
    this.wrtc = nodeWrtc(opts.bindAddress !== undefined ? { bindAddress: opts.bindAddress } : {});
    this.startMode();
  }

  get mode(): SyncMode {
    return this.modeNow;
  }

  on(cb: (e: OverlayEvent) => void): void {
    this.listeners.push(cb);
  }

  private startMode(): void {
    if (this.modeNow === 'overlay') {
      this.overlay = new OverlayRoom({
        room: this.opts.room,
        signaling: this.opts.signaling,
        password: this.opts.password ?? null,
        RTCPeerConnection: this.wrtc.RTCPeerConnection,
        WebSocket: WebSocket as never,
        peerId: this.id,
        name: this.name,
        gossip: this.opts.gossip ?? (this.opts.core ? (cores[this.opts.core] as GossipFactory<unknown>) : defaultGossip()),
        ...(this.opts.degree ? { degree: this.opts.degree } : {}),
        ...(this.opts.maxLinks ? { maxLinks: this.opts.maxLinks } : {}),
        ...(this.opts.antiEntropyMs ? { antiEntropyMs: this.opts.antiEntropyMs } : {}),
        ...(this.opts.shuffleMs ? { shuffleMs: this.opts.shuffleMs } : {}),
        ...(this.opts.seed !== undefined ? { seed: this.opts.seed } : {}),
        ...(this.opts.maxMessageBytes ? { maxMessageBytes: this.opts.maxMessageBytes } : {}),
        ...(this.opts.maxAssembledBytes ? { maxAssembledBytes: this.opts.maxAssembledBytes } : {}),
      });
      this.overlay.on((e) => {
        for (const l of this.listeners) l(e);
      });
      for (const [name, d] of this.docs) this.overlay.openDoc(name, d.doc);
    } else {
      for (const name of this.docs.keys()) this.startYwebrtc(name);
    }
  }

  private startYwebrtc(name: string): void {
    const d = this.docs.get(name);
    if (!d || this.ywebrtc.has(name)) return;
    const p = new WebrtcProvider(`${this.opts.room}:${name}`, d.doc, {
      signaling: [this.opts.signaling],
      ...(this.opts.password ? { password: this.opts.password } : {}),
      awareness: new awarenessProtocol.Awareness(d.doc),
      peerOpts: { wrtc: this.wrtc, config: { iceServers: [] } },
      filterBcConns: false,
    } as ConstructorParameters<typeof WebrtcProvider>[2]);
    p.awareness.setLocalStateField('user', { name: this.name });
    if (this.blockedYwebrtc) p.disconnect();
    this.ywebrtc.set(name, p);
  }

  private stopMode(graceful: boolean): void {
    this.overlay?.close(graceful);
    this.overlay = null;
    for (const p of this.ywebrtc.values()) p.destroy();
    this.ywebrtc.clear();
  }

  setMode(mode: SyncMode): void {
    if (mode === this.modeNow) return;
    this.stopMode(true);
    this.modeNow = mode;
    this.startMode();
  }

  /** Opens a document (loading it from this peer's log first) and starts syncing it. */
  open(name: string): Y.Doc {
    const have = this.docs.get(name);
    if (have) return have.doc;
    const doc = new Y.Doc();
    let detach = () => {};
    let report: LoadReport = { records: 0, skippedBytes: 0 };
    if (this.opts.dataDir) {
      const file = path.join(this.opts.dataDir, `${encodeURIComponent(name)}.ylog`);
      const log = new UpdateLog(file, {
        ...(this.opts.fsync ? { fsync: this.opts.fsync } : {}),
        onWarning: this.opts.onWarning ?? ((m) => console.warn(`[peer ${this.name}] ${m}`)),
      });
      ({ detach, report } = persistDoc(doc, log));
    }
    this.docs.set(name, { doc, detach, report });
    if (this.overlay) {
      const { awareness } = this.overlay.openDoc(name, doc);
      awareness.setLocalStateField('user', { name: this.name });
    } else this.startYwebrtc(name);
    return doc;
  }

  doc(name: string): Y.Doc | undefined {
    return this.docs.get(name)?.doc;
  }

  text(name: string): string {
    return this.docs.get(name)?.doc.getText('text').toString() ?? '';
  }

  /** A partition: overlay mode refuses links to these peers; y-webrtc mode (full mesh by design) cuts
   * this peer off entirely until `unblock`. */
  block(peers: number[]): void {
    if (this.overlay) this.overlay.block(peers);
    else {
      this.blockedYwebrtc = true;
      for (const p of this.ywebrtc.values()) p.disconnect();
    }
  }

  unblock(): void {
    this.overlay?.unblock();
    if (this.blockedYwebrtc) {
      this.blockedYwebrtc = false;
      for (const p of this.ywebrtc.values()) p.connect();
    }
  }

  state(): PeerState {
    const loads: PeerState['loads'] = {};
    for (const [n, d] of this.docs) loads[n] = d.report;
    const links: LinkInfo[] = this.overlay?.linkInfo() ?? ywebrtcLinks(this.ywebrtc.values(), wallMs());
    const docs: DocInfo[] = this.overlay?.docInfo() ?? [...this.docs].map(([name, d]) => docInfo(name, d.doc));
    const latency = latencySummary(this.overlay?.latency);
    return {
      id: this.id,
      name: this.name,
      mode: this.modeNow,
      links,
      docs,
      latency,
      violations: this.overlay?.stats.violations ?? 0,
      loads,
      ...(this.overlay ? { overlay: { ...this.overlay.stats } } : {}),
    };
  }

  close(graceful = true): void {
    this.stopMode(graceful);
    for (const d of this.docs.values()) d.detach();
    this.docs.clear();
  }
}
