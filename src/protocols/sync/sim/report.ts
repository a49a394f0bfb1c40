/**
 * What a simulated sync run reports: the summary (docs/sync.md defines every key), the sampled series,
 * the samples for CDFs, the overlay snapshot (peers coloured by how far behind they are, links by how
 * they were found) and one peer's inspection.
 */
import * as Y from 'yjs';
import type { PeerId } from '../../../core/index.js';
import { quantileSorted } from '../../../core/stats.js';
import type { OverlaySnapshot, Series, SnapshotLink, SummaryValue } from '../../driver.js';
import { boundedTable, type PeerInspection } from '../../observation.js';
import { hashBytes } from '../docs.js';
import { LINK_KINDS } from '../wire/frames.js';
import { SimSyncPeer } from './peers.js';
import type { SyncRunState } from './run.js';

const r3 = (x: number | null): number | null => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);

/** Distinct replicas among the online peers (text and state vector). */
export function distinctReplicas(run: SyncRunState): number {
  const seen = new Set<string>();
  for (let p = 0; p < run.world.size; p++) {
    if (!run.peer(p)) continue;
    const doc = run.docOf(p);
    const [a, b] = hashBytes([Y.encodeStateVector(doc), new TextEncoder().encode(doc.getText('text').toString())]);
    seen.add(`${a}.${b}`);
  }
  return seen.size;
}

export function summary(run: SyncRunState): Record<string, SummaryValue> {
  const m = run.meter;
  const n = run.world.size;
  const edits = Math.max(1, run.editsMade);
  const times = m.convergenceTimes().sort((a, b) => a - b);
  const st = run.room.stats;
  let published = 0;
  let afterLink = 0;
  for (let p = 0; p < n; p++) {
    published += st.published[p]!;
    afterLink += st.publishedAfterLink[p]!;
  }
  let online = 0;
  let links = 0;
  for (let p = 0; p < n; p++) {
    const peer = run.peer(p);
    if (!peer) continue;
    online++;
    links += peer instanceof SimSyncPeer ? peer.sync.links.open : peer.openPeers().length;
  }
  const distinct = distinctReplicas(run);
  const b = m.bytes;
  const doc = b.updates + b.antiEntropy;
  const total = b.updates + b.antiEntropy + b.awareness + b.dht + b.negotiation + b.control;
  let maxUpload = 0;
  for (let p = 0; p < n; p++) maxUpload = Math.max(maxUpload, m.upload[p]!);
  const d = run.shared.discovery;
  const overlay = run.params.mode !== 'ywebrtc';
  const s = run.shared.sync;
  return {
    mode: run.params.mode,
    converged: distinct <= 1 && m.unconverged === 0,
    distinctDigests: distinct,
    edits: run.editsMade,
    editsUnconverged: m.unconverged,
    convergenceP50Ms: r3(times.length ? quantileSorted(times, 0.5) : null),
    convergenceP99Ms: r3(times.length ? quantileSorted(times, 0.99) : null),
    convergenceMaxMs: r3(times.length ? times[times.length - 1]! : null),
    bytesPerEditPerPeer: r3(doc / edits / n),
    antiEntropyBytesPerPeer: r3(b.antiEntropy / n),
    maxUploadBytesPerEdit: r3(maxUpload / edits),
    joinBytesPerDocByte: r3(m.joinRatios.length ? m.joinRatios.reduce((a, x) => a + x, 0) / m.joinRatios.length : null),
    joinersCaughtUp: m.joinRatios.length,
    docBytes: Y.encodeStateAsUpdate(m.reference).length,
    signalingMessagesPerPeer: r3(published / n),
    signalingAfterFirstLinkPerPeer: r3(afterLink / n),
    signalingFanoutPerPeer: r3(st.serverFanout / n),
    linksPerPeer: r3(online ? links / online : 0),
    lookupHopsMean: overlay && d.lookups > 0 ? r3(d.lookupHopsSum / d.lookups) : null,
    totalBytesPerPeer: r3(total / n),
    updateBytesPerPeer: r3(b.updates / n),
    awarenessBytesPerPeer: r3(b.awareness / n),
    dhtBytesPerPeer: r3(b.dht / n),
    negotiationBytesPerPeer: r3(b.negotiation / n),
    controlBytesPerPeer: r3(b.control / n),
    linksOpened: st.linksOpened,
    linksTimedOut: overlay ? s.linksTimedOut : null,
    violations: overlay ? s.violations : null,
  };
}

export function series(run: SyncRunState): Record<string, Series> {
  const s = run.series;
  return {
    synced: { t: s.t, v: s.synced },
    lagMean: { t: s.t, v: s.lag },
    linksMean: { t: s.t, v: s.links },
    edits: { t: s.t, v: s.edits },
  };
}

export function samples(run: SyncRunState): Record<string, number[]> {
  return { convergenceMs: run.meter.convergenceTimes(), joinBytesPerDocByte: run.meter.joinRatios };
}

/** Which state a peer is drawn in. */
function stateOf(run: SyncRunState, p: PeerId): { state: string; value?: number } {
  const peer = run.peer(p);
  if (!peer) return { state: 'offline' };
  const links = peer instanceof SimSyncPeer ? peer.sync.links.open : peer.openPeers().length;
  if (links === 0) return { state: 'alone', value: run.meter.lag(p) };
  const lag = run.meter.lag(p);
  return { state: lag === 0 ? 'synced' : 'behind', value: lag };
}

export function snapshot(run: SyncRunState, maxPeers = 500): OverlaySnapshot {
  const n = Math.min(run.world.size, maxPeers);
  const peers: OverlaySnapshot['peers'] = [];
  const links: SnapshotLink[] = [];
  for (let p = 0; p < n; p++) {
    peers.push({ id: p, alive: run.world.alive[p] === 1, ...stateOf(run, p) });
    const peer = run.peer(p);
    if (!peer) continue;
    if (peer instanceof SimSyncPeer) {
      for (const l of peer.sync.linkKinds()) if (l.peer > p && l.peer < n) links.push([p, l.peer, LINK_KINDS.indexOf(l.kind as (typeof LINK_KINDS)[number])]);
    } else for (const q of peer.openPeers()) if (q > p && q < n) links.push([p, q, 0]);
  }
  return { timeMs: run.world.sim.now, peers, links };
}

export function inspect(run: SyncRunState, p: PeerId): PeerInspection {
  const peer = run.peer(p);
  if (!peer) return { neighbours: [], sections: [{ kind: 'facts', title: 'Peer', rows: [{ label: 'state', value: 'offline' }] }] };
  const doc = run.docOf(p);
  const rows = [
    { label: 'edits missing', value: run.meter.lag(p), unit: 'count' as const },
    { label: 'text length', value: doc.getText('text').length, unit: 'count' as const },
    { label: 'editor', value: run.editors.includes(p) },
  ];
  if (peer instanceof SimSyncPeer) {
    const s = peer.sync;
    rows.push(
      { label: 'links', value: s.links.open, unit: 'count' as const },
      { label: 'negotiating', value: s.links.opening, unit: 'count' as const },
      { label: 'members known', value: s.view.candidateCount, unit: 'count' as const },
      { label: 'DHT contacts', value: s.discovery.tableSize, unit: 'count' as const },
      { label: 'routes', value: s.relay.routes.size, unit: 'count' as const },
      { label: 'lost peers retried', value: s.view.healing, unit: 'count' as const },
    );
    const table = s.links.openLinks().map((l) => [l.peer, l.kind, l.initiator ? 'out' : 'in', Math.round(run.world.sim.now - l.openedAt), l.bytesIn, l.bytesOut]);
    return {
      neighbours: s.links.neighbours(),
      sections: [
        { kind: 'facts', title: 'Sync peer', rows },
        boundedTable('Links', [{ label: 'peer' }, { label: 'found by' }, { label: 'direction' }, { label: 'age', unit: 'ms' }, { label: 'in', unit: 'bytes' }, { label: 'out', unit: 'bytes' }], table, { peerColumn: 0 }),
      ],
    };
  }
  rows.push({ label: 'connections', value: peer.connections, unit: 'count' as const }, { label: 'max connections', value: peer.maxConns, unit: 'count' as const });
  return { neighbours: peer.openPeers(), sections: [{ kind: 'facts', title: 'y-webrtc peer', rows }] };
}
