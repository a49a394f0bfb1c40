/**
 * The parts of a peer's state report that Node peers (peer.ts) and browser peers (browser-peer.ts)
 * compute the same way. Pure: Yjs and y-webrtc only, no Node builtins, so the browser bundle can use it.
 */
import type { WebrtcProvider } from 'y-webrtc';
import * as Y from 'yjs';
import { quantileSorted } from '../core/index.js';
import type { DocInfo, LinkInfo } from './overlay/room.js';

export type LatencySummary = Record<string, { n: number; p50: number; p99: number }>;

/** The p-quantile of an ascending array by the one definition (src/core/stats.ts); 0 for an empty one. */
function pct(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : quantileSorted(sorted, p);
}

/** Edit arrival latency per origin peer: count, p50, p99. */
export function latencySummary(latency: ReadonlyMap<number, number[]> | undefined): LatencySummary {
  const out: LatencySummary = {};
  for (const [origin, arr] of latency ?? []) {
    const s = [...arr].sort((a, b) => a - b);
    out[String(origin)] = { n: s.length, p50: pct(s, 0.5), p99: pct(s, 0.99) };
  }
  return out;
}

/** A document's sync state from the Y.Doc itself (used where no overlay room keeps it). */
export function docInfo(name: string, doc: Y.Doc): DocInfo {
  const sv: Record<string, number> = {};
  for (const [c, clock] of Y.decodeStateVector(Y.encodeStateVector(doc))) sv[String(c)] = clock;
  return {
    name,
    stateVector: sv,
    pending: doc.store.pendingStructs !== null || doc.store.pendingDs !== null,
    length: doc.getText('text').length,
  };
}

/** Our overlay id in a y-webrtc peer name `<id>.<uuid>`; null for any other client's name. */
export function ywebrtcPeerOf(name: string): number | null {
  const m = /^(\d{1,16})\./.exec(name);
  return m ? Number(m[1]) : null;
}

/** The connections of stock y-webrtc providers, as links (y-webrtc keeps no traffic counters; the peer is
 * our id where the remote named itself the peerlab way, else 0). */
export function ywebrtcLinks(providers: Iterable<WebrtcProvider>, now: number): LinkInfo[] {
  const links: LinkInfo[] = [];
  for (const p of providers) {
    const conns = (p.room as unknown as { webrtcConns: Map<string, { connected: boolean }> } | null)?.webrtcConns;
    for (const [name, c] of conns ?? [])
      links.push({ peer: ywebrtcPeerOf(name) ?? 0, open: c.connected, initiator: false, bytesIn: 0, bytesOut: 0, messagesIn: 0, messagesOut: 0, lastHeard: now });
  }
  return links;
}
