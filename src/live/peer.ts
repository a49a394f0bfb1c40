/**
 * LivePeer: one Node peer of the live network (node-datachannel WebRTC), with its documents persisted
 * in update logs, syncing in one of two modes switchable at run time (overlay / y-webrtc: see
 * room-sync.ts, shared with browser peers). y-webrtc allows one provider per room per JS context, which is
 * also why the host runs each Node peer in its own process (see peer-process.ts).
 * The text of a document is its Y.Text 'text' (what the editor binds).
 */
import path from 'node:path';
import * as Y from 'yjs';
import WebSocket from 'ws';
import { logger } from '../core/index.js';
import { persistDoc, UpdateLog, type FsyncPolicy, type LoadReport } from './persistence/update-log.js';
import { wallMs, type DocInfo, type LinkInfo, type OverlayEvent, type OverlayStats, type TrustReport } from './overlay/room.js';
import type { LatencySummary } from './peer-state.js';
import { RoomPeer, RoomSync, type RoomOptions, type SyncMode } from './room-sync.js';
import { parseIceSettings, RelayCheck, type IceServer, type IceStatus, type IceTransportPolicy } from './ice.js';
import { nodeWrtc } from './rtc-node.js';
import { guardedWebSocket } from './ws-node.js';
import type { PeerKeys } from './trust-keys.js';

const peerLog = logger('live:peer');

export type { SyncMode } from './room-sync.js';

/** Room, mode, core and overlay tuning as in RoomOptions (room-sync.ts), plus: */
export interface LivePeerOptions extends RoomOptions {
  name?: string;
  /** Numeric overlay id (default: the key's id, else random). */
  peerId?: number;
  /** The peer's key pair (trust-keys.ts; a Node peer keeps it in its data directory). Needed with trust. */
  keys?: PeerKeys;
  /** Directory of this peer's update logs; none = in memory only. */
  dataDir?: string | null;
  fsync?: FsyncPolicy;
  bindAddress?: string;
  /** STUN/TURN servers (ice.ts); with any TURN server (or policy 'relay') the peer checks it gets a relay address. */
  iceServers?: IceServer[];
  iceTransportPolicy?: IceTransportPolicy;
  onWarning?: (m: string) => void;
}

/** What a Node peer reports about itself (the host polls it and shows it in the Live overlay view). */
export interface PeerReport {
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
  /** Whether the configured TURN servers give this peer a relay address (see ice.ts). */
  ice: IceStatus;
  /** With trust on (overlay mode): its behaviour, the peers it cut, its trust counters. */
  trust?: TrustReport;
}

export class LivePeer extends RoomPeer {
  readonly id: number;
  readonly name: string;
  private readonly docs = new Map<string, { doc: Y.Doc; detach: () => void; report: LoadReport }>();
  protected readonly sync: RoomSync;
  private readonly relay: RelayCheck;

  constructor(private readonly opts: LivePeerOptions) {
    super();
    this.id = opts.peerId ?? opts.keys?.id ?? 1 + Math.floor(Math.random() * (2 ** 32 - 2));
    this.name = opts.name ?? `node-${this.id % 10000}`;
    const warn = opts.onWarning ?? ((m) => peerLog.warn(`${this.name}: ${m}`));
    // for y-webrtc, which takes the global WebSocket (Node 20 has none; a Node 22 one is replaced so the
    // fence below holds there too)
    (globalThis as { WebSocket?: unknown }).WebSocket = guardedWebSocket((e) => warn(`y-webrtc signaling message dropped: ${(e as Error).message}`));
    const ice = parseIceSettings(opts);
    const bind = opts.bindAddress !== undefined ? { bindAddress: opts.bindAddress } : {};
    const wrtc = nodeWrtc({ ...bind, ...ice });
    let reported: string | null = null;
    this.relay = new RelayCheck(nodeWrtc({ ...bind, ...ice, iceTransportPolicy: 'relay', offerCandidates: 'at-once' }).RTCPeerConnection, ice, {
      onChange: (st) => {
        if (st.error && st.error !== reported) warn(st.error);
        reported = st.error;
      },
    });
    this.sync = new RoomSync(opts, {
      id: this.id,
      name: this.name,
      RTCPeerConnection: wrtc.RTCPeerConnection,
      WebSocket: WebSocket as never,
      // rtc-node.ts applies the peer's ICE settings to every connection, simple-peer's included
      ywebrtcPeerOpts: { wrtc, config: { iceServers: [] } },
      user: { name: this.name },
      ...(opts.keys ? { keys: opts.keys } : {}),
    });
  }

  on(cb: (e: OverlayEvent) => void): void {
    this.sync.on(cb);
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
        onWarning: this.opts.onWarning ?? ((m) => peerLog.warn(`${this.name}: ${m}`)),
      });
      ({ detach, report } = persistDoc(doc, log));
    }
    this.docs.set(name, { doc, detach, report });
    this.sync.add(name, doc);
    return doc;
  }

  doc(name: string): Y.Doc | undefined {
    return this.docs.get(name)?.doc;
  }

  protected docOf(name: string): Y.Doc | undefined {
    return this.doc(name);
  }

  state(): PeerReport {
    const loads: PeerReport['loads'] = {};
    for (const [n, d] of this.docs) loads[n] = d.report;
    const stats = this.sync.stats;
    const trust = this.sync.trustReport();
    return {
      id: this.id,
      name: this.name,
      mode: this.sync.mode,
      links: this.sync.links(wallMs()),
      docs: this.sync.docInfo(),
      latency: this.sync.latency(),
      violations: this.sync.violations,
      loads,
      ...(stats ? { overlay: stats } : {}),
      ice: this.relay.status(),
      ...(trust ? { trust } : {}),
    };
  }

  close(graceful = true): void {
    this.relay.close();
    this.sync.close(graceful);
    for (const d of this.docs.values()) d.detach();
    this.docs.clear();
  }
}
