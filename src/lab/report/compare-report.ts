/**
 * The headline report of `peerlab compare`: gossip vs Kademlia vs BitTorrent on one task, with the
 * charts a reader expects (dissemination curves, CDFs, scaling curves with theory lines, overhead
 * bars, churn, file size against the Kumar-Ross bound, connectivity maps) and an analysis written
 * from the measured numbers.
 */
import type { Series } from '../../protocols/driver.js';
import {
  CHURN_TEXT,
  CHUNK,
  ITEM,
  PROTO_LABEL,
  SEED_UP,
  kademliaBound,
  pushPullRounds,
  pushRounds,
  type ChurnLevel,
  type CompareCase,
  type CompareResult,
  type CaseAggregate,
  type Metrics,
  type Proto,
} from '../compare-study.js';
import type { JobResult } from '../pool.js';
import type { Aggregate } from '../../core/index.js';
import { formatBytes, formatDuration, round } from '../units.js';
import { PALETTE, barChart, cdfChart, lineChart, type LineSeries } from './charts.js';
import { adaptiveSection } from './compare-report-adaptive.js';
import { ms, num, pct } from './compare-format.js';
import { syncSection } from './compare-report-sync.js';
import { connectivityMap } from './graph.js';
import { page, table, type Section } from './html.js';

const COLOUR: Record<Proto, string> = {
  push: PALETTE[0]!,
  'push-pull': PALETTE[5]!,
  plumtree: PALETTE[3]!,
  kademlia: PALETTE[4]!,
  bittorrent: PALETTE[2]!,
  tracker: PALETTE[7]!,
  trackerless: PALETTE[6]!,
  adaptive: PALETTE[9]!,
  'adaptive-off': PALETTE[8]!,
  'sync-overlay': PALETTE[0]!,
  'sync-ywebrtc': PALETTE[1]!,
  'sync-flood': PALETTE[2]!,
};
const CHURNS: ChurnLevel[] = ['none', 'moderate', 'heavy'];

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
function peersLabel(p: number): string {
  const e = Math.log10(p);
  return Number.isInteger(e) && e >= 2 ? `10${[...String(e)].map((d) => SUPERSCRIPT[Number(d)]).join('')}` : p.toLocaleString('en-US');
}
function sizeLabel(b: number): string {
  if (b >= 1024 * 1024) return `${round(b / (1024 * 1024), 3)} MiB`;
  if (b >= 1024) return `${round(b / 1024, 3)} KiB`;
  return `${b} B`;
}

class Lookup {
  constructor(readonly r: CompareResult) {}
  group(study: CaseAggregate['study'], proto: Proto, peers: number, churn: ChurnLevel = 'none', fileBytes = ITEM): CaseAggregate | undefined {
    return this.r.groups.find((g) => g.study === study && g.proto === proto && g.peers === peers && g.churn === churn && g.fileBytes === fileBytes);
  }
  m(g: CaseAggregate | undefined, k: keyof Metrics): Aggregate | undefined {
    return g?.metrics[k];
  }
  /** The showcase run (seed 1, with series/samples/snapshots) of a protocol in the scale study. */
  showcase(proto: Proto): { c: CompareCase; res: JobResult } | undefined {
    const i = this.r.cases.findIndex((c) => c.study === 'scale' && c.proto === proto && c.peers === this.r.config.showcasePeers && c.seed === 1);
    return i < 0 ? undefined : { c: this.r.cases[i]!, res: this.r.results[i]! };
  }
  scaleProtos(): Proto[] {
    return (['push', 'push-pull', 'kademlia', 'bittorrent'] as Proto[]).filter((p) => this.r.groups.some((g) => g.study === 'scale' && g.proto === p));
  }
  peersOf(study: CaseAggregate['study'], proto: Proto): number[] {
    return [...new Set(this.r.groups.filter((g) => g.study === study && g.proto === proto).map((g) => g.peers))].sort((a, b) => a - b);
  }
}

function curve(s: Series | undefined, div = 1000): [number, number][] {
  if (!s) return [];
  return s.t.map((t, i) => [t / div, s.v[i]!]);
}

/** Mean line with a CI band over a numeric x. */
/** An aggregate's mean divided by `scale`, or null where the case has no value. */
function scaledMean(a: Aggregate | undefined, scale: number): number | null {
  return a ? a.mean / scale : null;
}

function metricSeries(L: Lookup, study: CaseAggregate['study'], proto: Proto, xs: number[], key: keyof Metrics, xOf: (g: CaseAggregate) => number, scale = 1, fileBytes?: number): LineSeries {
  const groups = L.r.groups.filter((g) => g.study === study && g.proto === proto && (fileBytes === undefined || g.fileBytes === fileBytes) && g.churn === 'none');
  const pts = groups.filter((g) => xs.includes(xOf(g))).sort((a, b) => xOf(a) - xOf(b));
  return {
    name: PROTO_LABEL[proto],
    color: COLOUR[proto],
    markers: true,
    data: pts.map((g): [number, number | null] => [xOf(g), scaledMean(g.metrics[key], scale)]),
    band: pts
      .filter((g) => (g.metrics[key]?.n ?? 0) > 1)
      .map((g): [number, number, number] => {
        const a = g.metrics[key]!;
        return [xOf(g), Math.max(1e-9, (a.mean - a.ci95) / scale), (a.mean + a.ci95) / scale];
      }),
  };
}

export function compareReport(r: CompareResult): string {
  const L = new Lookup(r);
  const cfg = r.config;
  const S = cfg.showcasePeers;
  const protos = L.scaleProtos();
  const sections: Section[] = [];

  // ---- analysis (first: it is what a reader came for) ----
  sections.push({ title: 'Analysis', html: analysis(L) });

  // ---- headline table ----
  const rows: string[][] = [];
  for (const p of protos)
    for (const peers of L.peersOf('scale', p)) {
      const g = L.group('scale', p, peers);
      rows.push([
        PROTO_LABEL[p],
        peersLabel(peers),
        `${ms(L.m(g, 'timeMs')?.mean)}${g && g.incomplete > 0 ? ` (${g.incomplete}/${g.runs} never)` : ''}`,
        pct(L.m(g, 'reliability')?.mean),
        num(L.m(g, 'messagesPerPeer')?.mean),
        formatBytes(L.m(g, 'bytesPerPeer')?.mean ?? NaN),
        String(g?.runs ?? 0),
      ]);
    }
  sections.push({
    title: 'One item to every peer',
    intro: `<p>A ${sizeLabel(ITEM)} item from one peer to all, no churn. Time to complete: until every peer had it (gossip), the slowest lookup returned (Kademlia, lookups issued together after one STORE), the last leecher finished (BitTorrent). Messages and bytes are everything the protocol sent, divided by the peers served. Means over seeds.</p>`,
    html: table(['protocol', 'peers', 'time to complete', 'reliability', 'messages / peer', 'bytes / peer', 'runs'], rows),
  });

  // ---- dissemination curves and CDFs at the showcase size ----
  const curves: LineSeries[] = [];
  const cdfs: { name: string; values: number[]; color: string }[] = [];
  for (const p of protos) {
    const sc = L.showcase(p);
    if (!sc) continue;
    const res = sc.res;
    if (p === 'push' || p === 'push-pull') {
      curves.push({ name: PROTO_LABEL[p], data: curve(res.series.reached), color: COLOUR[p] });
      if (res.samples.receiveMs) cdfs.push({ name: PROTO_LABEL[p], values: res.samples.receiveMs.map((x) => x / 1000), color: COLOUR[p] });
    } else if (p === 'bittorrent') {
      curves.push({ name: PROTO_LABEL[p], data: curve(res.series.completed), color: COLOUR[p], step: true });
      if (res.samples.completionMs) cdfs.push({ name: PROTO_LABEL[p], values: res.samples.completionMs.map((x) => x / 1000), color: COLOUR[p] });
    } else if (p === 'kademlia') {
      const lat = [...(res.samples.latencyMs ?? [])].sort((a, b) => a - b);
      const pts: [number, number][] = lat.map((x, i) => [x / 1000, (i + 1) / Math.max(1, lat.length)]);
      curves.push({ name: `${PROTO_LABEL[p]}: lookups done`, data: [[0, 0], ...pts], color: COLOUR[p], step: true });
      cdfs.push({ name: `${PROTO_LABEL[p]} lookup latency`, values: lat.map((x) => x / 1000), color: COLOUR[p] });
    }
  }
  const kadLatencies = L.peersOf('scale', 'kademlia').map((peers, i) => {
    const vals: number[] = [];
    r.cases.forEach((c, j) => {
      if (c.study === 'scale' && c.proto === 'kademlia' && c.peers === peers) vals.push(...(r.results[j]!.samples.latencyMs ?? []).map((x) => x / 1000));
    });
    return { name: `${peersLabel(peers)} peers`, values: vals, color: PALETTE[i % PALETTE.length]! };
  });
  sections.push({
    title: 'Dissemination curves and distributions',
    intro: `<p>At ${S.toLocaleString('en-US')} peers (seed 1): the fraction of peers holding the item over time, and the CDF of the time each peer got it. For Kademlia the curve is the share of lookups completed, timed from when they were issued.</p>`,
    charts: [
      lineChart({ title: 'Dissemination curve: fraction of peers reached', subtitle: `${S.toLocaleString('en-US')} peers, ${sizeLabel(ITEM)} item`, xName: 'time (s)', yName: 'fraction reached', yMin: 0, yMax: 1, xMin: 0 }, curves),
      cdfChart({ title: 'CDF of completion time per peer', subtitle: 'gossip: receive time; BitTorrent: download time; Kademlia: lookup latency', xName: 'time (s)', yName: 'fraction of peers ≤ x', xMin: 0 }, cdfs),
      cdfChart({ title: 'CDF of Kademlia lookup latency by network size', subtitle: 'FIND_VALUE, k=20, alpha=3, all seeds', xName: 'lookup latency (s)', yName: 'fraction of lookups ≤ x', xMin: 0 }, kadLatencies.filter((s) => s.values.length > 0)),
    ],
  });

  // ---- scaling ----
  const allPeers = cfg.scalePeers;
  const xs = allPeers;
  const scaling: string[] = [];
  scaling.push(
    lineChart(
      { title: 'Time to complete vs peers', subtitle: 'mean with 95% CI; log scales', xName: 'peers', yName: 'time to complete (s)', xLog: true, yLog: true },
      protos.map((p) => metricSeries(L, 'scale', p, xs, 'timeMs', (g) => g.peers, 1000, ITEM)),
    ),
  );
  const theoryXs = logSpace(Math.min(...allPeers), Math.max(...allPeers), 40);
  const gossipRounds: LineSeries[] = [];
  for (const p of ['push', 'push-pull'] as Proto[]) if (protos.includes(p)) gossipRounds.push(metricSeries(L, 'scale', p, xs, 'rounds', (g) => g.peers, 1, ITEM));
  gossipRounds.push({ name: 'theory push: log2 N + ln N', data: theoryXs.map((x) => [x, pushRounds(x)]), dashed: true, color: COLOUR.push });
  gossipRounds.push({ name: 'theory push-pull: log3 N + ln ln N', data: theoryXs.map((x) => [x, pushPullRounds(x)]), dashed: true, color: COLOUR['push-pull'] });
  scaling.push(lineChart({ title: 'Gossip: rounds to reach all vs theory', subtitle: `fanout 1, infect-forever, ${300} ms rounds`, xName: 'peers', yName: 'rounds', xLog: true, yMin: 0 }, gossipRounds));
  if (protos.includes('kademlia'))
    scaling.push(
      lineChart({ title: 'Kademlia: lookup hops vs the bound', subtitle: 'mean hops (k=20, alpha=3, b=1) and ceil(log2 N)', xName: 'peers', yName: 'hops', xLog: true, yMin: 0 }, [
        metricSeries(L, 'scale', 'kademlia', xs, 'hops', (g) => g.peers, 1, ITEM),
        { name: 'bound: ceil(log2 N)', data: theoryXs.map((x) => [x, kademliaBound(x)]), dashed: true, color: PALETTE[1]!, step: true },
      ]),
    );
  if (protos.includes('bittorrent'))
    scaling.push(
      lineChart({ title: 'BitTorrent: last completion vs Kumar-Ross bound', subtitle: `${sizeLabel(ITEM)} item: the bound is tiny, latency and protocol round trips dominate`, xName: 'peers', yName: 'time (s)', xLog: true, yLog: true }, [
        metricSeries(L, 'scale', 'bittorrent', xs, 'timeMs', (g) => g.peers, 1000, ITEM),
        { ...metricSeries(L, 'scale', 'bittorrent', xs, 'boundMs', (g) => g.peers, 1000, ITEM), name: 'Kumar-Ross T*', dashed: true, markers: false, color: PALETTE[1]!, band: [] },
      ]),
    );
  scaling.push(
    lineChart(
      { title: 'Messages per peer served vs peers', subtitle: 'everything sent / peers that got the item', xName: 'peers', yName: 'messages per peer', xLog: true, yLog: true },
      protos.map((p) => metricSeries(L, 'scale', p, xs, 'messagesPerPeer', (g) => g.peers, 1, ITEM)),
    ),
  );
  sections.push({ title: 'Scaling', intro: '<p>Dashed lines are theory: gossip rounds (Pittel; Karp et al.), Kademlia\'s hop bound, and the Kumar-Ross lower bound for the swarm.</p>', charts: scaling });

  // ---- overhead bars ----
  const overhead: string[] = [];
  overhead.push(
    barChart(
      { title: 'Messages per peer served', subtitle: `one ${sizeLabel(ITEM)} item, by network size (log scale)`, yName: 'messages', categories: allPeers.map(peersLabel), yLog: true },
      protos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: allPeers.map((peers) => L.m(L.group('scale', p, peers), 'messagesPerPeer')?.mean ?? null) })),
    ),
  );
  overhead.push(
    barChart(
      { title: 'Bytes per peer served', subtitle: `one ${sizeLabel(ITEM)} item, by network size (log scale)`, yName: 'bytes', categories: allPeers.map(peersLabel), yLog: true },
      protos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: allPeers.map((peers) => L.m(L.group('scale', p, peers), 'bytesPerPeer')?.mean ?? null) })),
    ),
  );
  sections.push({ title: 'Overhead', charts: overhead });

  // ---- churn ----
  const churnProtos = (['push', 'kademlia', 'bittorrent'] as Proto[]).filter((p) => r.groups.some((g) => g.study === 'churn' && g.proto === p));
  const cp = cfg.churnPeers;
  sections.push({
    title: 'Under churn',
    intro: `<p>${cp.toLocaleString('en-US')} peers; ${CHURNS.map((c) => CHURN_TEXT[c]).join('; ')}. Reliability: share of online peers holding the item when the run ended (gossip), lookups that found the value (Kademlia), leechers that completed (BitTorrent).</p>`,
    charts: [
      barChart(
        { title: 'Reliability under churn', yName: 'reliability', categories: CHURNS },
        churnProtos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: CHURNS.map((c) => L.m(L.group('churn', p, cp, c), 'reliability')?.mean ?? null) })),
      ),
      barChart(
        { title: 'Time to complete under churn', subtitle: 'mean over runs that completed (s)', yName: 'seconds', categories: CHURNS },
        churnProtos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: CHURNS.map((c) => { const a = L.m(L.group('churn', p, cp, c), 'timeMs'); return a ? a.mean / 1000 : null; }) })),
      ),
      barChart(
        { title: 'Messages per peer served under churn', yName: 'messages', categories: CHURNS, yLog: true },
        churnProtos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: CHURNS.map((c) => L.m(L.group('churn', p, cp, c), 'messagesPerPeer')?.mean ?? null) })),
      ),
    ],
  });

  // ---- file size ----
  const fileProtos = (['plumtree', 'kademlia', 'bittorrent'] as Proto[]).filter((p) => r.groups.some((g) => g.study === 'file' && g.proto === p));
  const sizes = cfg.fileSizes;
  const fp = cfg.filePeers;
  const fileSeries = (key: keyof Metrics, scale: number) =>
    fileProtos.map((p) => {
      const groups = sizes.map((s) => L.group('file', p, fp, 'none', s));
      return {
        name: PROTO_LABEL[p],
        color: COLOUR[p],
        markers: true,
        data: sizes.map((s, i): [number, number | null] => [s / 1024, scaledMean(groups[i]?.metrics[key], scale)]),
      } as LineSeries;
    });
  const boundSeries: LineSeries = {
    name: 'Kumar-Ross lower bound T*',
    dashed: true,
    color: PALETTE[1]!,
    data: sizes.map((s): [number, number | null] => {
      const a = L.m(L.group('file', 'bittorrent', fp, 'none', s), 'boundMs');
      return [s / 1024, a ? a.mean / 1000 : null];
    }),
  };
  sections.push({
    title: 'A file of growing size',
    intro: `<p>${fp.toLocaleString('en-US')} peers, one source (upload ${SEED_UP}), files in ${sizeLabel(CHUNK)} chunks: gossip broadcasts every chunk with Plumtree (eager tree push, lazy IHAVE); Kademlia stores every chunk and runs as many FIND_VALUE lookups (of random chunks, from random peers) as ${cfg.fileFetchers} peers fetching every chunk, issued together; BitTorrent swarms ${sizeLabel(CHUNK)} pieces. The Kumar-Ross bound T* = max(F/u_s, F/d_min, N·F/(u_s + Σu_i)) holds for any scheme on this network.</p>`,
    charts: [
      lineChart({ title: 'Time to deliver the file vs its size', subtitle: 'log-log; dashed: Kumar-Ross lower bound', xName: 'file size (KiB)', yName: 'time (s)', xLog: true, yLog: true }, [...fileSeries('timeMs', 1000), boundSeries]),
      lineChart({ title: 'Bytes sent per peer served / file size', subtitle: '1 = every byte sent once per peer', xName: 'file size (KiB)', yName: 'overhead factor', xLog: true, yMin: 0 }, fileProtos.map((p) => ({
        name: PROTO_LABEL[p],
        color: COLOUR[p],
        markers: true,
        data: sizes.map((s): [number, number | null] => {
          const a = L.m(L.group('file', p, fp, 'none', s), 'bytesPerPeer');
          return [s / 1024, a ? a.mean / s : null];
        }),
      }))),
      barChart(
        { title: 'Reliability by file size', yName: 'reliability', categories: sizes.map(sizeLabel) },
        fileProtos.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: sizes.map((s) => L.m(L.group('file', p, fp, 'none', s), 'reliability')?.mean ?? null) })),
      ),
    ],
  });

  // ---- trackerless vs tracker ----
  const tl = trackerlessSection(L);
  if (tl) sections.push(tl);
  const ad = adaptiveSection(r, COLOUR);
  if (ad) sections.push(ad);
  const sy = syncSection(r, COLOUR);
  if (sy) sections.push(sy);

  // ---- connectivity maps ----
  const maps: string[] = [];
  for (const p of protos) {
    const sc = L.showcase(p);
    if (!sc) continue;
    for (const snap of sc.res.snapshots)
      maps.push(connectivityMap(snap, { title: `${PROTO_LABEL[p]} at ${formatDuration(snap.timeMs)}`, positions: sc.res.positions, width: 520, height: 420 }));
  }
  sections.push({
    title: 'Connectivity maps',
    intro: `<p>The overlay of the ${S.toLocaleString('en-US')}-peer runs (first 150 peers by id, placed where the latency model puts them). Gossip (full membership) draws the edges the item actually travelled; Kademlia a sample of routing-table contacts (8 per peer); BitTorrent the unchoked connections.</p>`,
    charts: maps,
  });

  // ---- method ----
  const totalRuns = r.cases.length;
  sections.push({
    title: 'Method',
    html: `<ul>
<li>Network: geographic latency (10 ms + 150 ms per unit distance, 10% jitter), two bandwidth classes (half 20/100 Mbit/s, half 5/25 Mbit/s up/down); the source uploads at ${SEED_UP} in the swarm.</li>
<li>Gossip: full membership, fanout 1, infect-forever, 300 ms rounds (longer than any latency, so rounds mean what they mean in the theory). Kademlia: k=20, alpha=3, b=1, 160-bit ids, routing tables prefilled (the driver's documented shortcut), one STORE then lookups issued together (${cfg.maxLookups.toLocaleString('en-US')} at most per run: a sample of the peers at large N). BitTorrent: one seed, flash crowd, rarest first, tit-for-tat, endgame.</li>
<li>${totalRuns} runs (${cfg.seeds} seed${cfg.seeds > 1 ? 's' : ''} per point, ${cfg.seedsLarge} at 10^4 peers and more, ${cfg.churnSeeds} in the churn study), on ${r.workers || 'all'} worker threads, ${formatDuration(r.wallMs)} wall in total${cfg.quick ? ' (--quick: small sizes, for tests)' : ''}.</li>
<li>Data: compare.json (every run's summary and metrics) and compare.csv beside this report. Reproduce: <code>peerlab compare --out DIR${cfg.quick ? ' --quick' : ''}</code>.</li>
</ul>`,
  });

  return page({
    title: 'Gossip vs Kademlia vs BitTorrent',
    subtitle: 'peerlab compare · one item to every peer, then a file of growing size · same network, same seeds',
    facts: [
      ['peers', `${peersLabel(Math.min(...allPeers))} .. ${peersLabel(Math.max(...allPeers))}`],
      ['runs', String(totalRuns)],
      ['wall', formatDuration(r.wallMs)],
    ],
    sections,
  });
}

function logSpace(a: number, b: number, count: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Math.round(a * (b / a) ** (i / (count - 1))));
  return [...new Set(out)];
}

// ---- trackerless vs tracker --------------------------------------------------------------------

const SWARMS: Proto[] = ['tracker', 'trackerless'];

function trackerlessSection(L: Lookup): Section | undefined {
  const r = L.r;
  const cfg = r.config;
  const F = cfg.trackerlessFile;
  const peers = [...new Set(r.groups.filter((g) => g.study === 'trackerless').map((g) => g.peers))].sort((a, b) => a - b);
  if (peers.length === 0) return undefined;
  const g = (p: Proto, n: number, churn: ChurnLevel) => L.group('trackerless', p, n, churn, F);
  const ratio = (x: CaseAggregate | undefined): number | undefined => {
    const t = L.m(x, 'timeMs')?.mean, b = L.m(x, 'boundMs')?.mean;
    return t !== undefined && b ? t / b : undefined;
  };
  const rows: string[][] = [];
  for (const n of peers)
    for (const churn of cfg.trackerlessChurn)
      for (const p of SWARMS) {
        const x = g(p, n, churn);
        if (!x) continue;
        rows.push([
          PROTO_LABEL[p],
          n.toLocaleString('en-US'),
          churn,
          `${ms(L.m(x, 'timeMs')?.mean)}${x.incomplete > 0 ? ` (${x.incomplete}/${x.runs} never)` : ''}`,
          n_(ratio(x)),
          pct(L.m(x, 'reliability')?.mean),
          ms(L.m(x, 'firstPeerMs')?.mean),
          formatBytes(L.m(x, 'discoveryBytesPerPeer')?.mean ?? NaN),
          n_(L.m(x, 'hops')?.mean),
          String(x.runs),
        ]);
      }
  const cats = peers.flatMap((n) => cfg.trackerlessChurn.filter((c) => g('tracker', n, c) || g('trackerless', n, c)).map((c) => `${n.toLocaleString('en-US')} ${c === 'none' ? '' : `· ${c} churn`}`.trim()));
  const keys = peers.flatMap((n) => cfg.trackerlessChurn.filter((c) => g('tracker', n, c) || g('trackerless', n, c)).map((c) => [n, c] as const));
  const bars = (metric: keyof Metrics, scale: number) =>
    SWARMS.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: keys.map(([n, c]) => { const v = L.m(g(p, n, c), metric)?.mean; return v === undefined ? null : v / scale; }) }));
  const charts = [
    barChart({ title: 'Trackerless vs tracker: last completion / Kumar-Ross bound', yName: 'T / T*', categories: cats }, SWARMS.map((p) => ({ name: PROTO_LABEL[p], color: COLOUR[p], values: keys.map(([n, c]) => ratio(g(p, n, c)) ?? null) }))),
    barChart({ title: 'Time to first peer (median over leechers)', yName: 'seconds', categories: cats }, bars('firstPeerMs', 1000)),
    barChart({ title: 'Peer discovery bytes per peer: DHT vs tracker', subtitle: 'DHT: every KRPC message; tracker: HTTP announces (estimated size)', yName: 'KiB', categories: cats }, bars('discoveryBytesPerPeer', 1024)),
  ];
  // CDFs of the largest no-churn pair, seed 1
  const big = peers[peers.length - 1]!;
  const comp: { name: string; values: number[]; color: string }[] = [];
  const first: { name: string; values: number[]; color: string }[] = [];
  r.cases.forEach((c, i) => {
    if (c.study !== 'trackerless' || c.peers !== big || c.churn !== 'none' || c.seed !== 1) return;
    const smp = r.results[i]!.samples;
    if (smp.completionMs) comp.push({ name: PROTO_LABEL[c.proto], values: smp.completionMs.map((x) => x / 1000), color: COLOUR[c.proto] });
    if (smp.timeToFirstPeerMs) first.push({ name: PROTO_LABEL[c.proto], values: smp.timeToFirstPeerMs.map((x) => x / 1000), color: COLOUR[c.proto] });
  });
  if (comp.length > 0) charts.push(cdfChart({ title: `Trackerless vs tracker: CDF of completion time, ${big.toLocaleString('en-US')} peers`, xName: 'seconds', yName: 'fraction of leechers' }, comp));
  if (first.length > 0) charts.push(cdfChart({ title: `CDF of time to first peer, ${big.toLocaleString('en-US')} peers`, xName: 'seconds', yName: 'fraction of leechers' }, first));
  return {
    title: 'Trackerless vs tracker',
    intro: `<p>The same swarm (one seed at ${SEED_UP}, a flash crowd, a ${sizeLabel(F)} file in ${sizeLabel(cfg.trackerlessPiece)} pieces) with its peers from a tracker or from a Kademlia DHT only (BEP 5 get_peers / announce_peer, k=8, 3 bootstrap nodes, piece discovery on), without churn${cfg.trackerlessChurn.includes('heavy') ? ` and under ${CHURN_TEXT.heavy} (a peer that comes back starts its download again)` : ''}. Completion is the last leecher's; T* is the Kumar-Ross bound; discovery bytes are all DHT traffic, or the tracker's announces at ~${350 + 120} B plus 6 B per peer returned.</p>`,
    html: table(['peer source', 'peers', 'churn', 'last completion', 'T / T*', 'completed', 'first peer', 'discovery bytes / peer', 'lookup hops', 'runs'], rows),
    charts,
  };
}

function n_(x: number | undefined): string {
  return x === undefined ? '—' : round(x, 3).toLocaleString('en-US');
}

// ---- the written analysis ------------------------------------------------------------------------

function analysis(L: Lookup): string {
  const r = L.r;
  const cfg = r.config;
  const protos = L.scaleProtos();
  const common = cfg.scalePeers.filter((p) => protos.every((q) => L.group('scale', q, p))).pop();
  const li: string[] = [];

  // speed at the largest size every protocol ran
  if (common !== undefined) {
    const ranked = protos
      .map((p) => ({ p, t: L.m(L.group('scale', p, common), 'timeMs')?.mean ?? Infinity }))
      .sort((a, b) => a.t - b.t);
    const best = ranked[0];
    const worst = ranked[ranked.length - 1];
    if (best && worst)
      li.push(
        `<b>Speed (one ${sizeLabel(ITEM)} item, ${common.toLocaleString('en-US')} peers).</b> ${ranked
          .map((x) => `${PROTO_LABEL[x.p]} ${Number.isFinite(x.t) ? formatDuration(x.t) : 'never completed'}`)
          .join(', ')}${protos.includes('kademlia') ? ' (Kademlia: the slowest of its lookups, all issued at once; only the peers that ask get the item)' : ''}. ${PROTO_LABEL[best.p]} was fastest${Number.isFinite(worst.t) && best.t > 0 ? `, ${round(worst.t / best.t, 2)}× faster than ${PROTO_LABEL[worst.p]}` : ''}.`,
      );
  }

  // gossip against theory
  const theory: string[] = [];
  const theoryRatios: number[] = [];
  for (const p of ['push', 'push-pull'] as Proto[]) {
    const ps = L.peersOf('scale', p);
    const big = ps[ps.length - 1];
    if (big === undefined) continue;
    const m = L.m(L.group('scale', p, big), 'rounds');
    if (!m) continue;
    const th = p === 'push' ? pushRounds(big) : pushPullRounds(big);
    theoryRatios.push(m.mean / th);
    theory.push(
      `${PROTO_LABEL[p]} needed ${num(m.mean)} rounds at ${big.toLocaleString('en-US')} peers against ${num(th)} from theory (${p === 'push' ? 'log2 N + ln N' : 'log3 N + ln ln N'}; measured/theory ${num(m.mean / th)})`,
    );
  }
  const pushSmall = L.peersOf('scale', 'push');
  if (theory.length > 0) {
    const growth =
      pushSmall.length >= 2
        ? (() => {
            const a = L.m(L.group('scale', 'push', pushSmall[0]!), 'timeMs')?.mean;
            const b = L.m(L.group('scale', 'push', pushSmall[pushSmall.length - 1]!), 'timeMs')?.mean;
            return a && b ? ` Going from ${pushSmall[0]!.toLocaleString('en-US')} to ${pushSmall[pushSmall.length - 1]!.toLocaleString('en-US')} peers (${round(pushSmall[pushSmall.length - 1]! / pushSmall[0]!, 3)}× more) made push only ${num(b / a)}× slower: dissemination time grows with log N.` : '';
          })()
        : '';
    const close = theoryRatios.every((x) => Math.abs(x - 1) <= 0.15);
    li.push(`<b>${close ? 'Gossip follows the theory.' : 'Gossip against the theory.'}</b> ${theory.join('; ')}.${growth}`);
  }

  // Kademlia hops
  const kp = L.peersOf('scale', 'kademlia');
  if (kp.length > 0) {
    const parts = kp.map((p) => {
      const g = L.group('scale', 'kademlia', p);
      return `${num(L.m(g, 'hops')?.mean)} hops at ${peersLabel(p)} (bound ${kademliaBound(p)})`;
    });
    const big = kp[kp.length - 1]!;
    const g = L.group('scale', 'kademlia', big);
    const below = kp.every((p) => (L.m(L.group('scale', 'kademlia', p), 'hops')?.mean ?? Infinity) <= kademliaBound(p) / 2);
    li.push(
      `<b>${below ? 'Kademlia stays far below its bound.' : 'Kademlia against its bound.'}</b> Mean lookup path ${parts.join(', ')}: with k=20 each step resolves several bits, not one. Lookups succeeded ${pct(L.m(g, 'reliability')?.mean)} of the time at ${big.toLocaleString('en-US')} peers, and the slowest took ${ms(L.m(g, 'timeMs')?.mean)}. But a lookup only brings the item to the peer that asks: ${num(L.m(g, 'messagesPerPeer')?.mean)} messages per peer served, every peer has to ask, and every ask lands on the same k holders.`,
    );
  }

  // BitTorrent for small items, and files
  const bp = L.peersOf('scale', 'bittorrent');
  if (bp.length > 0) {
    const big = bp[bp.length - 1]!;
    const g = L.group('scale', 'bittorrent', big);
    const push = L.group('scale', 'push', big);
    const heavy = (L.m(g, 'messagesPerPeer')?.mean ?? 0) > 3 * (L.m(push, 'messagesPerPeer')?.mean ?? Infinity);
    li.push(
      `<b>${heavy ? 'A swarm is heavy for a small item.' : 'A swarm for a small item.'}</b> To move ${sizeLabel(ITEM)} to ${big.toLocaleString('en-US')} peers BitTorrent sent ${num(L.m(g, 'messagesPerPeer')?.mean)} messages per peer (handshakes, bitfields, interest, HAVE to every neighbour) against ${num(L.m(push, 'messagesPerPeer')?.mean)} for push gossip, and took ${ms(L.m(g, 'timeMs')?.mean)} where the Kumar-Ross bound is ${ms(L.m(g, 'boundMs')?.mean)}: for tiny payloads round trips, not bandwidth, set the pace.`,
    );
  }
  const sizes = cfg.fileSizes;
  const big = sizes[sizes.length - 1];
  if (big !== undefined) {
    const fp = cfg.filePeers;
    const bt = L.group('file', 'bittorrent', fp, 'none', big);
    const pl = L.group('file', 'plumtree', fp, 'none', big);
    const kd = L.group('file', 'kademlia', fp, 'none', big);
    const bound = L.m(bt, 'boundMs')?.mean;
    const ratio = (g: CaseAggregate | undefined) => {
      const t = L.m(g, 'timeMs')?.mean;
      return t !== undefined && bound ? `${num(t / bound)}× T*` : 'n/a';
    };
    const factor = (g: CaseAggregate | undefined) => {
      const b = L.m(g, 'bytesPerPeer')?.mean;
      return b !== undefined ? num(b / big) : '—';
    };
    const times = [bt, pl, kd].map((g) => L.m(g, 'timeMs')?.mean ?? Infinity);
    const swarmWins = times[0]! <= Math.min(...times);
    li.push(
      `<b>${swarmWins ? 'For bulk data the swarm wins.' : 'Bulk data.'}</b> ${/^(8|11\b|18\b)/.test(sizeLabel(big)) ? 'An' : 'A'} ${sizeLabel(big)} file to ${fp} peers: BitTorrent ${ms(L.m(bt, 'timeMs')?.mean)} (${ratio(bt)}, the Kumar-Ross bound is ${ms(bound)}), Plumtree gossip ${ms(L.m(pl, 'timeMs')?.mean)} (${ratio(pl)}), Kademlia ${ms(L.m(kd, 'timeMs')?.mean)} (${ratio(kd)}). Bytes sent per peer served, as a multiple of the file: BitTorrent ${factor(bt)}, Plumtree ${factor(pl)}, Kademlia ${factor(kd)}.${swarmWins ? ' Swarming turns every downloader into an uploader, so its time stays close to the bound as the file grows, while a tree or a DHT funnels the file through a few uploaders.' : ''}`,
    );
  }

  // churn
  const cp = cfg.churnPeers;
  const churnParts = (['push', 'kademlia', 'bittorrent'] as Proto[])
    .filter((p) => L.group('churn', p, cp, 'heavy'))
    .map((p) => `${PROTO_LABEL[p]} ${pct(L.m(L.group('churn', p, cp, 'none'), 'reliability')?.mean)} → ${pct(L.m(L.group('churn', p, cp, 'moderate'), 'reliability')?.mean)} → ${pct(L.m(L.group('churn', p, cp, 'heavy'), 'reliability')?.mean)}`);
  if (churnParts.length > 0) {
    const rel = (p: Proto) => L.m(L.group('churn', p, cp, 'heavy'), 'reliability')?.mean ?? 0;
    const most = (['push', 'kademlia', 'bittorrent'] as Proto[]).filter((p) => L.group('churn', p, cp, 'heavy')).sort((a, b) => rel(b) - rel(a))[0]!;
    li.push(
      `<b>Churn.</b> Reliability with no, moderate and heavy churn at ${cp.toLocaleString('en-US')} peers: ${churnParts.join('; ')}. Under heavy churn ${PROTO_LABEL[most]} held up best. Gossip's redundancy (every informed peer keeps pushing) repairs losses by itself; a DHT lookup fails when the holders it needs are gone; a swarm stalls when the only copies leave.`,
    );
  }

  // trackerless vs tracker
  const tlPeers = [...new Set(r.groups.filter((g) => g.study === 'trackerless').map((g) => g.peers))].sort((a, b) => a - b);
  const tlBig = tlPeers[tlPeers.length - 1];
  if (tlBig !== undefined) {
    const F = cfg.trackerlessFile;
    const tg = (p: Proto, churn: ChurnLevel) => L.group('trackerless', p, tlBig, churn, F);
    const tr = tg('tracker', 'none'), dh = tg('trackerless', 'none');
    const rt = (x: CaseAggregate | undefined) => {
      const t = L.m(x, 'timeMs')?.mean, b = L.m(x, 'boundMs')?.mean;
      return t !== undefined && b ? num(t / b) : '—';
    };
    const slower = (L.m(dh, 'timeMs')?.mean ?? Infinity) / (L.m(tr, 'timeMs')?.mean ?? Infinity);
    const bytesX = (L.m(dh, 'discoveryBytesPerPeer')?.mean ?? NaN) / (L.m(tr, 'discoveryBytesPerPeer')?.mean ?? NaN);
    const churnText = tg('trackerless', 'heavy')
      ? `Under heavy churn the last completion (per session) was ${ms(L.m(tg('trackerless', 'heavy'), 'timeMs')?.mean)} with the DHT and ${ms(L.m(tg('tracker', 'heavy'), 'timeMs')?.mean)} with the tracker, ${pct(L.m(tg('trackerless', 'heavy'), 'reliability')?.mean)} and ${pct(L.m(tg('tracker', 'heavy'), 'reliability')?.mean)} of the leechers completed, for ${formatBytes(L.m(tg('trackerless', 'heavy'), 'discoveryBytesPerPeer')?.mean ?? NaN)} of DHT traffic per peer (returning peers look up again, and stored peers that left are dialled in vain). `
      : '';
    li.push(
      `<b>Trackerless vs tracker.</b> At ${tlBig.toLocaleString('en-US')} peers the DHT-fed swarm finished in ${ms(L.m(dh, 'timeMs')?.mean)} (${rt(dh)}× T*) against ${ms(L.m(tr, 'timeMs')?.mean)} (${rt(tr)}× T*) with a tracker${Number.isFinite(slower) ? `, ${num(slower)}× the time` : ''}; a leecher's first peer came after ${ms(L.m(dh, 'firstPeerMs')?.mean)} against ${ms(L.m(tr, 'firstPeerMs')?.mean)}, and finding peers cost ${formatBytes(L.m(dh, 'discoveryBytesPerPeer')?.mean ?? NaN)} of DHT traffic per peer against ${formatBytes(L.m(tr, 'discoveryBytesPerPeer')?.mean ?? NaN)} of tracker announces (lookups of ${num(L.m(dh, 'hops')?.mean)} hops). ${churnText}The DHT removes the single point of failure at the price of a slower start in a flash crowd (nobody has announced yet when everyone looks)${Number.isFinite(bytesX) ? ` and ${num(bytesX)}× the discovery bytes` : ''}.`,
    );
  }

  const fit = `<h3>Where each fits</h3><ul class="analysis">
<li><b>Gossip</b>: small, urgent items to everyone (membership, block headers, document updates): time ~ log N rounds as theory says, no structure to maintain, self-repairing under churn. Weakness: redundant messages grow with log N per peer, and pushing bulk data through it multiplies bytes.</li>
<li><b>Kademlia</b>: finding who has something, or fetching an item only some peers want: O(log N) hops (measured well under the bound), few messages per lookup, no broadcast. Weakness: it is pull, one lookup per interested peer, and the k peers that store a key carry all the load; under churn lookups fail unless data is republished.</li>
<li><b>BitTorrent</b>: large files to many peers: close to the Kumar-Ross bound because downloaders upload to each other, and incentives (tit-for-tat) keep it fair. Weakness: heavy per-peer control traffic and seconds of setup for small items, and it needs the file's metadata and a tracker (or a DHT) first.</li>
<li>The combination real systems use: Kademlia to find peers and metadata, a swarm for bulk transfer, gossip for small updates — which is also how peerlab's live network is built.</li>
</ul>`;
  return `<ul class="analysis">${li.map((x) => `<li>${x}</li>`).join('')}</ul>${fit}<p class="note">Every number above is computed from this run's data; see the sections below for the charts and compare.json for the raw summaries.</p>`;
}

