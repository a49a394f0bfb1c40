/**
 * The adaptive ProtocolDriver (`protocol.type: adaptive`): builds the initial random overlay (the
 * gossip folder's `randomOverlay`), picks the adversaries and fires the broadcasts (workload.ts),
 * runs one peer per online peer under `PerPeer` with the failure detector (protocol.ts), and reports
 * what measure.ts measures and snapshot.ts draws.
 *
 * The peer-sampling service is modelled by its ideal output (a uniformly random live peer, what
 * Cyclon or HyParView's passive view approximate); the failure detector tells a departed peer's
 * neighbours after `failureDetectMs`.
 */
import type { ConfigIssue, PeerContext, PeerId, Rng } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SummaryValue } from '../driver.js';
import { randomOverlay } from '../gossip/overlay.js';
import { createPeer, type Adversary } from './behaviours/index.js';
import { AdaptiveMeasures } from './measure.js';
import type { AdaptiveMsg, GossipMsg } from './messages.js';
import type { AdaptiveConfig, AdaptiveHost, LinkDownReason } from './overlay-peer.js';
import { AdaptiveError, adaptiveParams, adaptiveWorkload, type AdaptiveParams, type AdaptiveWorkload } from './params.js';
import type { AdaptivePeer } from './peer.js';
import { AdaptiveProtocol } from './protocol.js';
import { adaptiveSnapshot } from './snapshot.js';
import { Broadcasts, pickAdversaries } from './workload.js';

/** The peer-sampling service, ideal: a uniformly random live peer other than `self` (or -1). */
class Sampler {
  constructor(
    private readonly world: World,
    private readonly rng: Rng,
  ) {}

  sample(self: PeerId): PeerId {
    const n = this.world.size;
    for (let i = 0; i < 32; i++) {
      const q = this.rng.int(n);
      if (q !== self && this.world.alive[q] === 1) return q;
    }
    return -1;
  }
}

/** One peer's host: what it reports goes to the run's measures (a class, so keyframes can copy it). */
class PeerHost implements AdaptiveHost {
  constructor(
    private readonly self: PeerId,
    private readonly sampler: Sampler,
    private readonly measures: AdaptiveMeasures,
  ) {}

  sample(): PeerId {
    return this.sampler.sample(this.self);
  }
  deliver(msg: GossipMsg): void {
    this.measures.deliver(this.self, msg);
  }
  linkUp(other: PeerId): void {
    this.measures.linkUp(this.self, other);
  }
  linkDown(other: PeerId, why: LinkDownReason): void {
    this.measures.linkDown(this.self, other, why);
  }
  reputationBytes(bytes: number): void {
    this.measures.addReputationBytes(bytes);
  }
  malformed(): void {
    this.measures.countMalformed();
  }
}

export interface AdaptiveRun extends DriverRun {
  readonly protocol: AdaptiveProtocol;
  readonly adversaries: readonly (Adversary | null)[];
  peer(p: PeerId): AdaptivePeer | undefined;
}

/** What the schemas cannot check one key at a time: the keys together and with the number of peers. */
export function combinationIssues(params: AdaptiveParams, _workload: AdaptiveWorkload, peers: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const maxDegree = params.maxDegree ?? params.degree + 2;
  if (maxDegree < params.degree) issues.push({ path: 'protocol.maxDegree', problem: `${maxDegree} is below protocol.degree (${params.degree})` });
  if (peers < 2) issues.push({ path: 'peers', problem: `the adaptive overlay needs at least 2 peers, got ${peers}` });
  // pickAdversaries makes round(fraction * n) of them
  else if (Math.round(params.adversaries.fraction * peers) >= peers)
    issues.push({ path: 'protocol.adversaries.fraction', problem: 'no honest peer is left to broadcast' });
  return issues;
}

/** A run from parameters built in code: their combination is checked first (AdaptiveError). */
export function createAdaptive(world: World, params: AdaptiveParams, workload: AdaptiveWorkload): AdaptiveRun {
  const issue = combinationIssues(params, workload, world.size)[0];
  if (issue) throw new AdaptiveError(`${issue.path}: ${issue.problem}`);
  return buildAdaptive(world, params, workload);
}

/** The run, from parameters whose combination has been checked. */
function buildAdaptive(world: World, params: AdaptiveParams, workload: AdaptiveWorkload): AdaptiveRun {
  const n = world.size;
  const maxDegree = params.maxDegree ?? params.degree + 2;
  const adversaries = pickAdversaries(world, params);
  const isBad = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (adversaries[p] !== null) isBad[p] = 1;

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
  const sampler = new Sampler(world, world.sim.rng.fork('adaptive:sampling'));
  const created = world.sim.keep({ peers: 0 });
  const makePeer = (ctx: PeerContext<AdaptiveMsg>): AdaptivePeer => {
    const p = ctx.id;
    // the initial overlay at time 0; a peer (re)joining later starts empty and asks sampled peers
    const initial: PeerId[] = [];
    if (world.sim.now === 0 && created.peers < n) {
      for (let i = overlay.offsets[p]!; i < overlay.offsets[p + 1]!; i++) initial.push(overlay.adj[i]!);
    }
    created.peers++;
    return createPeer(ctx, cfg, new PeerHost(p, sampler, measures), initial, adversaries[p] ?? null);
  };
  const protocol = new AdaptiveProtocol(makePeer, params.failureDetectMs);
  const measures = new AdaptiveMeasures(world, isBad, protocol.inner, workload);
  world.add(protocol);
  measures.noteStart();
  const sampleKind = world.sim.register(() => {
    measures.sampleSeries();
    world.sim.schedule(params.sampleMs, sampleKind);
  });
  world.sim.schedule(0, sampleKind);
  const broadcasts = new Broadcasts(world, protocol.inner, measures, workload);

  return {
    protocol,
    adversaries,
    peer: (p) => protocol.inner.get(p),
    isComplete: () => broadcasts.done(),
    summary: (): Record<string, SummaryValue> => measures.summary(),
    series: (): Record<string, Series> => measures.series(),
    samples: (): Record<string, number[]> => measures.samples(),
    snapshot: (maxPeers = 500): OverlaySnapshot => adaptiveSnapshot(world, protocol.inner, isBad, measures.honestLinks, maxPeers),
  };
}

export const driver: ProtocolDriver<AdaptiveParams, AdaptiveWorkload> = {
  type: 'adaptive',
  params: adaptiveParams,
  workload: adaptiveWorkload,
  check: combinationIssues,
  create: (ctx, params, workload) => buildAdaptive(ctx.world, params, workload),
};
