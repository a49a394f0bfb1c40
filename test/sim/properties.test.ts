/**
 * Property tests (fast-check through test/fuzz.ts: a fixed seed and a fresh one, FC_SEED replays) of the
 * engine's contracts: time order with a stable tie-break, cancelled events never fire, partitions deliver nothing across them until
 * healed (messages in flight included), symmetric latency where the model says so.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EventQueue,
  Network,
  Simulator,
  World,
  installPartitions,
  type LatencyConfig,
  type Port,
  type Protocol,
} from '../../src/sim/index.js';
import { Rng, type PeerId } from '../../src/core/index.js';
import { fuzz } from '../fuzz.js';

describe('Simulator order (property)', () => {
  // delays drawn from a small set so ties are frequent; some events schedule children when they fire
  const op = fc.record({
    delay: fc.oneof(fc.constantFrom(0, 1, 2, 5), fc.double({ min: 0, max: 50, noNaN: true })),
    children: fc.array(fc.constantFrom(0, 1, 3, 0.5), { maxLength: 3 }),
    cancel: fc.boolean(),
  });

  it('fires every live event once, in (time, scheduling order), and never a cancelled one', () => {
    fuzz(
      fc.property(fc.array(op, { minLength: 1, maxLength: 300 }), fc.integer({ min: 1, max: 4 }), (ops, slices) => {
        const sim2 = new Simulator({ seed: 1 });
        let seq = 0;
        const info = new Map<number, { time: number; seq: number; cancelled: boolean; fired: number }>();
        const fired: number[] = [];
        const k2 = sim2.register((id, _arg, obj) => {
          const e = info.get(id)!;
          e.fired++;
          expect(sim2.now).toBe(e.time);
          fired.push(id);
          for (const c of obj as number[]) add2(c);
        });
        const add2 = (delay: number, children: number[] = []): number => {
          const id = seq++;
          info.set(id, { time: sim2.now + delay, seq: id, cancelled: false, fired: 0 });
          return sim2.schedule(delay, k2, id, 0, children);
        };
        const hs = ops.map((o) => add2(o.delay, o.children));
        ops.forEach((o, i) => {
          if (o.cancel) {
            expect(sim2.cancel(hs[i]!)).toBe(true);
            info.get(i)!.cancelled = true;
          }
        });
        // run in slices, as the dashboard does
        let t = 0;
        for (let s = 0; s < slices; s++) sim2.runUntil((t += 20));
        sim2.runAll();
        for (const [id, e] of info) expect(e.fired, `event ${id}`).toBe(e.cancelled ? 0 : 1);
        for (let i = 1; i < fired.length; i++) {
          const a = info.get(fired[i - 1]!)!, b = info.get(fired[i]!)!;
          expect(a.time < b.time || (a.time === b.time && a.seq < b.seq)).toBe(true);
        }
        expect(sim2.pending).toBe(0);
      }),
    );
  });

  it('the queue pops exactly what a sorted reference does (ties, cancels, density shifts)', () => {
    fuzz(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.constantFrom(0.001, 1, 1000, 1e6), (seed, scale) => {
        const rng = new Rng(seed);
        const q = new EventQueue(16);
        const ref: { t: number; seq: number; id: number; h: number }[] = [];
        let seq = 0, now = 0;
        for (let i = 0; i < 6000; i++) {
          const phase = Math.floor(i / 1500) % 2 === 0 ? scale : scale * 1000;
          const r = rng.float();
          if (r < 0.5) {
            const m = rng.int(3);
            const t = now + (m === 0 ? 0 : m === 1 ? rng.int(4) * phase : rng.exponential(phase));
            ref.push({ t, seq: seq++, id: i, h: q.push(t, 0, i, 0, undefined) });
          } else if (r < 0.6 && ref.length > 0) {
            const j = rng.int(ref.length);
            if (!q.cancel(ref[j]!.h) || q.cancel(ref[j]!.h)) throw new Error(`seed ${seed} op ${i}: cancel`);
            ref.splice(j, 1);
          } else if (ref.length > 0) {
            let best = 0;
            for (let j = 1; j < ref.length; j++) {
              const e = ref[j]!, b = ref[best]!;
              if (e.t < b.t || (e.t === b.t && e.seq < b.seq)) best = j;
            }
            if (!q.pop() || q.lastTarget !== ref[best]!.id) throw new Error(`seed ${seed} op ${i}: popped the wrong event`);
            now = q.lastTime;
            ref.splice(best, 1);
          }
          if (q.size !== ref.length) throw new Error(`seed ${seed} op ${i}: size ${q.size}, expected ${ref.length}`);
        }
        expect(q.size, `seed ${seed}: events left`).toBe(ref.length);
      }),
    );
  });
});

/** A world-level protocol that records every delivery with its send time. */
class Recorder implements Protocol<{ id: number; sentAt: number }> {
  readonly name = 'recorder';
  port!: Port<{ id: number; sentAt: number }>;
  readonly got: { id: number; from: PeerId; to: PeerId; sentAt: number; at: number }[] = [];
  attach(port: Port<{ id: number; sentAt: number }>): void {
    this.port = port;
  }
  onMessage(peer: PeerId, from: PeerId, msg: { id: number; sentAt: number }): void {
    this.got.push({ id: msg.id, from, to: peer, sentAt: msg.sentAt, at: this.port.now() });
  }
  onTimer(peer: PeerId, tag: number, data: unknown): void {
    const [to, id] = data as [number, number];
    this.port.send(peer, to, { id, sentAt: this.port.now() }, 100 + tag);
  }
}

describe('partitions (property)', () => {
  it('deliver nothing across the cut until healed, including messages already in flight', () => {
    let crossDelivered = 0, crossDropped = 0;
    fuzz(
      fc.property(
        fc.integer({ min: 2, max: 30 }),
        fc.array(fc.record({ from: fc.nat(), to: fc.nat(), at: fc.double({ min: 0, max: 400, noNaN: true }) }), {
          minLength: 1,
          maxLength: 120,
        }),
        fc.double({ min: 0, max: 300, noNaN: true }),
        fc.double({ min: 1, max: 200, noNaN: true }),
        fc.constantFrom<number[]>([2], [3], [1, 3]),
        fc.boolean(),
        (peers, msgs, atMs, span, shares, bandwidth) => {
          const sim = new Simulator({ seed: peers });
          const world = new World(sim, {
            peers,
            network: {
              latency: { model: 'uniform', minMs: 5, maxMs: 80 },
              ...(bandwidth ? { bandwidth: [{ fraction: 1, upBps: 20_000, downBps: 50_000 }] } : {}),
            },
          });
          const rec = new Recorder();
          world.add(rec);
          const healAtMs = atMs + span;
          const groupsAt: Int32Array = new Int32Array(peers);
          const part = shares.length === 1 ? { groups: shares[0]! } : { fractions: shares };
          installPartitions(world, [{ atMs, healAtMs, ...part }]);
          // capture the groups while the cut is in force
          const probe = sim.register(() => {
            for (let p = 0; p < peers; p++) groupsAt[p] = world.net.groupOf(p);
          });
          sim.at(atMs, probe);
          msgs.forEach((m, id) => {
            const from = m.from % peers, to = m.to % peers;
            sim.at(m.at, sim.register(() => rec.port.setTimer(from, 0, id % 50, [to, id])));
          });
          sim.runAll();
          expect(Array.from(groupsAt).some((g) => g !== groupsAt[0])).toBe(true);
          crossDropped += world.stats.dropped;
          for (const d of rec.got) {
            if (groupsAt[d.from] === groupsAt[d.to]) continue;
            crossDelivered++;
            // across the cut: neither sent nor arriving while it was in force
            const sentDuring = d.sentAt >= atMs && d.sentAt < healAtMs;
            const arrivedDuring = d.at >= atMs && d.at < healAtMs;
            expect(sentDuring || arrivedDuring, `message ${d.id} ${d.from}->${d.to} sent ${d.sentAt} at ${d.at}`).toBe(false);
          }
          // and within a group, everything arrives (no loss configured)
          expect(world.stats.delivered).toBe(rec.got.length);
          expect(world.stats.sent).toBe(msgs.length);
          expect(world.stats.delivered + world.stats.dropped).toBe(msgs.length);
        },
      ),
    );
    // not vacuous: messages did cross the cut outside the window, and the cut did drop some
    expect(crossDelivered).toBeGreaterThan(0);
    expect(crossDropped).toBeGreaterThan(0);
  });

  it('a later partition replaces an earlier one; the earlier heal does not undo it', () => {
    const sim = new Simulator({ seed: 3 });
    const world = new World(sim, { peers: 6 });
    installPartitions(world, [
      { atMs: 10, healAtMs: 30, groups: [[0, 1, 2]] },
      { atMs: 20, healAtMs: 50, groups: [[0], [1]] },
    ]);
    sim.runUntil(15);
    expect(world.net.separated(0, 3)).toBe(true);
    expect(world.net.separated(0, 1)).toBe(false);
    sim.runUntil(35);
    expect(world.net.separated(0, 1)).toBe(true);
    expect(world.net.separated(2, 3)).toBe(false); // unlisted peers form one group
    expect(world.net.separated(1, 4)).toBe(true);
    sim.runUntil(50);
    expect(world.net.partitioned).toBe(false);
  });
});

describe('latency symmetry (property)', () => {
  const models: [string, LatencyConfig][] = [
    ['constant', { model: 'constant', ms: 17 }],
    ['uniform', { model: 'uniform', minMs: 3, maxMs: 300 }],
    ['geo without jitter', { model: 'geo', baseMs: 2, msPerUnit: 150, jitter: 0 }],
  ];
  for (const [name, latency] of models)
    it(`${name}: a->b takes as long as b->a, every time`, () => {
      fuzz(
        fc.property(fc.integer({ min: 2, max: 5000 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 1e6 }), (n, a0, b0, seed) => {
          const net = new Network(n, { latency }, new Rng(seed));
          const a = a0 % n, b = b0 % n;
          expect(net.baseLatency(a, b)).toBe(net.baseLatency(b, a));
          expect(net.sampleLatency(a, b)).toBe(net.sampleLatency(b, a));
          expect(net.transmit(a, b, 1000, 0)).toBe(net.transmit(b, a, 1000, 0));
          expect(net.baseLatency(a, b)).toBeGreaterThanOrEqual(0);
        }),
      );
    });

  it('geo with jitter: the base is symmetric and each sample lies in [base, base * (1 + jitter))', () => {
    fuzz(
      fc.property(fc.integer({ min: 2, max: 1000 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 1e6 }), (n, a0, b0, seed) => {
        const net = new Network(n, { latency: { model: 'geo', baseMs: 5, msPerUnit: 100, jitter: 0.2 } }, new Rng(seed));
        const a = a0 % n, b = b0 % n;
        const base = net.baseLatency(a, b);
        expect(base).toBe(net.baseLatency(b, a));
        const s = net.sampleLatency(a, b);
        expect(s).toBeGreaterThanOrEqual(base);
        expect(s).toBeLessThan(base * 1.2 + 1e-9);
      }),
    );
  });
});
