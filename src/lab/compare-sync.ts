/**
 * The sync study of `peerlab compare`: 20 editors' edits to one Yjs document replicated at every peer
 * (`protocol.type: sync`), carried three ways over the same modelled network: peerlab's sync overlay
 * (DHT discovery, Plumtree trees, anti-entropy), the stock y-webrtc provider's model (a mesh of 20-34
 * connections per peer, every update to every connection) and flooding over the overlay's links. At each
 * size: how fast an edit reaches every replica (p50, p99), what an edit costs per peer, the links a peer
 * holds, and what a late joiner takes in against the document's size.
 */
import type { SummaryValue } from '../protocols/driver.js';

export type SyncProto = 'sync-overlay' | 'sync-ywebrtc' | 'sync-flood';
export const SYNC_PROTOS: SyncProto[] = ['sync-overlay', 'sync-ywebrtc', 'sync-flood'];

const MODE: Record<SyncProto, string> = { 'sync-overlay': 'overlay', 'sync-ywebrtc': 'ywebrtc', 'sync-flood': 'flood' };

export interface SyncStudyConfig {
  /** Room sizes for every mode; the overlay also runs at `syncOverlayPeers` beyond them. */
  syncPeers: number[];
  syncOverlayPeers: number[];
  syncSeeds: number;
  /** Edits in a run (from up to 20 editors at 10 per second). */
  syncEdits: number;
}

export const SYNC_EDITORS = 20;
export const SYNC_EDIT_INTERVAL_MS = 100;
/** Peers join over the first 10 s; the edits start at 15 s. */
export const SYNC_JOIN_WINDOW_MS = 10_000;
export const SYNC_START_MS = 15_000;

export function syncStudyConfig(quick: boolean): SyncStudyConfig {
  // No 10^4 overlay point: a 2,000-peer overlay run already takes ~7 min and 3 GB (the relay's and the
  // DHT's per-peer state grow with the room; docs/sync.md), so 10^4 would hold the study for an hour or
  // more. syncOverlayPeers takes it once it fits.
  return quick ? { syncPeers: [10, 30], syncOverlayPeers: [], syncSeeds: 1, syncEdits: 40 } : { syncPeers: [10, 100, 1000], syncOverlayPeers: [], syncSeeds: 2, syncEdits: 200 };
}

/** Editors and late joiners at a room size: 20 editors, and a tenth of the room joining late, at most 20. */
export function syncRoles(peers: number): { editors: number; joiners: number } {
  return { editors: Math.max(1, Math.min(SYNC_EDITORS, Math.floor(peers / 2))), joiners: Math.max(1, Math.min(20, Math.floor(peers / 10))) };
}

/** The `protocol` / `workload` / `until` of a sync case (the caller adds name, seed, peers, network). */
export function syncSections(proto: SyncProto, peers: number, cfg: SyncStudyConfig): Record<string, unknown> {
  const { editors, joiners } = syncRoles(peers);
  return {
    protocol: { type: 'sync', mode: MODE[proto] },
    workload: { editors, edits: cfg.syncEdits, startMs: SYNC_START_MS, intervalMs: SYNC_EDIT_INTERVAL_MS, joiners, joinWindowMs: SYNC_JOIN_WINDOW_MS },
    until: { complete: true, max: '10m' },
  };
}

/** What the study reads from a sync run's summary (docs/sync.md defines the keys). */
export interface SyncMetrics {
  /** p99 / p50 of an edit's time until every replica online then applied it (ms). */
  timeMs: number | null;
  convergenceP50Ms: number | null;
  /** Share of the edits every replica applied (1 when the room converged). */
  reliability: number;
  bytesPerPeer: number;
  bytesPerEditPerPeer: number | null;
  linksPerPeer: number | null;
  joinBytesPerDocByte: number | null;
  signalingPerPeer: number | null;
}

const num = (v: SummaryValue | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function syncMetrics(s: Record<string, SummaryValue>): SyncMetrics {
  const edits = num(s.edits) ?? 0;
  const unconverged = num(s.editsUnconverged) ?? 0;
  // an edit some replica never applied has no convergence time: the run's p99 then says nothing
  const converged = s.converged === true;
  return {
    timeMs: converged ? num(s.convergenceP99Ms) : null,
    convergenceP50Ms: num(s.convergenceP50Ms),
    reliability: edits > 0 ? (edits - unconverged) / edits : converged ? 1 : 0,
    bytesPerPeer: num(s.totalBytesPerPeer) ?? 0,
    bytesPerEditPerPeer: num(s.bytesPerEditPerPeer),
    linksPerPeer: num(s.linksPerPeer),
    joinBytesPerDocByte: num(s.joinBytesPerDocByte),
    signalingPerPeer: num(s.signalingMessagesPerPeer),
  };
}
