/** Peers' reports (`live.peers`) as the host sends them, with the trust and link kinds peers may add, for the Live view's tests. */
import type { LivePeerData } from '../../src/host/live/group.js';

export type LinkKind = 'random' | 'metric' | 'trial';
export type Trust = { heldScore: number; cut: boolean; behaviour?: string };
export type ReportedLink = LivePeerData['links'][number] & { kind?: LinkKind };
export type ReportedPeer = LivePeerData;

export function liveLink(peer: number, o: { open?: boolean; kind?: LinkKind | undefined; bytes?: number } = {}): ReportedLink {
  const bytes = o.bytes ?? 100;
  return { peer, open: o.open ?? true, initiator: false, bytesIn: bytes, bytesOut: bytes, messagesIn: 1, messagesOut: 1, lastHeard: 0, ...(o.kind ? { kind: o.kind } : {}) };
}

export function livePeer(id: number, o: { alive?: boolean; links?: ReportedLink[]; sv?: Record<string, number>; trust?: Trust | undefined; kind?: LivePeerData['kind'] } = {}): ReportedPeer {
  return {
    id,
    name: `node-${id}`,
    kind: o.kind ?? 'node',
    alive: o.alive ?? true,
    mode: 'overlay',
    links: o.links ?? [],
    docs: [{ name: 'main', stateVector: o.sv ?? {}, pending: false, length: 0 }],
    latency: {},
    violations: 0,
    updatedAt: 0,
    // only the fields the Live view reads (the host's report also carries cuts, cutBy, stats)
    ...(o.trust ? { trust: { behaviour: 'honest', cuts: [], cutBy: 0, ...o.trust } as unknown as LivePeerData['trust'] } : {}),
  };
}
