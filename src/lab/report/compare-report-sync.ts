/**
 * The sync section of the `peerlab compare` report: one Yjs document replicated at every peer, edited by
 * up to 20 peers, carried by the sync overlay, the stock y-webrtc provider's model and flooding, at each
 * room size: time for an edit to reach every replica, bytes per edit, links, and a late joiner's cost.
 */
import { NETWORK, PROTO_LABEL, type CompareResult, type Metrics, type Proto } from '../compare-study.js';
import { SYNC_EDIT_INTERVAL_MS, SYNC_PROTOS, syncRoles } from '../compare-sync.js';
import { round } from '../units.js';
import { barChart, cdfChart, lineChart, type LineSeries } from './charts.js';
import { mean, ms, num, pct } from './compare-format.js';
import { table, type Section } from './html.js';


export function syncSection(r: CompareResult, colour: Record<Proto, string>): Section | undefined {
  const groups = r.groups.filter((g) => g.study === 'sync');
  if (groups.length === 0) return undefined;
  const g = (p: Proto, n: number) => groups.find((x) => x.proto === p && x.peers === n);
  const protos = SYNC_PROTOS.filter((p) => groups.some((x) => x.proto === p));
  const peers = [...new Set(groups.map((x) => x.peers))].sort((a, b) => a - b);
  const rows: string[][] = [];
  for (const n of peers)
    for (const p of protos) {
      const x = g(p, n);
      if (!x) continue;
      rows.push([
        PROTO_LABEL[p],
        n.toLocaleString('en-US'),
        `${pct(mean(x, 'reliability'))}${x.incomplete > 0 ? ` (${x.incomplete}/${x.runs} not converged)` : ''}`,
        ms(mean(x, 'convergenceP50Ms')),
        ms(mean(x, 'timeMs')),
        num(mean(x, 'bytesPerEditPerPeer'), 1),
        num(mean(x, 'linksPerPeer'), 1),
        num(mean(x, 'joinBytesPerDocByte')),
        num(mean(x, 'signalingPerPeer'), 1),
        String(x.runs),
      ]);
    }
  const line = (key: keyof Metrics, scale = 1): LineSeries[] =>
    protos.map((p) => {
      const pts = peers.filter((n) => mean(g(p, n), key) !== undefined);
      return { name: PROTO_LABEL[p], color: colour[p], markers: true, data: pts.map((n): [number, number | null] => [n, mean(g(p, n), key)! / scale]) };
    });
  // the CDF of every edit's convergence at the largest size all three modes ran (seed 1's samples)
  const common = peers.filter((n) => protos.every((p) => g(p, n)));
  const cdfAt = common.length > 0 ? common[common.length - 1]! : peers[peers.length - 1]!;
  const cdfs = protos.flatMap((p) => {
    const i = r.cases.findIndex((c) => c.study === 'sync' && c.proto === p && c.peers === cdfAt && c.seed === 1);
    const v = i < 0 ? undefined : r.results[i]!.samples.convergenceMs;
    return v && v.length > 0 ? [{ name: PROTO_LABEL[p], values: v.map((x) => x / 1000), color: colour[p] }] : [];
  });
  const cats = peers.map((n) => n.toLocaleString('en-US'));
  const charts = [
    lineChart({ title: 'Sync: edit convergence p99 vs peers', subtitle: 'until every replica online then applied the edit; means over seeds', xName: 'peers', yName: 'p99 (s)', xLog: true, yMin: 0 }, line('timeMs', 1000)),
    lineChart({ title: 'Sync: edit convergence p50 vs peers', xName: 'peers', yName: 'p50 (s)', xLog: true, yMin: 0 }, line('convergenceP50Ms', 1000)),
    cdfChart({ title: `Sync: CDF of edit convergence at ${cdfAt.toLocaleString('en-US')} peers`, subtitle: 'every edit of seed 1', xName: 'time to every replica (s)', yName: 'fraction of edits ≤ x', xMin: 0 }, cdfs),
    lineChart({ title: 'Sync: bytes per edit per peer vs peers', subtitle: 'updates and anti-entropy sent, over edits and peers', xName: 'peers', yName: 'bytes', xLog: true, yLog: true }, line('bytesPerEditPerPeer')),
    lineChart({ title: 'Sync: links per peer vs peers', subtitle: 'open at the end of the run', xName: 'peers', yName: 'links', xLog: true, yMin: 0 }, line('linksPerPeer')),
    barChart(
      { title: 'Sync: join cost', subtitle: 'bytes a late joiner takes in over the document size (1 = just the document)', yName: 'join bytes / document bytes', categories: cats },
      protos.map((p) => ({ name: PROTO_LABEL[p], color: colour[p], values: peers.map((n) => mean(g(p, n), 'joinBytesPerDocByte') ?? null) })),
    ),
  ];
  const cfg = r.config;
  const big = common.length > 0 ? common[common.length - 1]! : undefined;
  let finding = '';
  if (big !== undefined && g('sync-overlay', big) && g('sync-ywebrtc', big)) {
    const o = g('sync-overlay', big), y = g('sync-ywebrtc', big);
    const bytes = (mean(o, 'bytesPerEditPerPeer') ?? NaN) / (mean(y, 'bytesPerEditPerPeer') ?? NaN);
    const p99 = (mean(o, 'timeMs') ?? NaN) / (mean(y, 'timeMs') ?? NaN);
    finding = `<p>At ${big.toLocaleString('en-US')} peers the overlay sends ${Number.isFinite(bytes) ? `${round(bytes, 3)}x` : '—'} the y-webrtc model's bytes per edit per peer over ${num(mean(o, 'linksPerPeer'), 1)} links per peer instead of ${num(mean(y, 'linksPerPeer'), 1)}, and its p99 convergence is ${Number.isFinite(p99) ? `${round(p99, 3)}x` : '—'} y-webrtc's (${ms(mean(o, 'timeMs'))} against ${ms(mean(y, 'timeMs'))}).</p>`;
  }
  const roles = syncRoles(Math.max(...peers));
  return {
    title: 'Collaborative sync: overlay vs y-webrtc vs flooding',
    intro: `<p>Every peer holds a real Y.Doc of one shared text. Peers join over the first 10 s; then up to ${roles.editors} editors make ${cfg.syncEdits} edits (inserts and deletes, a fifth at one shared spot) at ${1000 / SYNC_EDIT_INTERVAL_MS} per second, and a tenth of the room (at most ${roles.joiners}) joins afterwards. <b>Sync overlay</b>: a partial view of 5-10 links per peer found through a Kademlia DHT, Plumtree trees per editor, digest anti-entropy; the signaling server only for a peer's first link. <b>y-webrtc</b>: a model of the stock provider, each peer connected to 20-34 others met through signaling, every update sent to every connection. <b>Flooding</b>: the overlay's links and discovery, every update to every neighbour. Convergence is an edit's time until every replica online then applied it (p50 and p99 over the run's edits, then the mean over seeds); bytes per edit count update and anti-entropy traffic; join cost is what a late joiner receives over the document's size. Network: geographic latency (${NETWORK.latency.baseMs} ms + ${NETWORK.latency.msPerUnit} ms per unit distance), half the peers on 20/100 Mbit/s, half on 5/25. ${cfg.syncSeeds} seed${cfg.syncSeeds > 1 ? 's' : ''} per point (${cfg.seedsLarge} from 1,000 peers).</p>${finding}`,
    html: table(['mode', 'peers', 'edits converged', 'p50', 'p99', 'bytes / edit / peer', 'links / peer', 'join cost', 'signaling msgs / peer', 'runs'], rows),
    charts,
  };
}
