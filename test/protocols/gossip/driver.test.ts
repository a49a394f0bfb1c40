/**
 * The gossip driver: scenario keys and their errors, every variant over the network model, the
 * snapshot and series the dashboard draws, determinism, and metrics under loss, churn and partitions.
 */
import { describe, expect, it } from 'vitest';
import { driver, createGossip } from '../../../src/protocols/gossip/driver.js';
import { GossipError, gossipParams, gossipWorkload } from '../../../src/protocols/gossip/params.js';
import { Epidemic } from '../../../src/protocols/gossip/epidemic.js';
import { installChurn, installPartitions, Simulator, World } from '../../../src/sim/index.js';
import { setup } from './helpers.js';

describe('scenario keys', () => {
  it('fills defaults', () => {
    const p = driver.params.parse({});
    expect(p).toMatchObject({ variant: 'push', mode: 'infect-forever', fanout: 1, roundMs: 100, timing: 'rounds' });
    expect(driver.workload.parse({})).toMatchObject({ broadcasts: 1, messageBytes: 1024, source: 'random' });
  });

  it('rejects an unknown variant, naming it and the choices', () => {
    const r = driver.params.safeParse({ variant: 'flood' });
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path).toEqual(['variant']);
    expect(issue.message).toContain('unknown variant "flood"');
    expect(issue.message).toContain('push-pull');
  });

  it('rejects fanout < 1 and an unknown mode', () => {
    const r = driver.params.safeParse({ fanout: 0.5 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['fanout']);
    expect(r.error!.issues[0]!.message).toContain('>= 1');
    const m = driver.params.safeParse({ mode: 'infect-once' });
    expect(m.error!.issues[0]!.message).toContain('unknown mode');
    expect(driver.params.safeParse({ fanout: 'two' }).success).toBe(false);
  });

  it('rejects a message bigger than the configured limit with a clear error', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 10 });
    const params = gossipParams.parse({ maxMessageBytes: 1000 });
    const wl = gossipWorkload.parse({ messageBytes: 1001 });
    expect(() => createGossip(world, params, wl)).toThrow(GossipError);
    expect(() => createGossip(world, params, wl)).toThrow(/workload.messageBytes: 1001 bytes is bigger than protocol.maxMessageBytes \(1000\)/);
  });

  it('rejects ideal transport with async timing or plumtree, and a source that does not exist', () => {
    const sim = new Simulator({ seed: 1 });
    const world = new World(sim, { peers: 10 });
    expect(() => createGossip(world, gossipParams.parse({ transport: 'ideal', timing: 'async' }), gossipWorkload.parse({}))).toThrow(
      /protocol.transport/,
    );
    expect(() => createGossip(world, gossipParams.parse({}), gossipWorkload.parse({ source: 10 }))).toThrow(/workload.source: peer 10/);
  });
});

describe('every variant reaches everyone over the network model', () => {
  const N = 2000;
  const cases: Record<string, unknown>[] = [
    { variant: 'push' },
    { variant: 'pull' },
    { variant: 'push-pull' },
    { variant: 'push', timing: 'async' },
    { variant: 'push-pull', timing: 'poisson' },
    { variant: 'pull', timing: 'async' },
    { variant: 'push', sampling: 'partial', viewSize: 8 },
    { variant: 'push', mode: 'infect-and-die', fanout: Math.log(N) + 4 },
    { variant: 'push', mode: 'infect-and-die', fanout: 2, antiEntropyMs: 300 },
    { variant: 'plumtree' },
    { variant: 'plumtree', lazyDelayMs: 50 },
  ];
  for (const params of cases) {
    it(JSON.stringify(params), () => {
      const seed = 11;
      const { sim, run } = setup(N, seed, params, { broadcasts: 3, intervalMs: 3000, messageBytes: 512 });
      sim.runUntil(30_000);
      const s = run.summary();
      expect(s.reached, `seed ${seed}`).toBe(1);
      expect(s.broadcasts).toBe(3);
      expect(typeof s.roundsToAll).toBe('number');
      expect(s.timeToAllMs as number).toBeGreaterThan(0);
      expect(s.messagesPerPeer as number).toBeGreaterThan(1);
      expect(run.isComplete()).toBe(true);
      // receive times per peer: one per (broadcast, peer) held, all within the run
      const smp = run.samples();
      expect(smp.receiveMs!.length).toBe(3 * N);
      expect(Math.max(...smp.receiveMs!)).toBeCloseTo(s.timeToAllMs as number, -4);
    });
  }

  it('many messages in flight: 50 broadcasts at once all reach everyone, each counted apart', () => {
    for (const variant of ['push-pull', 'plumtree']) {
      const { sim, run } = setup(500, 31, { variant, timing: variant === 'plumtree' ? 'rounds' : 'async' }, { broadcasts: 50, intervalMs: 0 });
      sim.runUntil(60_000);
      const s = run.summary();
      expect(s.broadcasts, variant).toBe(50);
      expect(s.reached, variant).toBe(1);
      expect(run.samples().receiveMs!.length, variant).toBe(12_500); // 25,000 receipts, thinned evenly to the cap
      for (let r = 0; r < 50; r++) expect(run.engine.holders[r], `${variant} broadcast ${r}`).toBe(500);
    }
  });

  it('infect-and-die with fanout 1 dies out, and anti-entropy repairs what it missed', () => {
    const without = setup(N, 3, { variant: 'push', mode: 'infect-and-die', fanout: 1 }, { broadcasts: 1 });
    without.sim.runUntil(30_000);
    const a = without.run.summary();
    expect(a.reached as number).toBeLessThan(0.9);
    expect(a.roundsToAll).toBeNull();
    const withAe = setup(N, 3, { variant: 'push', mode: 'infect-and-die', fanout: 1, antiEntropyMs: 200 }, { broadcasts: 1 });
    withAe.sim.runUntil(30_000);
    const b = withAe.run.summary();
    expect(b.reached).toBe(1);
    expect(b.repaired as number).toBeGreaterThan(0);
  });

  it('pushes bandwidth: a 1 MB message takes longer over 10 Mbit/s than a 1 kB one', () => {
    const net = { latency: { model: 'constant' as const, ms: 20 }, bandwidth: [{ fraction: 1, upBps: 1.25e6, downBps: 1.25e6 }] };
    const t = (bytes: number): number => {
      const { sim, run } = setup(500, 5, { variant: 'push', timing: 'async', roundMs: 100 }, { messageBytes: bytes }, net);
      sim.runUntil(600_000);
      return run.summary().timeToAllMs as number;
    };
    const small = t(1000);
    const big = t(1_000_000);
    // one 1 MB transfer takes 800 ms at 1.25 MB/s: ~log2(500)+ln(500) sequential hops add up
    expect(big).toBeGreaterThan(small + 5 * 800);
  });
});

describe('what the dashboard and the reports read', () => {
  it('is deterministic: same seed, same summary, series and samples; other seed, other numbers', () => {
    const a = setup(3000, 42, { variant: 'push-pull', timing: 'async' }, { broadcasts: 2, intervalMs: 500 });
    const b = setup(3000, 42, { variant: 'push-pull', timing: 'async' }, { broadcasts: 2, intervalMs: 500 });
    const c = setup(3000, 43, { variant: 'push-pull', timing: 'async' }, { broadcasts: 2, intervalMs: 500 });
    for (const x of [a, b, c]) x.sim.runUntil(20_000);
    expect(b.run.summary()).toEqual(a.run.summary());
    expect(b.run.series()).toEqual(a.run.series());
    expect(b.run.samples()).toEqual(a.run.samples());
    expect(c.run.samples()).not.toEqual(a.run.samples());
  });

  it('series `reached` rises from 1/N to 1 and snapshot colours peers by state', () => {
    const N = 1000;
    const { sim, run, world } = setup(N, 9, { variant: 'push', mode: 'infect-and-die', fanout: 3 }, { broadcasts: 1, startMs: 0 });
    sim.runUntil(250); // two rounds in
    const mid = run.snapshot(200);
    expect(mid.peers.length).toBe(200);
    const states = new Set(mid.peers.map((p) => p.state));
    expect([...states].every((s) => ['susceptible', 'infected', 'removed'].includes(s))).toBe(true);
    sim.runUntil(10_000);
    const end = run.snapshot(N);
    const counts = { susceptible: 0, infected: 0, removed: 0 } as Record<string, number>;
    for (const p of end.peers) counts[p.state]!++;
    // infect-and-die: everyone reached has forwarded once and is removed by now
    expect(counts.infected).toBe(0);
    expect(counts.removed).toBe(run.engine.holders[0]);
    // full knowledge: links are the first-infection tree, one per informed peer but the source
    expect(end.links.length).toBe(run.engine.holders[0]! - 1);
    for (const [a, b] of end.links) expect(a).toBeLessThan(b);
    const s = run.series().reached!;
    expect(s.v[0]).toBeCloseTo(1 / N, 6);
    for (let i = 1; i < s.v.length; i++) expect(s.v[i]!).toBeGreaterThanOrEqual(s.v[i - 1]!);
    expect(s.v[s.v.length - 1]).toBe(run.summary().reached);
    expect(world.online).toBe(N);
  });

  it('partial views: the snapshot links are the overlay; plumtree: the tree', () => {
    const { sim, run } = setup(300, 4, { variant: 'push', sampling: 'partial', viewSize: 6 }, {});
    sim.runUntil(5000);
    const snap = run.snapshot(300);
    const deg = new Array(300).fill(0);
    for (const [a, b] of snap.links) {
      deg[a]++;
      deg[b]++;
    }
    expect(Math.min(...deg)).toBeGreaterThanOrEqual(3);
    expect(snap.links.length).toBeGreaterThan(300 * 2.5);
    const pt = setup(300, 4, { variant: 'plumtree', viewSize: 6 }, { broadcasts: 3, intervalMs: 1000 });
    pt.sim.runUntil(5000);
    const tree = pt.run.snapshot(300);
    expect(tree.links.length).toBe(299);
  });
});

describe('untrusted input', () => {
  it('malformed gossip from a peer is ignored and counted', () => {
    const { sim, run } = setup(200, 1, { variant: 'push' }, { broadcasts: 1 });
    sim.runUntil(50);
    const epi = run.engine as unknown as Epidemic;
    const before = epi.stats.messages;
    for (const bad of [-1, 1.5, NaN, 2 ** 60, 'x', null, {}, Infinity]) epi.onMessage(5, 6, bad as unknown as number);
    expect(epi.stats.malformed).toBe(8);
    expect(epi.stats.messages).toBe(before);
    sim.runUntil(20_000);
    expect(run.summary().reached).toBe(1);
    expect(run.summary().malformed).toBe(8);
  });
});

describe('under loss, churn and partitions', () => {
  it('20% message loss: push still reaches everyone, in more rounds', () => {
    const lossless = setup(3000, 21, { variant: 'push' }, {});
    const lossy = setup(3000, 21, { variant: 'push' }, {}, { latency: { model: 'uniform', minMs: 10, maxMs: 40 }, loss: 0.2 });
    lossless.sim.runUntil(30_000);
    lossy.sim.runUntil(30_000);
    expect(lossy.run.summary().reached).toBe(1);
    expect(lossy.run.summary().roundsToAll as number).toBeGreaterThan(lossless.run.summary().roundsToAll as number);
    expect(lossy.world.stats.dropped).toBeGreaterThan(0);
  });

  it('a partition holds the rumour on one side until it heals; then infect-forever finishes', () => {
    const { sim, world, run } = setup(2000, 22, { variant: 'push-pull' }, { broadcasts: 1, startMs: 100, source: 0 });
    installPartitions(world, [{ atMs: 0, healAtMs: 5000, groups: [[...Array(1000).keys()]] }]);
    sim.runUntil(4900);
    const cut = run.summary().reached as number;
    expect(cut).toBe(0.5);
    expect(run.summary().roundsToAll).toBeNull();
    sim.runUntil(20_000);
    expect(run.summary().reached).toBe(1);
    expect(run.summary().timeToAllMs as number).toBeGreaterThan(4900);
  });

  it('churn: fresh peers join and get later broadcasts; departed peers stop counting', () => {
    const { sim, world, run } = setup(2000, 23, { variant: 'plumtree', failureDetectMs: 200 }, { broadcasts: 8, startMs: 1000, intervalMs: 2000 });
    installChurn(world, { on: { distribution: 'exponential', meanMs: 20_000 }, off: { distribution: 'exponential', meanMs: 5_000 } });
    sim.runUntil(20_000);
    const s = run.summary();
    expect(s.broadcasts).toBe(8);
    expect(world.online).toBeLessThan(2000);
    expect(s.reached as number).toBeGreaterThan(0.95);
  });
});

describe('feed', () => {
  it('emits infected (with the tree parent) and removed events the dashboard timeline can read', () => {
    const { sim, run } = setup(300, 12, { variant: 'push', mode: 'infect-and-die', fanout: 8 }, { broadcasts: 1 });
    const infected = new Map<number, number>();
    let removed = 0;
    sim.feed.on((ev) => {
      if (ev.type !== 'protocol') return;
      if (ev.kind === 'infected') infected.set(ev.peer, (ev.data as { from: number }).from);
      if (ev.kind === 'removed') removed++;
    });
    sim.runUntil(10_000);
    expect(infected.size).toBe(run.engine.holders[0]);
    expect(removed).toBe(run.engine.holders[0]);
    for (const [p, from] of infected) expect(run.engine.parent[p]).toBe(from);
  });
});
