/**
 * The live room as one picture, shared by the Live overlay view (which draws it with the Lab's graph)
 * and live recordings (which store it as frames, live-recording.ts), so what a window showed and what
 * a replay shows are the same thing: peers numbered in the order they were first seen (live ids are
 * large and sparse; a picture's ids are small), each with its name as `label`, `alive`, a state
 * (offline, error, cut off by its neighbours' trust, distrusted, else simulated or bridge for a
 * simulated population's peers, else online) and as `value` its sync progress (the edits it holds over
 * the most any peer holds, over all documents). Links are the open ones between peers of the room, one
 * per pair, with their kind when a peer reports one (a random link kept by rewiring, one chosen by its
 * metric, one on trial), or `stale` when a live peer still reports a link to a peer that is offline (it
 * has not noticed the death yet). Counters add up the peers' link traffic.
 *
 * Pure and type-only imports: the renderer runs it too.
 */
import type { ObservationData } from '../../protocols/observation.js';
import type { CountersData, PeerView, SnapshotData } from '../lab-group.js';
import type { LivePeerData } from './group.js';

/** What a peer may report beyond LivePeerData once the sync peer carries trust (optional: read when present). */
interface TrustExtras {
  trust?: { behaviour?: string; heldScore?: number; cut?: boolean } | null;
  links: (LivePeerData['links'][number] & { kind?: string })[];
}

/** Link kinds of a live frame (`[a, b, kind]`), in the order of `liveObservation.linkKinds`. */
const KIND_OF: Record<string, number> = { random: 1, metric: 2, trial: 4 };
/** A link a live peer reports to an offline one (`liveObservation.linkKinds[3]`). */
export const STALE_KIND = 3;
/**
 * When the two ends report a link differently, the one said with more (a metric link is a link too; a
 * trial is not yet chosen), and stale over all: one end is gone whatever the other thinks of the link.
 */
const RANK = [0, 1, 3, 5, 2];

/** A heldScore below this draws the peer as distrusted. */
export const DISTRUSTED_BELOW = 0.5;

export const liveObservation: ObservationData = {
  protocol: 'live',
  metrics: [
    { key: 'peers', label: 'Peers seen', unit: 'peers', description: 'Peers of the room seen since recording started.', better: null, theory: null },
    { key: 'links', label: 'Open links', unit: 'count', description: 'Open data channels between peers of the room (one per pair).', better: null, theory: null },
    { key: 'syncProgressMin', label: 'Least sync progress', unit: 'fraction', description: 'The online peer furthest behind: edits it holds over the most any peer holds.', better: 'higher', theory: null },
    { key: 'converged', label: 'Converged', unit: 'none', description: 'Every online peer holds the same state vector of every document.', better: null, theory: null },
    { key: 'cut', label: 'Peers cut off', unit: 'peers', description: 'Peers their neighbours cut off for misbehaving (trust).', better: null, theory: null },
    { key: 'rewired', label: 'Links chosen by rewiring', unit: 'count', description: 'Links reported as chosen by the rewiring metric, counted when they appear.', better: null, theory: null },
    { key: 'violations', label: 'Protocol violations', unit: 'count', description: 'Bad frames the peers refused (summed over peers).', better: 'lower', theory: null },
  ],
  series: [
    { key: 'net.online', label: 'Online peers', unit: 'peers', description: 'Peers online at each frame.', better: null, theory: null },
    { key: 'live.links', label: 'Open links', unit: 'count', description: 'Open links at each frame.', better: null, theory: null },
    { key: 'live.syncProgressMin', label: 'Least sync progress', unit: 'fraction', description: 'The online peer furthest behind, at each frame.', better: 'higher', theory: null },
    { key: 'net.messages', label: 'Messages sent', unit: 'messages', description: 'Messages sent on the open links (summed over peers).', better: null, theory: null },
    { key: 'net.bytes', label: 'Bytes sent', unit: 'bytes', description: 'Bytes sent on the open links (summed over peers).', better: null, theory: null },
  ],
  states: [
    { name: 'online', label: 'Online', colour: '#0d9488', description: 'Running and trusted (or no trust data).' },
    { name: 'simulated', label: 'Simulated peer', colour: '#7dd3fc', description: 'A peer of a simulated population the host runs in real time (live.addSimulated).' },
    { name: 'bridge', label: 'Bridge', colour: '#2563eb', description: 'The live peer in the host that joins a simulated population to the room.' },
    { name: 'distrusted', label: 'Distrusted', colour: '#f59e0b', description: `Its neighbours' mean trust in it is below ${DISTRUSTED_BELOW}.` },
    { name: 'cut', label: 'Cut off', colour: '#dc2626', description: 'Its neighbours cut it off for misbehaving.' },
    { name: 'error', label: 'Error', colour: '#7c3aed', description: 'Something keeps it from working (no relay address, a failed start).' },
    { name: 'offline', label: 'Offline', colour: '#9ca3af', description: 'Killed, stopped or gone.' },
  ],
  linkKinds: [
    { name: 'link', label: 'Link', colour: '#64748b', description: 'An open data channel.', rewiring: false },
    { name: 'random', label: 'Random link', colour: '#64748b', dashed: true, description: 'A random link rewiring keeps.', rewiring: false },
    { name: 'metric', label: 'Rewired link', colour: '#16a34a', description: 'A link chosen by the rewiring metric (latency or throughput).', rewiring: true },
    { name: 'stale', label: 'Stale link', colour: '#dc2626', dashed: true, description: 'A live peer still reports it open, but the other end is offline (not noticed yet).', rewiring: false },
    { name: 'trial', label: 'Trial link', colour: '#84cc16', dashed: true, description: 'A link rewiring is trying out: it keeps it if it measures better.', rewiring: true },
  ],
  events: [],
  value: { label: 'Sync progress', unit: 'fraction', description: 'Edits the peer holds over the most any peer holds, over all documents.' },
};

const edits = (p: LivePeerData): number => {
  let n = 0;
  for (const d of p.docs) for (const v of Object.values(d.stateVector)) n += v;
  return n;
};
const vectors = (p: LivePeerData): string => JSON.stringify(p.docs.map((d) => [d.name, Object.entries(d.stateVector).sort()]).sort());

/** One frame of the room: counters and the drawn snapshot, peers numbered by `index`. */
export function liveFrame(
  peers: readonly LivePeerData[],
  index: Map<number, number>,
  timeMs: number,
  maxPeers: number,
  seenMetric: Set<string>,
  tally: { rewired: number },
): { counters: CountersData; snapshot: SnapshotData } {
  for (const p of peers) if (!index.has(p.id)) index.set(p.id, index.size);
  const alive = peers.filter((p) => p.alive);
  const offline = new Set(peers.filter((p) => !p.alive).map((p) => p.id));
  const most = Math.max(0, ...alive.map(edits));
  const views: PeerView[] = [];
  const links = new Map<string, [number, number] | [number, number, number]>();
  let sent = 0;
  let delivered = 0;
  let bytes = 0;
  let cut = 0;
  let violations = 0;
  let least = 1;
  for (const p of [...peers].sort((a, b) => index.get(a.id)! - index.get(b.id)!)) {
    const x = p as LivePeerData & TrustExtras;
    const i = index.get(p.id)!;
    const progress = most > 0 ? edits(p) / most : 1;
    if (p.alive) least = Math.min(least, progress);
    violations += p.violations;
    if (x.trust?.cut) cut++;
    const state = !p.alive
      ? 'offline'
      : p.error
        ? 'error'
        : x.trust?.cut
          ? 'cut'
          : x.trust?.heldScore !== undefined && x.trust.heldScore < DISTRUSTED_BELOW
            ? 'distrusted'
            : p.kind === 'simulated' || p.kind === 'bridge'
              ? p.kind
              : 'online';
    if (i < maxPeers) views.push({ id: i, alive: p.alive, state, value: progress, label: p.name.slice(0, 64) });
    if (!p.alive) continue;
    for (const l of x.links) {
      sent += l.messagesOut;
      delivered += l.messagesIn;
      bytes += l.bytesOut;
      const j = index.get(l.peer);
      if (!l.open || j === undefined || j === i || i >= maxPeers || j >= maxPeers) continue;
      const [a, b] = i < j ? [i, j] : [j, i];
      const key = `${a}-${b}`;
      const kind = offline.has(l.peer) ? STALE_KIND : (KIND_OF[l.kind ?? ''] ?? 0);
      if (kind === 2 && !seenMetric.has(key)) {
        seenMetric.add(key);
        tally.rewired++;
      }
      // both ends report the link: see RANK
      const had = links.get(key);
      if (!had || RANK[had[2] ?? 0]! < RANK[kind]!) links.set(key, kind === 0 ? [a, b] : [a, b, kind]);
    }
  }
  const converged = alive.length > 0 && alive.every((p) => vectors(p) === vectors(alive[0]!));
  const counters: CountersData = {
    timeMs,
    events: 0,
    online: alive.length,
    sent,
    delivered,
    dropped: 0,
    bytesSent: bytes,
    summary: { peers: index.size, links: links.size, syncProgressMin: alive.length ? least : null, converged, cut, rewired: tally.rewired, violations },
  };
  return { counters, snapshot: { run: 0, timeMs, totalPeers: index.size, peers: views, links: [...links.values()] } };
}

