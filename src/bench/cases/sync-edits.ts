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
 * As root, the bench re-executes itself inside a fresh loopback-only network namespace (unshare -n), as
 * PLATFORM.md asks of every real-network run; ICE is bound to 127.0.0.1 either way.
 */
import { Rng, quantileSorted } from '../../core/index.js';
import type { CoreName } from '../../live/room-sync.js';
import { PeerProcess } from '../../live/peer-process-client.js';
import type { SyncMode } from '../../live/peer.js';
import { SignalingServer } from '../../live/signaling/server.js';
import { BEHAVIOURS, type Behaviour } from '../../protocols/sync/index.js';
import { inNamespace } from '../netns.js';
import type { BenchCase, CaseContext, Figures, OptionsOf, OptionTypes } from '../runner.js';
import { maliciousRoom, type MaliciousRoomResult } from './sync-malicious.js';

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
  /** Overlay mode: messages a peer published after its own first link opened (answers to later joiners), mean. */
  signalingAfterFirstLinkPerPeer: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allEqual(peers: PeerProcess[], doc: string, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const texts = await Promise.all(peers.map((p) => p.text(doc)));
    if (texts.every((t) => t === texts[0])) return performance.now() - t0;
    await sleep(100);
  }
  return -1;
}

async function runMode(mode: SyncMode, n: number, seconds: number, rate: number, seed: number, core: CoreName, shuffleMs: number | undefined, trust: boolean): Promise<ModeResult> {
  const sig = new SignalingServer();
  await sig.listen();
  const t0 = performance.now();
  const peers = Array.from(
    { length: n },
    (_, i) =>
      new PeerProcess({ room: `bench-${mode}`, signaling: sig.url, mode, docs: ['bench'], name: `b${i}`, seed: seed + i, core, ...(shuffleMs ? { shuffleMs } : {}), ...(trust && mode === 'overlay' ? { trust } : {}) }),
  );
  try {
    await Promise.all(peers.map((p) => p.ready));
    // warm-up: every peer types a little and the room settles before measuring
    await Promise.all(peers.map((p, i) => p.call('edits', { doc: 'bench', seed: seed * 31 + i, count: 2 })));
    await allEqual(peers, 'bench', 20_000);
    await sleep(1000);
    await Promise.all(peers.map((p) => p.call('latency'))); // drop warm-up samples
    const setupMs = performance.now() - t0;
    const publishedBefore = sig.stats.published;
    const editStart = performance.now();
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
    const editMinutes = (performance.now() - editStart) / 60_000;
    const publishedWhileEditing = sig.stats.published - publishedBefore;
    const convergeMs = await allEqual(peers, 'bench', 30_000);
    const lat = (await Promise.all(peers.map((p) => p.call<number[]>('latency')))).flat().sort((a, b) => a - b);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    const reports = mode === 'overlay' ? await Promise.all(peers.map((p) => p.state())) : [];
    const afterLink = reports.length > 0 ? reports.reduce((a, r) => a + (r.overlay?.signalingAfterFirstLink ?? 0), 0) / reports.length : null;
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
    };
  } finally {
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
    ctx.log(`bench sync: ${m} mode, ${peers} peers, ${seconds} s at ${rate} edits/s${trust ? ', trust on' : ''} ...`);
    results.push(await runMode(m, peers, seconds, rate, seed, core, o.shuffleMs || undefined, trust));
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
    modes: results,
  };
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
