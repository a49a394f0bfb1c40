/**
 * The gossip ProtocolDriver: validates `protocol:` / `workload:` of a scenario, wires the chosen
 * variant into the World and reports the dissemination metrics of the gossip issue.
 *
 * push | pull | push-pull run as the struct-of-arrays `Epidemic` (src/protocols/gossip/epidemic.ts);
 * plumtree runs the per-peer sans-IO `Plumtree` core (the very code live peers run) under `PerPeer`,
 * over the partial-view membership of `PlumtreeNetwork` (plumtree-sim.ts).
 */
import type { DriverRun, OverlaySnapshot, ProtocolDriver, Series, SnapshotLink, SummaryValue } from '../driver.js';
import type { ConfigIssue, PeerId } from '../../core/index.js';
import type { World } from '../../sim/index.js';
import { Epidemic, type EpidemicStats } from './epidemic.js';
import { overlayLinks, randomOverlay, type Overlay } from './overlay.js';
import {
  broadcastTimes,
  GossipError,
  gossipParams,
  gossipWorkload,
  type GossipParams,
  type GossipWorkload,
} from './params.js';
import { PlumtreeNetwork } from './plumtree-sim.js';

/** What the driver reads from either engine to report a run. */
export interface Dissemination {
  readonly n: number;
  readonly started: number;
  /** state[r*n+p]: 0 susceptible, 1 infected, 2 removed */
  readonly state: Uint8Array;
  readonly round: Int32Array;
  readonly at: Float64Array;
  readonly parent: Int32Array;
  readonly born: Float64Array;
  readonly holders: Int32Array;
  readonly allAt: Float64Array;
  readonly allRound: Float64Array;
  readonly at99: Float64Array;
  readonly round99: Float64Array;
  /** Highest fraction of the online peers that held each broadcast at once (its reach under churn). */
  readonly peak: Float64Array;
  readonly stats: EpidemicStats;
  readonly reachedSeries: Series;
  broadcast(source: PeerId, bytes: number): number;
  /** Links to draw (partial views / tree), or null to draw the first-infection tree. */
  links(maxPeer: number): [PeerId, PeerId][] | null;
}

/** Largest rumours x peers the state arrays may hold (~ 21 bytes per cell). */
const MAX_CELLS = 50_000_000;
/** Most per-peer samples returned (evenly thinned beyond). */
const MAX_SAMPLES = 20_000;

function mean(xs: number[]): number | null {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

function round3(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}

/** What the schemas cannot check one key at a time: the keys together and with the number of peers. */
export function combinationIssues(p: GossipParams, w: GossipWorkload, peers: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (w.messageBytes > p.maxMessageBytes)
    issues.push({ path: 'workload.messageBytes', problem: `${w.messageBytes} bytes is bigger than protocol.maxMessageBytes (${p.maxMessageBytes})` });
  if (p.transport === 'ideal' && (p.timing !== 'rounds' || p.variant === 'plumtree'))
    issues.push({ path: 'protocol.transport', problem: `'ideal' needs timing 'rounds' and a push, pull or push-pull variant` });
  if (typeof w.source === 'number' && w.source >= peers)
    issues.push({ path: 'workload.source', problem: `peer ${w.source} does not exist (peers: ${peers})` });
  const count = broadcastTimes(w).length;
  if (count * peers > MAX_CELLS)
    issues.push({ path: 'workload.broadcasts', problem: `${count} broadcasts x ${peers} peers exceeds the ${MAX_CELLS} rumour-peer cells the driver tracks` });
  return issues;
}

/** Throws GossipError naming every problem `combinationIssues` finds. */
export function validateCombination(p: GossipParams, w: GossipWorkload, peers: number): void {
  const issues = combinationIssues(p, w, peers);
  if (issues.length > 0) throw new GossipError(issues.map((i) => `${i.path}: ${i.problem}`).join('\n'));
}

export interface GossipRun extends DriverRun {
  readonly engine: Dissemination;
}

/** A gossip run from parameters built in code: their combination is checked first. */
export function createGossip(world: World, params: GossipParams, workload: GossipWorkload): GossipRun {
  validateCombination(params, workload, world.size);
  return buildGossip(world, params, workload);
}

/** The run, from parameters whose combination has been checked. */
function buildGossip(world: World, params: GossipParams, workload: GossipWorkload): GossipRun {
  const n = world.size;
  const times = broadcastTimes(workload);
  const rng = world.sim.rng.fork('gossip:setup');
  let engine: Dissemination;
  if (params.variant === 'plumtree') {
    engine = new PlumtreeNetwork(world, params, times.length);
  } else {
    const overlay: Overlay | null = params.sampling === 'partial' ? randomOverlay(n, params.viewSize, rng) : null;
    const epi = new Epidemic(n, {
      variant: params.variant,
      mode: params.mode,
      fanout: params.fanout,
      roundMs: params.roundMs,
      timing: params.timing,
      transport: params.transport,
      overlay,
      antiEntropyMs: params.antiEntropyMs,
      headerBytes: params.headerBytes,
      capacity: Math.max(1, times.length),
    });
    world.add(epi);
    engine = Object.assign(epi, {
      links: (maxPeer: number) => (overlay ? overlayLinks(overlay, maxPeer) : null),
    }) as Epidemic & Dissemination;
  }

  // broadcasts: world-level events at the workload's times
  const srcRng = world.sim.rng.fork('gossip:sources');
  const st = world.sim.keep({ fired: 0 });
  const bcastKind = world.sim.register(() => {
    st.fired++;
    let src: number;
    if (typeof workload.source === 'number') src = workload.source;
    else {
      src = srcRng.int(n);
      for (let i = 0; i < 64 && world.alive[src] !== 1; i++) src = srcRng.int(n);
      if (world.alive[src] !== 1) for (let p = 0; p < n; p++) if (world.alive[p] === 1) { src = p; break; }
    }
    engine.broadcast(src, workload.messageBytes);
  });
  for (const t of times) world.sim.at(Math.max(t, world.sim.now), bcastKind);

  const summary = (): Record<string, SummaryValue> => {
    const e = engine;
    const online = Math.max(1, world.online);
    const reachedEach: number[] = [];
    const reachedNow: number[] = [];
    const roundsAll: number[] = [];
    const timeAll: number[] = [];
    const rounds99: number[] = [];
    const time99: number[] = [];
    let allReached = true;
    let all99 = true;
    for (let r = 0; r < e.started; r++) {
      reachedEach.push(Math.min(1, e.peak[r]!));
      reachedNow.push(Math.min(1, e.holders[r]! / online));
      if (Number.isNaN(e.allAt[r]!)) allReached = false;
      else {
        roundsAll.push(e.allRound[r]!);
        timeAll.push(e.allAt[r]!);
      }
      if (Number.isNaN(e.at99[r]!)) all99 = false;
      else {
        rounds99.push(e.round99[r]!);
        time99.push(e.at99[r]!);
      }
    }
    const s = e.stats;
    return {
      variant: params.variant,
      mode: params.mode,
      broadcasts: e.started,
      reached: round3(mean(reachedEach) ?? 0),
      reachedNow: round3(mean(reachedNow) ?? 0),
      roundsToAll: allReached && e.started > 0 ? round3(mean(roundsAll)) : null,
      timeToAllMs: allReached && e.started > 0 ? round3(mean(timeAll)) : null,
      roundsTo99: all99 && e.started > 0 ? round3(mean(rounds99)) : null,
      timeTo99Ms: all99 && e.started > 0 ? round3(mean(time99)) : null,
      messagesPerPeer: round3(s.messages / n),
      payloadMessagesPerPeer: round3(s.payloadMessages / n),
      duplicatesPerPeer: round3(s.duplicates / n),
      bytesPerPeer: round3(s.bytes / n),
      payloadMessagesPerBroadcast: e.started > 0 ? round3(s.payloadMessages / e.started) : null,
      malformed: s.malformed,
      failedBroadcasts: s.failedBroadcasts,
      repaired: s.repaired,
    };
  };

  const samples = (): Record<string, number[]> => {
    const e = engine;
    const receiveMs: number[] = [];
    const receiveRound: number[] = [];
    let total = 0;
    for (let r = 0; r < e.started; r++) total += e.holders[r]!;
    const stride = Math.max(1, Math.ceil(total / MAX_SAMPLES));
    let i = 0;
    for (let r = 0; r < e.started; r++) {
      const base = r * n;
      const b = e.born[r]!;
      for (let p = 0; p < n; p++) {
        if (e.state[base + p] === 0) continue;
        if (i++ % stride !== 0) continue;
        receiveMs.push(e.at[base + p]! - b);
        receiveRound.push(e.round[base + p]!);
      }
    }
    return { receiveMs, receiveRound };
  };

  const snapshot = (maxPeers = 500): OverlaySnapshot => {
    const e = engine;
    const lim = Math.min(n, Math.max(0, Math.floor(maxPeers)));
    const r = e.started - 1;
    const peers: OverlaySnapshot['peers'] = [];
    for (let p = 0; p < lim; p++) {
      const s = r >= 0 ? e.state[r * n + p]! : 0;
      const entry: OverlaySnapshot['peers'][number] = {
        id: p,
        alive: world.alive[p] === 1,
        state: s === 0 ? 'susceptible' : s === 1 ? 'infected' : 'removed',
      };
      if (s !== 0) entry.value = e.round[r * n + p]!;
      peers.push(entry);
    }
    let links: SnapshotLink[] | null = e.links(lim);
    if (links === null) {
      // full knowledge: draw the edges the latest broadcast actually travelled (its first-infection tree)
      links = [];
      if (r >= 0)
        for (let p = 0; p < lim; p++) {
          const par = e.parent[r * n + p]!;
          if (par >= 0 && par < lim && e.state[r * n + p] !== 0) links.push(par < p ? [par, p, 1] : [p, par, 1]); // kind 1: the infection tree (observe.ts)
        }
    }
    return { timeMs: world.sim.now, peers, links };
  };

  return {
    engine,
    isComplete: () => {
      if (st.fired < times.length) return false;
      const online = world.online;
      for (let r = 0; r < engine.started; r++) if (engine.holders[r]! < online) return false;
      return true;
    },
    summary,
    series: () => ({ reached: { t: [...engine.reachedSeries.t], v: [...engine.reachedSeries.v] } }),
    samples,
    snapshot,
  };
}

export const driver: ProtocolDriver<GossipParams, GossipWorkload> = {
  type: 'gossip',
  params: gossipParams,
  workload: gossipWorkload,
  check: combinationIssues,
  create: (ctx, params, workload) => buildGossip(ctx.world, params, workload),
};
