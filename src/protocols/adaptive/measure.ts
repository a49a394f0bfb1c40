/**
 * What an adaptive run measures: delivery among honest peers (all, first third, last third of the
 * settled broadcasts) and its delays, how fast and how completely malicious peers are cut off, honest
 * links cut by mistake, link latency at the start and now, rewiring, connectivity and the bytes
 * reputation costs. The peers report to it through their host (driver.ts's `PeerHost`).
 */
import { quantileSorted, type PeerId } from '../../core/index.js';
import type { PerPeer, World } from '../../sim/index.js';
import type { Series, SummaryValue } from '../driver.js';
import type { AdaptiveMsg, GossipMsg } from './messages.js';
import type { LinkDownReason } from './overlay-peer.js';
import type { AdaptiveWorkload } from './params.js';
import type { AdaptivePeer } from './peer.js';

/** Most delivery-time samples returned (evenly thinned beyond). */
const MAX_SAMPLES = 20_000;

export function round3(x: number | null): number | null {
  return x === null || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000;
}

function meanOf(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export class AdaptiveMeasures {
  readonly honestCount: number;
  /** Per broadcast (in order): id -> index, start time, honest peers online then, honest peers reached, delays. */
  private readonly idToBroadcast = new Map<number, number>();
  private readonly born: number[] = [];
  private readonly honestAtStart: number[] = [];
  private readonly reached: number[] = [];
  private readonly delays: number[][] = [];
  /** Honest peers that hold a link to each malicious peer. */
  readonly honestLinks: Int32Array;
  /** When each malicious peer lost its last honest link (NaN while it has one). */
  private readonly isolatedAt: Float64Array;
  /** Honest peers some honest peer cut. */
  private readonly cutHonest: Uint8Array;
  private falsePositives = 0;
  private trueCuts = 0;
  private rewires = 0;
  private reputationBytes = 0;
  private malformed = 0;
  private readonly latencySeries: Series = { t: [], v: [] };
  private readonly maliciousSeries: Series = { t: [], v: [] };
  private latencyAtStart: number | null = null;

  constructor(
    private readonly world: World,
    /** 1 for a malicious peer. */
    readonly isBad: Uint8Array,
    private readonly peers: PerPeer<AdaptiveMsg, AdaptivePeer>,
    private readonly workload: AdaptiveWorkload,
  ) {
    // the tallies live in this object, which keyframes of the run must reach (sim/snapshot.ts)
    world.sim.keep(this);
    const n = world.size;
    let honest = 0;
    for (let p = 0; p < n; p++) if (isBad[p] === 0) honest++;
    this.honestCount = honest;
    this.honestLinks = new Int32Array(n);
    this.isolatedAt = new Float64Array(n).fill(NaN);
    this.cutHonest = new Uint8Array(n);
    // malicious peers start isolated-in-waiting: their first honest link clears it
    for (let p = 0; p < n; p++) if (isBad[p] === 1) this.isolatedAt[p] = 0;
  }

  // ---- what peers report ----

  /** A broadcast from an honest peer starts now, with `honestOnline` honest peers online. */
  broadcastStarted(id: number, honestOnline: number): void {
    const r = this.born.length;
    this.born.push(this.world.sim.now);
    this.honestAtStart.push(honestOnline);
    this.reached.push(0);
    this.delays.push([]);
    this.idToBroadcast.set(id, r);
  }

  deliver(p: PeerId, msg: GossipMsg): void {
    const r = this.idToBroadcast.get(msg.id);
    if (r === undefined || this.isBad[p] === 1) return;
    this.reached[r]!++;
    this.delays[r]!.push(this.world.sim.now - this.born[r]!);
  }

  linkUp(p: PeerId, q: PeerId): void {
    if (this.isBad[p] === 0 && this.isBad[q] === 1) {
      this.honestLinks[q]!++;
      this.isolatedAt[q] = NaN;
    }
  }

  linkDown(p: PeerId, q: PeerId, why: LinkDownReason): void {
    const isBad = this.isBad;
    if (isBad[p] === 1) return;
    if (isBad[q] === 1) {
      this.honestLinks[q]!--;
      if (this.honestLinks[q] === 0) this.isolatedAt[q] = this.world.sim.now;
    }
    if (why === 'cut') {
      if (isBad[q] === 1) this.trueCuts++;
      else {
        this.falsePositives++;
        this.cutHonest[q] = 1;
      }
    } else if (why === 'rewire') this.rewires++;
  }

  addReputationBytes(b: number): void {
    this.reputationBytes += b;
  }

  countMalformed(): void {
    this.malformed++;
  }

  // ---- the overlay now ----

  meanLinkLatency(): number | null {
    const { world, isBad, peers } = this;
    let sum = 0;
    let count = 0;
    for (let p = 0; p < world.size; p++) {
      const inst = peers.get(p);
      if (!inst || isBad[p] === 1) continue;
      for (const q of inst.links.keys()) {
        sum += world.net.baseLatency(p, q);
        count++;
      }
    }
    return count ? sum / count : null;
  }

  maliciousLinkCount(): number {
    let c = 0;
    for (let p = 0; p < this.world.size; p++) if (this.isBad[p] === 1) c += this.honestLinks[p]!;
    return c;
  }

  /** Share of online honest peers in the largest component of the honest peers' links. */
  largestComponent(): number {
    const { world, isBad, peers } = this;
    const n = world.size;
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x]!]!;
        x = parent[x]!;
      }
      return x;
    };
    let online = 0;
    for (let p = 0; p < n; p++) {
      const inst = peers.get(p);
      if (!inst || isBad[p] === 1 || world.alive[p] !== 1) continue;
      online++;
      for (const q of inst.links.keys()) if (isBad[q] === 0 && world.alive[q] === 1) parent[find(p)] = find(q);
    }
    const size = new Int32Array(n);
    let best = 0;
    for (let p = 0; p < n; p++) {
      if (isBad[p] === 1 || world.alive[p] !== 1 || !peers.get(p)) continue;
      const r = find(p);
      size[r]!++;
      if (size[r]! > best) best = size[r]!;
    }
    return online ? best / online : 0;
  }

  /** The mean link latency the run started with (once the overlay exists). */
  noteStart(): void {
    this.latencyAtStart = this.meanLinkLatency();
  }

  /** One point of the link-latency and malicious-link series. */
  sampleSeries(): void {
    const t = this.world.sim.now;
    this.latencySeries.t.push(t);
    this.latencySeries.v.push(round3(this.meanLinkLatency()) ?? 0);
    this.maliciousSeries.t.push(t);
    this.maliciousSeries.v.push(this.maliciousLinkCount());
  }

  // ---- reports ----

  private ratioOf(r: number): number {
    return Math.min(1, this.reached[r]! / Math.max(1, this.honestAtStart[r]!));
  }

  /** Broadcasts old enough to count: younger ones may still be in flight (workload.settleMs). */
  private settled(): number {
    const limit = this.world.sim.now - this.workload.settleMs;
    let k = this.born.length;
    while (k > 0 && this.born[k - 1]! > limit) k--;
    return k;
  }

  private thirds(): [number[], number[]] {
    const k = this.settled();
    const early: number[] = [];
    const late: number[] = [];
    for (let r = 0; r < k; r++) {
      if (r < Math.ceil(k / 3)) early.push(r);
      if (r >= k - Math.ceil(k / 3)) late.push(r);
    }
    return [early, late];
  }

  private delaysOf(rs: number[]): number[] {
    return rs.flatMap((r) => this.delays[r]!).sort((a, b) => a - b);
  }

  summary(): Record<string, SummaryValue> {
    const { world, isBad, honestLinks, isolatedAt } = this;
    const n = world.size;
    const k = this.settled();
    const [early, late] = this.thirds();
    const all = Array.from({ length: k }, (_, r) => r);
    const dEarly = this.delaysOf(early);
    const dLate = this.delaysOf(late);
    const dAll = this.delaysOf(all);
    const ratio = (r: number): number => this.ratioOf(r);
    const malicious: number[] = [];
    for (let p = 0; p < n; p++) if (isBad[p] === 1) malicious.push(p);
    const isolated = malicious.filter((p) => honestLinks[p] === 0);
    const isolateTimes = isolated.map((p) => isolatedAt[p]!).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
    let honestBlacklisted = 0;
    for (let p = 0; p < n; p++) if (this.cutHonest[p] === 1) honestBlacklisted++;
    return {
      honestPeers: this.honestCount,
      maliciousPeers: malicious.length,
      broadcasts: k,
      broadcastsInFlight: this.born.length - k,
      deliveryRatio: round3(meanOf(all.map(ratio)) ?? 0),
      deliveryRatioLate: round3(meanOf(late.map(ratio)) ?? 0),
      deliveryRatioEarly: round3(meanOf(early.map(ratio)) ?? 0),
      maliciousCutOff: malicious.length ? round3(isolated.length / malicious.length) : null,
      falsePositives: this.falsePositives,
      honestPeersCut: honestBlacklisted,
      maliciousCuts: this.trueCuts,
      timeToIsolateMs: round3(quantileSorted(isolateTimes, 0.5)),
      meanLinkLatencyMsStart: round3(this.latencyAtStart),
      meanLinkLatencyMsEnd: round3(this.meanLinkLatency()),
      p50DeliveryMs: round3(quantileSorted(dAll, 0.5)),
      p99DeliveryMs: round3(quantileSorted(dAll, 0.99)),
      p50DeliveryMsEarly: round3(quantileSorted(dEarly, 0.5)),
      p99DeliveryMsEarly: round3(quantileSorted(dEarly, 0.99)),
      p50DeliveryMsLate: round3(quantileSorted(dLate, 0.5)),
      p99DeliveryMsLate: round3(quantileSorted(dLate, 0.99)),
      rewiresPerPeer: round3(this.rewires / this.honestCount),
      largestComponent: round3(this.largestComponent()),
      maliciousLinks: this.maliciousLinkCount(),
      reputationBytesPerPeer: round3(this.reputationBytes / n),
      malformed: this.malformed,
    };
  }

  series(): Record<string, Series> {
    const delivery: Series = { t: [], v: [] };
    for (let r = 0; r < this.settled(); r++) {
      delivery.t.push(this.born[r]!);
      delivery.v.push(round3(this.ratioOf(r)) as number);
    }
    return {
      deliveryRatio: delivery,
      meanLinkLatencyMs: { t: [...this.latencySeries.t], v: [...this.latencySeries.v] },
      maliciousLinks: { t: [...this.maliciousSeries.t], v: [...this.maliciousSeries.v] },
    };
  }

  samples(): Record<string, number[]> {
    const { isBad, honestLinks, isolatedAt } = this;
    const all = this.delaysOf(Array.from({ length: this.settled() }, (_, r) => r));
    const stride = Math.max(1, Math.ceil(all.length / MAX_SAMPLES));
    const deliveryMs = all.filter((_, i) => i % stride === 0);
    const isolateMs: number[] = [];
    for (let p = 0; p < this.world.size; p++) if (isBad[p] === 1 && honestLinks[p] === 0 && !Number.isNaN(isolatedAt[p]!)) isolateMs.push(isolatedAt[p]!);
    return { deliveryMs, isolateMs };
  }
}
