/**
 * Live sync of random edits (resources/bench/sync.yaml).
 *
 * Real WebRTC (node-datachannel) on loopback: --peers Node peer processes join one room per sync mode;
 * for --seconds, a random peer makes one edit every 1/--rate s. Every edit carries a stamp (origin, seq,
 * wall time) in the same Yjs transaction, and every other peer records its arrival latency when the
 * update is integrated there (so both modes are measured the same way, over whatever path delivered it).
 * After the edits, the replicas must converge (same text everywhere) within 30 s. The signaling server's
 * count of messages received says how much the room still used it: in overlay mode nothing once every
 * peer has its first link (signalingPerPeerPerMinute while editing).
 *
 * With --simulated N (overlay mode), a population of N simulated sync peers joins the same room through a
 * bridge peer in this process (src/live/mixed/: virtual time paced to the wall clock, modelled latency and
 * bandwidth among them), making --sim-rate edits per second of its own while the Node peers edit; every
 * simulated replica must converge too. Latency figures stay those between the Node peers; the bench
 * process's CPU time over the editing window, per simulated peer, says what a simulated peer costs the host.
 *
 * As root, the bench re-executes itself inside a fresh loopback-only network namespace (unshare -n), as
 * PLATFORM.md asks of every real-network run; ICE is bound to 127.0.0.1 either way.
 */
import { Rng, quantileSorted } from '../../core/index.js';
import type { CoreName } from '../../live/room-sync.js';
import { PeerProcess } from '../../live/peer-process-client.js';
import type { PeerReport, SyncMode } from '../../live/peer.js';
import { SignalingServer } from '../../live/signaling/server.js';
import { BEHAVIOURS, type Behaviour } from '../../protocols/sync/index.js';
import { inNamespace } from '../netns.js';
import type { BenchCase, CaseContext, Figures, OptionsOf, OptionTypes } from '../runner.js';
import { maliciousRoom, type MaliciousRoomResult } from './sync-malicious.js';
import { SimulatedPopulation } from '../../live/mixed/population.js';
import { populationScenario } from '../../live/mixed/scenario.js';
import { createPeerKeys } from '../../live/trust-keys.js';

export interface ModeResult {
  mode: SyncMode;
  edits: number;
  /** Edit arrival latency over all (edit, receiving peer) pairs. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  converged: boolean;
  convergeMs: number;
  setupMs: number;
  /** Messages the signaling server received from the room, per peer: in all, and per minute while editing
   * (every peer linked by then; overlay mode's goal is 0). */
  signalingMessagesPerPeer: number;
  signalingPerPeerPerMinute: number;
  /** Overlay mode: messages a peer published after its own first link opened while linked (answers to later joiners), mean. */
  signalingAfterFirstLinkPerPeer: number | null;
  /** Overlay mode: messages a peer published after it had lost every link (a new bootstrap), mean. */
  signalingUnlinkedPerPeer: number | null;
  /** Simulated peers in the room (--simulated; overlay mode only). */
  simulatedPeers: number;
  /** This process's CPU time (user + system) over the editing window as a share of one core: in all, and per simulated peer. */
  hostCpuPct: number;
  hostCpuPerSimulatedPeerPct: number | null;
  /** Share of one core the simulation's events took (the pacer's busy time), per simulated peer. */
  simCpuPerSimulatedPeerPct: number | null;
  /** How late simulated events ran behind the wall clock: p99 and worst (ms). */
  simLateP99Ms: number | null;
  simMaxLateMs: number | null;
}

export interface SimulatedOptions {
  peers: number;
  /** Edits per second the population makes (its editors: min(10, peers)). */
  rate: number;
  seed: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allEqual(peers: PeerProcess[], doc: string, timeoutMs: number, pop: SimulatedPopulation | null = null): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const texts = await Promise.all(peers.map((p) => p.text(doc)));
    if (pop) for (const s of pop.online()) texts.push(pop.replica(s).text());
    if (texts.every((t) => t === texts[0])) return performance.now() - t0;
    await sleep(100);
  }
  return -1;
}

async function runMode(
  mode: SyncMode,
  n: number,
  seconds: number,
  rate: number,
  seed: number,
  core: CoreName,
  shuffleMs: number | undefined,
  trust: boolean,
  sim?: SimulatedOptions,
): Promise<ModeResult> {
  const sig = new SignalingServer();
  await sig.listen();
  const t0 = performance.now();
  const room = `bench-${mode}`;
  const peers = Array.from(
    { length: n },
    (_, i) =>
      new PeerProcess({ room, signaling: sig.url, mode, docs: ['bench'], name: `b${i}`, seed: seed + i, core, ...(shuffleMs ? { shuffleMs } : {}), ...(trust && mode === 'overlay' ? { trust } : {}) }),
  );
  let pop: SimulatedPopulation | null = null;
  try {
    await Promise.all(peers.map((p) => p.ready));
    if (sim && sim.peers > 0 && mode === 'overlay') {
      // the population's edits start 2 s in and last about as long as the Node peers' (after the warm-up)
      const scenario = populationScenario({ count: sim.peers, room, editors: Math.min(10, sim.peers), editsPerSecond: sim.rate, edits: Math.round(sim.rate * (seconds + 5)), joinSeconds: 2, seed: sim.seed });
      // in a room with trust the bridge proves its key like any peer (the simulated peers never meet a live one)
      const keys = trust ? { trust: true, keys: await createPeerKeys() } : {};
      pop = new SimulatedPopulation({ index: 1, scenario, live: { room, signaling: sig.url, bindAddress: '127.0.0.1', core, ...keys }, doc: 'bench' });
    }
    // warm-up: every peer types a little and the room settles before measuring
    await Promise.all(peers.map((p, i) => p.call('edits', { doc: 'bench', seed: seed * 31 + i, count: 2 })));
    await allEqual(peers, 'bench', 20_000);
    if (pop) await allEqual(peers, 'bench', 30_000, pop);
    await sleep(1000);
    await Promise.all(peers.map((p) => p.call('latency'))); // drop warm-up samples
    const setupMs = performance.now() - t0;
    const publishedBefore = sig.stats.published;
    const editStart = performance.now();
    const cpu0 = process.cpuUsage();
    const busy0 = pop?.pacer.stats.busyMs ?? 0;
    const rng = new Rng(seed);
    const period = 1000 / rate;
    const end = performance.now() + seconds * 1000;
    let edits = 0;
    let next = performance.now();
    const inflight: Promise<unknown>[] = [];
    while (performance.now() < end) {
      const p = peers[rng.int(n)]!;
      inflight.push(p.call('edits', { doc: 'bench', seed: rng.int(2 ** 31), count: 1, stamp: true }));
      edits++;
      next += period;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
    const editWallMs = performance.now() - editStart;
    const cpu = process.cpuUsage(cpu0);
    const hostCpuPct = ((cpu.user + cpu.system) / 1000 / editWallMs) * 100;
    const simBusyPct = pop ? ((pop.pacer.stats.busyMs - busy0) / editWallMs) * 100 : 0;
    const editMinutes = editWallMs / 60_000;
    const publishedWhileEditing = sig.stats.published - publishedBefore;
    const convergeMs = await allEqual(peers, 'bench', 30_000, pop);
    const popInfo = pop?.info() ?? null;
    const lat = (await Promise.all(peers.map((p) => p.call<number[]>('latency')))).flat().sort((a, b) => a - b);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const reports = mode === 'overlay' ? await Promise.all(peers.map((p) => p.state())) : [];
    const meanOf = (f: (o: NonNullable<PeerReport['overlay']>) => number) => (reports.length > 0 ? reports.reduce((a, r) => a + (r.overlay ? f(r.overlay) : 0), 0) / reports.length : null);
    const afterLink = meanOf((o) => o.signalingAfterFirstLink);
    const unlinked = meanOf((o) => o.signalingUnlinked);
    return {
      mode,
      edits,
      p50Ms: r2(quantileSorted(lat, 0.5)),
      p99Ms: r2(quantileSorted(lat, 0.99)),
      maxMs: r2(lat.at(-1) ?? Number.NaN),
      samples: lat.length,
      converged: convergeMs >= 0,
      convergeMs: Math.round(convergeMs),
      setupMs: Math.round(setupMs),
      signalingMessagesPerPeer: r2(sig.stats.published / n),
      signalingPerPeerPerMinute: r2(publishedWhileEditing / n / editMinutes),
      signalingAfterFirstLinkPerPeer: afterLink === null ? null : r2(afterLink),
      signalingUnlinkedPerPeer: unlinked === null ? null : r2(unlinked),
      simulatedPeers: pop?.size ?? 0,
      hostCpuPct: r2(hostCpuPct),
      hostCpuPerSimulatedPeerPct: pop ? Math.round((hostCpuPct / pop.size) * 1000) / 1000 : null,
      simCpuPerSimulatedPeerPct: pop ? Math.round((simBusyPct / pop.size) * 1000) / 1000 : null,
      simLateP99Ms: popInfo?.lateP99Ms ?? null,
      simMaxLateMs: popInfo?.maxLateMs ?? null,
    };
  } finally {
    pop?.close(false);
    await Promise.all(peers.map((p) => p.close()));
    await sig.close();
  }
}

const OPTIONS = {
  peers: 'int',
  seconds: 'number',
  rate: 'number',
  modes: 'string',
  core: 'string',
  'shuffle-ms': 'int',
  simulated: 'int',
  'sim-rate': 'number',
  seed: 'int',
  trust: 'string',
  malicious: 'int',
  behaviours: 'string',
} as const satisfies OptionTypes;

/** Rooms under attack, one per behaviour (sync-malicious.ts), and what they add up to. */
async function runMalicious(o: OptionsOf<typeof OPTIONS>, ctx: CaseContext): Promise<Figures> {
  const list = o.behaviours.split(',').map((b) => b.trim()) as Behaviour[];
  for (const b of list) if (b === 'honest' || !BEHAVIOURS.includes(b)) throw new RangeError(`--behaviours: unknown attack '${b}' (drop, corrupt, spam, badmouth)`);
  if (o.malicious >= o.peers - 1) throw new RangeError(`--malicious ${o.malicious}: leave at least 2 honest peers of ${o.peers}`);
  const rooms: MaliciousRoomResult[] = [];
  for (const behaviour of list) {
    ctx.log(`bench sync: ${o.peers} peers, ${o.malicious} ${behaviour} ...`);
    rooms.push(
      await maliciousRoom({ peers: o.peers, malicious: o.malicious, behaviour, isolateWithinMs: 30_000, holdMs: 5000, rate: o.rate, convergeWithinMs: 30_000, seed: o.seed, log: ctx.log }),
    );
  }
  const times = rooms.map((r) => r.timeToIsolateMs);
  return {
    peers: o.peers,
    malicious: o.malicious,
    rate: o.rate,
    netns: process.env.PEERLAB_NETNS === '1',
    // the targets: every attacker isolated within 30 s, no honest link cut, the honest replicas converged
    allIsolated: rooms.every((r) => r.maliciousIsolated === r.maliciousPeers && r.timeToIsolateMs !== null),
    maxTimeToIsolateMs: times.every((t) => t !== null) ? Math.max(...(times as number[])) : null,
    honestLinksCut: rooms.reduce((n, r) => n + r.honestLinksCut, 0),
    converged: rooms.every((r) => r.converged),
    behaviours: rooms,
  };
}

async function run(o: OptionsOf<typeof OPTIONS>, ctx: CaseContext): Promise<Figures> {
  const peers = o.peers;
  const seconds = o.seconds;
  const rate = o.rate;
  const seed = o.seed;
  const modes = o.modes.split(',') as SyncMode[];
  for (const m of modes) if (m !== 'overlay' && m !== 'ywebrtc') throw new RangeError(`--modes: unknown mode '${m}'`);
  const core = o.core as CoreName;
  const outer = inNamespace(ctx, 'sync');
  if (outer) return outer;
  if (o.malicious > 0) return runMalicious(o, ctx);
  const trust = o.trust === 'on';
  const results: ModeResult[] = [];
  for (const m of modes) {
    ctx.log(`bench sync: ${m} mode, ${peers} peers${o.simulated > 0 && m === 'overlay' ? ` + ${o.simulated} simulated` : ''}, ${seconds} s at ${rate} edits/s${trust ? ', trust on' : ''} ...`);
    results.push(await runMode(m, peers, seconds, rate, seed, core, o.shuffleMs || undefined, trust, { peers: o.simulated, rate: o.simRate, seed }));
  }
  const overlay = results.find((r) => r.mode === 'overlay') ?? results[0];
  return {
    peers,
    seconds,
    rate,
    core,
    trust,
    netns: process.env.PEERLAB_NETNS === '1',
    mode: overlay?.mode,
    edits: overlay?.edits,
    p50Ms: overlay?.p50Ms,
    p99Ms: overlay?.p99Ms,
    converged: overlay?.converged,
    signalingPerPeerPerMinute: overlay?.signalingPerPeerPerMinute,
    signalingAfterFirstLinkPerPeer: overlay?.signalingAfterFirstLinkPerPeer,
    signalingUnlinkedPerPeer: overlay?.signalingUnlinkedPerPeer,
    simulatedPeers: overlay?.simulatedPeers,
    hostCpuPct: overlay?.hostCpuPct,
    hostCpuPerSimulatedPeerPct: overlay?.hostCpuPerSimulatedPeerPct,
    simCpuPerSimulatedPeerPct: overlay?.simCpuPerSimulatedPeerPct,
    simLateP99Ms: overlay?.simLateP99Ms,
    modes: results,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
