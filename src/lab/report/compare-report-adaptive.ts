/**
 * The adaptive-overlay section of the `peerlab compare` report: broadcasts over partial views with 15%
 * malicious peers, reputation on against off, at each size: what reputation buys (delivery once the
 * attackers are cut off), how fast it isolates them, what it gets wrong, and what its traffic costs.
 */
import { ADAPTIVE_ADVERSARIES, ITEM, PROTO_LABEL, type CompareResult, type Metrics, type Proto } from '../compare-study.js';
import { formatBytes, round } from '../units.js';
import { barChart } from './charts.js';
import { mean, ms, num, pct } from './compare-format.js';
import { table, type Section } from './html.js';

const ADAPTIVE: Proto[] = ['adaptive', 'adaptive-off'];


export function adaptiveSection(r: CompareResult, colour: Record<Proto, string>): Section | undefined {
  const groups = r.groups.filter((g) => g.study === 'adaptive');
  if (groups.length === 0) return undefined;
  const peers = [...new Set(groups.map((g) => g.peers))].sort((a, b) => a - b);
  const g = (p: Proto, n: number) => groups.find((x) => x.proto === p && x.peers === n && x.fileBytes === ITEM);
  const rows: string[][] = [];
  for (const n of peers)
    for (const p of ADAPTIVE) {
      const x = g(p, n);
      if (!x) continue;
      rows.push([
        PROTO_LABEL[p],
        n.toLocaleString('en-US'),
        pct(mean(x, 'reliability')),
        pct(mean(x, 'deliveryEarly')),
        pct(mean(x, 'deliveryLate')),
        ms(mean(x, 'isolateMs')),
        pct(mean(x, 'cutOff')),
        num(mean(x, 'falsePositives')),
        ms(mean(x, 'timeMs')),
        formatBytes(mean(x, 'reputationBytesPerPeer') ?? NaN),
        String(x.runs),
      ]);
    }
  const cats = peers.map((n) => n.toLocaleString('en-US'));
  const bars = (metric: keyof Metrics, scale = 1) =>
    ADAPTIVE.map((p) => ({
      name: PROTO_LABEL[p],
      color: colour[p],
      values: peers.map((n) => {
        const v = mean(g(p, n), metric);
        return v === undefined ? null : v / scale;
      }),
    }));
  const charts = [
    barChart({ title: 'Adaptive overlay: delivery ratio in the second half of the run', yName: 'delivery ratio', categories: cats }, bars('deliveryLate')),
    barChart({ title: 'Adaptive overlay: delivery ratio in the first half', yName: 'delivery ratio', categories: cats }, bars('deliveryEarly')),
    barChart({ title: 'Time to isolate a malicious peer (median)', yName: 'seconds', categories: cats }, bars('isolateMs', 1000).slice(0, 1)),
    barChart({ title: 'Reputation traffic per peer', subtitle: 'probes, answers and opinion exchanges', yName: 'KiB', categories: cats }, bars('reputationBytesPerPeer', 1024).slice(0, 1)),
  ];
  const cfg = r.config;
  return {
    title: 'Adaptive overlay under attack: reputation on and off',
    intro: `<p>Gossip over partial views (degree 8, fanout 3) with ${round(ADAPTIVE_ADVERSARIES * 100, 3)}% malicious peers: half drop what they receive, half forward tampered copies, and all of them badmouth honest peers and praise each other. One ${ITEM} B broadcast every 200 ms from a random honest peer (${cfg.adaptiveBroadcasts} in all). With reputation on, honest peers probe their neighbours, swap opinions once a second, and cut off and blacklist peers whose trust falls below 0.3; off, nobody is ever cut. Delivery is the share of (broadcast, honest peer) pairs delivered, split into the run's two halves; isolation is the median time until a malicious peer has no honest link left; false positives are links an honest peer cut to another honest peer; the time column is the 99th percentile of delivery delay. Sizes: ${cats.join(', ')} peers (${cfg.adaptiveSeeds} seed${cfg.adaptiveSeeds > 1 ? 's' : ''} per point, ${cfg.seedsLarge} at 10^4 and more); every run lasts the same virtual time, so at larger sizes isolation may not be finished by the end.</p>`,
    html: table(['overlay', 'peers', 'delivered', 'first half', 'second half', 'time to isolate', 'malicious cut off', 'honest links cut', 'p99 delay', 'reputation bytes / peer', 'runs'], rows),
    charts,
  };
}
