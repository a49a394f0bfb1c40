/**
 * The adaptive ProtocolDriver (`protocol.type: adaptive`): builds the initial random overlay (the
 * gossip folder's `randomOverlay`), picks the adversaries, runs one `AdaptivePeer` per online peer
 * under `PerPeer`, fires the broadcast workload from random honest peers and measures what the issue
 * asks: delivery among honest peers, how fast and how completely malicious peers are cut off, honest
 * links cut by mistake, link latency and delivery times early vs late, rewiring, connectivity and the
 * bytes reputation costs.
 *
 * The peer-sampling service is modelled by its ideal output (a uniformly random live peer, what
 * Cyclon or HyParView's passive view approximate); the failure detector tells a departed peer's
 * neighbours after `failureDetectMs`.
 */
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../driver.js';
import { cont, PerPeer, type Port, type Protocol, type World } from '../../sim/index.js';
import { quantileSorted, type PeerContext, type PeerId } from '../../core/index.js';
import { randomOverlay } from '../gossip/overlay.js';
import {
  AdaptiveError,
  adaptiveParams,
  adaptiveWorkload,
  type AdaptiveParams,
  type AdaptiveWorkload,
} from './params.js';
import {
  AdaptivePeer,
  TIMER_NEIGHBOUR_DOWN,
  type AdaptiveConfig,
  type AdaptiveMsg,
  type Adversary,
  type GossipMsg,
} from './peer.js';

/** Most delivery-time samples returned (evenly thinned beyond). */
const MAX_SAMPLES = 20_000;

function round3(x: number | null): number | null {
  return x === null || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000;
}

function meanOf(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

export function broadcastTimes(w: AdaptiveWorkload): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.broadcasts; i++) out.push(w.startMs + i * w.intervalMs);
  return out;
}

/** Which peers are malicious and how: drop/corrupt split round-robin, spam/badmouth added to all. */
export function pickAdversaries(world: World, p: AdaptiveParams): (Adversary | null)[] {
  const n = world.size;
  const count = Math.round(p.adversaries.fraction * n);
  const rng = world.sim.rng.fork('adaptive:adversaries');
  const order = Array.from({ length: n }, (_, i) => i);
  rng.shuffle(order);
  const colluders = new Uint8Array(n);
  const b = p.adversaries.behaviour;
  const forwarding = b.filter((x) => x === 'drop' || x === 'corrupt');
  const out: (Adversary | null)[] = new Array<Adversary | null>(n).fill(null);
  for (let i = 0; i < count; i++) {
    const m = order[i] as number;
    colluders[m] = 1;
    const f = forwarding.length ? forwarding[i % forwarding.length] : null;
    out[m] = {
      drop: f === 'drop',
      corrupt: f === 'corrupt',
      spamPerSec: b.includes('spam') ? p.adversaries.spamPerSec : 0,
      badmouth: b.includes('badmouth'),
      colluders,
    };
  }
  return out;
}

/** PerPeer plus the failure detector: a departed peer's neighbours hear of it after a delay. */
class AdaptiveProtocol implements Protocol<AdaptiveMsg> {
  readonly name = 'adaptive';
  readonly inner: PerPeer<AdaptiveMsg, AdaptivePeer>;
  private port!: Port<AdaptiveMsg>;

  constructor(
    factory: (ctx: PeerContext<AdaptiveMsg>) => AdaptivePeer,
    private readonly failureDetectMs: number,
  ) {
    this.inner = new PerPeer<AdaptiveMsg, AdaptivePeer>('adaptive', factory);
  }

  attach(port: Port<AdaptiveMsg>): void {
    this.port = port;
    this.inner.attach(port);
  }

  onJoin(peer: PeerId): void {
    this.inner.onJoin(peer);
  }

  onLeave(peer: PeerId, graceful: boolean): void {
    const gone = this.inner.get(peer);
    if (!graceful && gone) {
      // a crash says nothing: the peers that linked to it notice after the detection delay
      for (let p = 0; p < this.inner.instances.length; p++) {
        const inst = this.inner.instances[p];
        if (inst && p !== peer && inst.links.has(peer)) this.port.setTimer(p, this.failureDetectMs, TIMER_NEIGHBOUR_DOWN, peer);
      }
    }
    // graceful: PerPeer calls stop(), which says goodbye; a crash: the links vanish silently
    if (!graceful) gone?.crash();
    this.inner.onLeave(peer, graceful);
  }

  onMessage(peer: PeerId, from: PeerId, msg: AdaptiveMsg): void {
    this.inner.onMessage(peer, from, msg);
  }

  onTimer(peer: PeerId, tag: number, data: unknown): void {
    this.inner.onTimer(peer, tag, data);
  }
}

export interface AdaptiveRun extends DriverRun {
  readonly protocol: AdaptiveProtocol;
  readonly adversaries: readonly (Adversary | null)[];
  peer(p: PeerId): AdaptivePeer | undefined;
}

export function createAdaptive(world: World, params: AdaptiveParams, workload: AdaptiveWorkload): AdaptiveRun {
  const n = world.size;
  const maxDegree = params.maxDegree ?? params.degree + 2;
  if (maxDegree < params.degree)
    throw new AdaptiveError(`protocol.maxDegree: ${maxDegree} is below protocol.degree (${params.degree})`);
  if (n < 2) throw new AdaptiveError(`peers: the adaptive overlay needs at least 2 peers, got ${n}`);
  const adversaries = pickAdversaries(world, params);
  const isBad = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (adversaries[p] !== null) isBad[p] = 1;
  let honestCount = 0;
  for (let p = 0; p < n; p++) if (isBad[p] === 0) honestCount++;
  if (honestCount === 0) throw new AdaptiveError('protocol.adversaries.fraction: no honest peer is left to broadcast');

  const overlay = randomOverlay(n, params.degree, world.sim.rng.fork('adaptive:overlay'));
  const cfg: AdaptiveConfig = {
    peers: n,
    degree: params.degree,
    maxDegree,
    fanout: params.fanout,
    headerBytes: params.headerBytes,
    cacheSize: params.cacheSize,
    maintainMs: params.maintainMs,
    junkBytes: workload.messageBytes,
    reputation: params.reputation,
    rewiring: params.rewiring,
  };
  const sampleRng = world.sim.rng.fork('adaptive:sampling');
  const sample = (self: PeerId): PeerId => {
    for (let i = 0; i < 32; i++) {
      const q = sampleRng.int(n);
      if (q !== self && world.alive[q] === 1) return q;
    }
    return -1;
  };

  // ---- metrics state ----
  const times = broadcastTimes(workload);
  const idToBroadcast = new Map<number, number>();
  const born: number[] = [];
  const honestAtStart: number[] = [];
  const reached: number[] = [];
  const delays: number[][] = [];
  /** honest peers that hold a link to each malicious peer */
  const honestLinks = new Int32Array(n);
  const isolatedAt = new Float64Array(n).fill(NaN);
  const cutHonest = new Uint8Array(n);
  // the tallies the closures below change, kept where a keyframe of the run reaches them (sim/snapshot.ts)
  const m = world.sim.keep({ falsePositives: 0, trueCuts: 0, rewires: 0, reputationBytes: 0, malformed: 0, created: 0, fired: 0 });
  world.sim.keep({ idToBroadcast, born, honestAtStart, reached, delays, honestLinks, isolatedAt, cutHonest });

  const deliver = (p: PeerId, msg: GossipMsg): void => {
    const r = idToBroadcast.get(msg.id);
    if (r === undefined || isBad[p] === 1) return;
    reached[r]!++;
    (delays[r] as number[]).push(world.sim.now - (born[r] as number));
  };
  const linkUp = (p: PeerId, q: PeerId): void => {
    if (isBad[p] === 0 && isBad[q] === 1) {
      honestLinks[q]!++;
      isolatedAt[q] = NaN;
    }
  };
  const linkDown = (p: PeerId, q: PeerId, why: string): void => {
    if (isBad[p] === 1) return;
    if (isBad[q] === 1) {
      honestLinks[q]!--;
      if (honestLinks[q] === 0) isolatedAt[q] = world.sim.now;
    }
    if (why === 'cut') {
      if (isBad[q] === 1) m.trueCuts++;
      else {
        m.falsePositives++;
        cutHonest[q] = 1;
      }
    } else if (why === 'rewire') m.rewires++;
  };

  const addReputationBytes = (b: number): void => {
    m.reputationBytes += b;
  };
  const countMalformed = (): void => {
    m.malformed++;
  };
  // what peers' continuations call, reachable from the run even if no peer existed at time 0
  world.sim.keep({ sample, deliver, linkUp, linkDown, addReputationBytes, countMalformed });
  const makePeer = (ctx: PeerContext<AdaptiveMsg>): AdaptivePeer => {
    const p = ctx.id;
    // the initial overlay at time 0; a peer (re)joining later starts empty and asks sampled peers
    const initial: PeerId[] = [];
    if (world.sim.now === 0 && m.created < n) {
      for (let i = overlay.offsets[p] as number; i < (overlay.offsets[p + 1] as number); i++) initial.push(overlay.adj[i] as number);
    }
    m.created++;
    return new AdaptivePeer(
      ctx,
      cfg,
      // continuations, not closures: a peer that (re)joins during the run stays copyable by keyframes
      {
        sample: cont(sample, p),
        deliver: cont(deliver, p),
        linkUp: cont(linkUp, p),
        linkDown: cont(linkDown, p),
        reputationBytes: addReputationBytes,
        malformed: countMalformed,
      },
      initial,
      adversaries[p] ?? null,
    );
  };

  // malicious peers start isolated-in-waiting: their first honest link clears it
  for (let p = 0; p < n; p++) if (isBad[p] === 1) isolatedAt[p] = 0;
  const protocol = new AdaptiveProtocol(makePeer, params.failureDetectMs);
  world.add(protocol);
  const peer = (p: PeerId): AdaptivePeer | undefined => protocol.inner.get(p);

  // ---- overlay measures ----
  const meanLinkLatency = (): number | null => {
    let sum = 0;
    let count = 0;
    for (let p = 0; p < n; p++) {
      const inst = peer(p);
      if (!inst || isBad[p] === 1) continue;
      for (const q of inst.links.keys()) {
        sum += world.net.baseLatency(p, q);
        count++;
      }
    }
    return count ? sum / count : null;
  };
  const maliciousLinkCount = (): number => {
    let c = 0;
    for (let p = 0; p < n; p++) if (isBad[p] === 1) c += honestLinks[p] as number;
    return c;
  };
  /** Share of online honest peers in the largest component of the honest peers' links. */
  const largestComponent = (): number => {
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const find = (x: number): number => {
      while (parent[x] !== x) {
        parent[x] = parent[parent[x] as number] as number;
        x = parent[x] as number;
      }
      return x;
    };
    let online = 0;
    for (let p = 0; p < n; p++) {
      const inst = peer(p);
      if (!inst || isBad[p] === 1 || world.alive[p] !== 1) continue;
      online++;
      for (const q of inst.links.keys()) if (isBad[q] === 0 && world.alive[q] === 1) parent[find(p)] = find(q);
    }
    const size = new Int32Array(n);
    let best = 0;
    for (let p = 0; p < n; p++) {
      if (isBad[p] === 1 || world.alive[p] !== 1 || !peer(p)) continue;
      const r = find(p);
      size[r]!++;
      if ((size[r] as number) > best) best = size[r] as number;
    }
    return online ? best / online : 0;
  };

  const latencyAtStart = meanLinkLatency();
  const latencySeries: Series = { t: [], v: [] };
  const maliciousSeries: Series = { t: [], v: [] };
  world.sim.keep({ latencySeries, maliciousSeries });
  const sampleKind = world.sim.register(() => {
    const t = world.sim.now;
    latencySeries.t.push(t);
    latencySeries.v.push(round3(meanLinkLatency()) ?? 0);
    maliciousSeries.t.push(t);
    maliciousSeries.v.push(maliciousLinkCount());
    world.sim.schedule(params.sampleMs, sampleKind);
  });
  world.sim.schedule(0, sampleKind);

  // ---- broadcasts from random honest online peers ----
  const srcRng = world.sim.rng.fork('adaptive:sources');
  const bcastKind = world.sim.register(() => {
    m.fired++;
    let src = -1;
    for (let i = 0; i < 256 && src < 0; i++) {
      const q = srcRng.int(n);
      if (isBad[q] === 0 && world.alive[q] === 1 && peer(q)) src = q;
    }
    if (src < 0) return;
    let honestOnline = 0;
    for (let p = 0; p < n; p++) if (isBad[p] === 0 && world.alive[p] === 1) honestOnline++;
    const r = born.length;
    born.push(world.sim.now);
    honestAtStart.push(honestOnline);
    reached.push(0);
    delays.push([]);
    // register the id before the peer delivers to itself
    const inst = peer(src) as AdaptivePeer;
    const id = inst.peekNextId();
    idToBroadcast.set(id, r);
    inst.broadcast(workload.messageBytes);
  });
  for (const t of times) world.sim.at(Math.max(t, world.sim.now), bcastKind);
  const lastAt = times.length ? (times[times.length - 1] as number) : 0;

  // ---- reports ----
  const ratioOf = (r: number): number => Math.min(1, (reached[r] as number) / Math.max(1, honestAtStart[r] as number));
  /** Broadcasts old enough to count: younger ones may still be in flight (workload.settleMs). */
  const settled = (): number => {
    const limit = world.sim.now - workload.settleMs;
    let k = born.length;
    while (k > 0 && (born[k - 1] as number) > limit) k--;
    return k;
  };
  const thirds = (): [number[], number[]] => {
    const k = settled();
    const early: number[] = [];
    const late: number[] = [];
    for (let r = 0; r < k; r++) {
      if (r < Math.ceil(k / 3)) early.push(r);
      if (r >= k - Math.ceil(k / 3)) late.push(r);
    }
    return [early, late];
  };
  const delaysOf = (rs: number[]): number[] => rs.flatMap((r) => delays[r] as number[]).sort((a, b) => a - b);

  const summary = (): Record<string, SummaryValue> => {
    const k = settled();
    const [early, late] = thirds();
    const all = Array.from({ length: k }, (_, r) => r);
    const dEarly = delaysOf(early);
    const dLate = delaysOf(late);
    const dAll = delaysOf(all);
    const malicious: number[] = [];
    for (let p = 0; p < n; p++) if (isBad[p] === 1) malicious.push(p);
    const isolated = malicious.filter((p) => honestLinks[p] === 0);
    const isolateTimes = isolated.map((p) => isolatedAt[p] as number).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
    let honestBlacklisted = 0;
    for (let p = 0; p < n; p++) if (cutHonest[p] === 1) honestBlacklisted++;
    return {
      honestPeers: honestCount,
      maliciousPeers: malicious.length,
      broadcasts: k,
      broadcastsInFlight: born.length - k,
      deliveryRatio: round3(meanOf(all.map(ratioOf)) ?? 0),
      deliveryRatioLate: round3(meanOf(late.map(ratioOf)) ?? 0),
      deliveryRatioEarly: round3(meanOf(early.map(ratioOf)) ?? 0),
      maliciousCutOff: malicious.length ? round3(isolated.length / malicious.length) : null,
      falsePositives: m.falsePositives,
      honestPeersCut: honestBlacklisted,
      maliciousCuts: m.trueCuts,
      timeToIsolateMs: round3(quantileSorted(isolateTimes, 0.5)),
      meanLinkLatencyMsStart: round3(latencyAtStart),
      meanLinkLatencyMsEnd: round3(meanLinkLatency()),
      p50DeliveryMs: round3(quantileSorted(dAll, 0.5)),
      p99DeliveryMs: round3(quantileSorted(dAll, 0.99)),
      p50DeliveryMsEarly: round3(quantileSorted(dEarly, 0.5)),
      p99DeliveryMsEarly: round3(quantileSorted(dEarly, 0.99)),
      p50DeliveryMsLate: round3(quantileSorted(dLate, 0.5)),
      p99DeliveryMsLate: round3(quantileSorted(dLate, 0.99)),
      rewiresPerPeer: round3(m.rewires / honestCount),
      largestComponent: round3(largestComponent()),
      maliciousLinks: maliciousLinkCount(),
      reputationBytesPerPeer: round3(m.reputationBytes / n),
      malformed: m.malformed,
    };
  };

  const series = (): Record<string, Series> => {
    const delivery: Series = { t: [], v: [] };
    for (let r = 0; r < settled(); r++) {
      delivery.t.push(born[r] as number);
      delivery.v.push(round3(ratioOf(r)) as number);
    }
    return {
      deliveryRatio: delivery,
      meanLinkLatencyMs: { t: [...latencySeries.t], v: [...latencySeries.v] },
      maliciousLinks: { t: [...maliciousSeries.t], v: [...maliciousSeries.v] },
    };
  };

  const samples = (): Record<string, number[]> => {
    const all = delaysOf(Array.from({ length: settled() }, (_, r) => r));
    const stride = Math.max(1, Math.ceil(all.length / MAX_SAMPLES));
    const deliveryMs = all.filter((_, i) => i % stride === 0);
    const isolateMs: number[] = [];
    for (let p = 0; p < n; p++) if (isBad[p] === 1 && honestLinks[p] === 0 && !Number.isNaN(isolatedAt[p] as number)) isolateMs.push(isolatedAt[p] as number);
    return { deliveryMs, isolateMs };
  };

  const snapshot = (maxPeers = 500): OverlaySnapshot => {
    const lim = Math.min(n, Math.max(0, Math.floor(maxPeers)));
    const peers: OverlaySnapshot['peers'] = [];
    // reputation a peer's honest neighbours hold of it
    const sum = new Float64Array(lim);
    const cnt = new Int32Array(lim);
    for (let p = 0; p < n; p++) {
      const inst = peer(p);
      if (!inst || isBad[p] === 1) continue;
      for (const q of inst.links.keys())
        if (q < lim) {
          sum[q]! += inst.trust.score(q);
          cnt[q]!++;
        }
    }
    for (let p = 0; p < lim; p++) {
      const entry: OverlaySnapshot['peers'][number] = {
        id: p,
        alive: world.alive[p] === 1,
        state: isBad[p] === 0 ? 'honest' : honestLinks[p] === 0 ? 'isolated' : 'malicious',
      };
      if ((cnt[p] as number) > 0) entry.value = round3((sum[p] as number) / (cnt[p] as number)) as number;
      else if (isBad[p] === 1) entry.value = 0;
      peers.push(entry);
    }
    const links: [PeerId, PeerId][] = [];
    const seen = new Set<number>();
    for (let p = 0; p < lim; p++) {
      const inst = peer(p);
      if (!inst) continue;
      for (const q of inst.links.keys()) {
        if (q >= lim) continue;
        const a = p < q ? p : q;
        const b = p < q ? q : p;
        const key = a * n + b;
        if (seen.has(key)) continue;
        seen.add(key);
        links.push([a, b]);
      }
    }
    return { timeMs: world.sim.now, peers, links };
  };

  return {
    protocol,
    adversaries,
    peer,
    isComplete: () => m.fired >= times.length && world.sim.now >= lastAt + workload.settleMs,
    summary,
    series,
    samples,
    snapshot,
  };
}

export const driver: ProtocolDriver<AdaptiveParams, AdaptiveWorkload> = {
  type: 'adaptive',
  params: adaptiveParams,
  workload: adaptiveWorkload,
  create: (ctx, params, workload) => createAdaptive(ctx.world, params, workload),
};
