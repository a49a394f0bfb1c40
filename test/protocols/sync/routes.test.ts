/**
 * The relay's route table (relay/routes.ts) against a plain model of the same rules (a Map of route
 * objects in learning order, what the table held before it moved into typed arrays): under seeded random
 * learning, forgetting, reading and resolving, with a small capacity so eviction runs, both answer
 * every question the same and resolve the same waypoints. Plus the rules themselves on small cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveRoute, RouteTable } from '../../../src/protocols/sync/relay/routes.js';
import { fuzz } from '../../fuzz.js';

const RECENT_MS = 10_000;

interface ModelRoute {
  via: number[];
  learnt: number;
  exact: boolean;
}

/** The rules of routes.ts, written the plain way. */
class Model {
  readonly routes = new Map<number, ModelRoute>();
  constructor(
    private readonly maxRoutes: number,
    private readonly ttlMs: number,
  ) {}
  get(dst: number, now: number): ModelRoute | undefined {
    const r = this.routes.get(dst);
    if (r === undefined) return undefined;
    if (now - r.learnt > this.ttlMs) {
      this.routes.delete(dst);
      return undefined;
    }
    return r;
  }
  private set(dst: number, r: ModelRoute): void {
    this.routes.delete(dst);
    this.routes.set(dst, r);
    if (this.routes.size > this.maxRoutes) this.routes.delete(this.routes.keys().next().value as number);
  }
  learnPath(path: readonly number[], self: number, now: number): void {
    for (let i = 0; i < path.length - 1; i++) {
      const dst = path[i]!;
      if (dst === self) continue;
      const via: number[] = [];
      for (let j = path.length - 1; j >= i; j--) via.push(path[j]!);
      const old = this.routes.get(dst);
      if (i > 0 && old && old.exact && old.via.length < via.length && now - old.learnt <= RECENT_MS) continue;
      this.set(dst, { via, learnt: now, exact: true });
    }
  }
  vouch(dst: number, now: number, maxAgeMs = RECENT_MS * 6): boolean {
    const r = this.routes.get(dst);
    return r !== undefined && r.exact && now - r.learnt <= maxAgeMs;
  }
  learnVia(dst: number, waypoint: number, self: number, now: number): void {
    if (dst === self || dst === waypoint) return;
    const old = this.routes.get(dst);
    if (old && (old.exact || old.via.length <= 2) && now - old.learnt <= this.ttlMs / 2) return;
    this.set(dst, { via: [waypoint, dst], learnt: now, exact: false });
  }
  forget(dst: number): void {
    this.routes.delete(dst);
  }
  resolve(dst: number, isNeighbour: (p: number) => boolean, now: number, maxLen: number, depth = 3): number[] | null {
    if (isNeighbour(dst)) return [dst];
    const r = this.get(dst, now);
    if (r === undefined) return null;
    const first = r.via[0]!;
    if (isNeighbour(first)) return r.via.length <= maxLen ? r.via : null;
    if (depth <= 0 || first === dst) return null;
    const pre = this.resolve(first, isNeighbour, now, maxLen, depth - 1);
    if (pre === null) {
      if (r.exact) this.forget(dst);
      return null;
    }
    const full = pre.concat(r.via.slice(1));
    return full.length <= maxLen ? full : null;
  }
}

type Op =
  | { op: 'path'; path: number[]; dt: number }
  | { op: 'via'; dst: number; waypoint: number; dt: number }
  | { op: 'forget'; dst: number }
  | { op: 'get'; dst: number; dt: number }
  | { op: 'vouch'; dst: number; dt: number }
  | { op: 'resolve'; dst: number; dt: number };

// few peers, so paths share peers and routes are learnt again and again
const PEERS = 12;
const SELF = 0;
const peer = fc.integer({ min: 0, max: PEERS - 1 });
// time moves in small and large steps, so routes are fresh, recent, old and expired
const dt = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: 5000, max: 80_000 }) });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('path' as const), path: fc.uniqueArray(peer, { minLength: 1, maxLength: 16 }), dt }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('via' as const), dst: peer, waypoint: peer, dt }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('forget' as const), dst: peer }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('get' as const), dst: peer, dt }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('vouch' as const), dst: peer, dt }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('resolve' as const), dst: peer, dt }) },
);

describe('RouteTable', () => {
  it('answers as the plain model does, under random learning, eviction, expiry and resolution', () => {
    fuzz(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 12 }), fc.uniqueArray(fc.integer({ min: 1, max: PEERS - 1 }), { maxLength: 4 }), (ops, maxRoutes, neighbours) => {
        const ttl = 120_000;
        const table = new RouteTable(maxRoutes, ttl, 9);
        const model = new Model(maxRoutes, ttl);
        const isNb = (p: number): boolean => neighbours.includes(p);
        let now = 0;
        for (const o of ops) {
          if ('dt' in o) now += o.dt;
          switch (o.op) {
            case 'path':
              table.learnPath(o.path, SELF, now);
              model.learnPath(o.path, SELF, now);
              break;
            case 'via':
              table.learnVia(o.dst, o.waypoint, SELF, now);
              model.learnVia(o.dst, o.waypoint, SELF, now);
              break;
            case 'forget':
              table.forget(o.dst);
              model.forget(o.dst);
              break;
            case 'get': {
              const a = table.get(o.dst, now);
              const b = model.get(o.dst, now);
              expect(a && { learnt: a.learnt, exact: a.exact, length: a.length }).toEqual(b && { learnt: b.learnt, exact: b.exact, length: b.via.length });
              break;
            }
            case 'vouch':
              expect(table.vouch(o.dst, now)).toBe(model.vouch(o.dst, now));
              if (model.routes.has(o.dst)) expect(table.firstHop(o.dst)).toBe(model.routes.get(o.dst)!.via[0]);
              else expect(table.firstHop(o.dst)).toBe(-1);
              break;
            case 'resolve':
              expect(resolveRoute(table, o.dst, isNb, now, 9)).toEqual(model.resolve(o.dst, isNb, now, 9));
              break;
          }
          expect(table.size).toBe(model.routes.size);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the way back to a source, and a recent shorter exact route to the peers in between', () => {
    const t = new RouteTable();
    t.learnPath([5, 6, 7], 1, 0);
    // 5 came through 6 and 7 (7 handed it to us): back through 7, 6
    expect(resolveRoute(t, 5, (p) => p === 7, 0, 9)).toEqual([7, 6, 5]);
    expect(resolveRoute(t, 6, (p) => p === 7, 0, 9)).toEqual([7, 6]);
    // a longer path through 6 a second later keeps the short route to 6, takes the new way to its source
    t.learnPath([9, 8, 6, 7], 1, 1000);
    expect(resolveRoute(t, 6, (p) => p === 7, 1000, 9)).toEqual([7, 6]);
    expect(resolveRoute(t, 9, (p) => p === 7, 1000, 9)).toEqual([7, 6, 8, 9]);
    // a route through a waypoint that is not a neighbour resolves through the waypoint's own route
    t.learnVia(20, 9, 1, 2000);
    expect(resolveRoute(t, 20, (p) => p === 7, 2000, 9)).toEqual([7, 6, 8, 9, 20]);
    expect(resolveRoute(t, 20, (p) => p === 7, 2000, 4)).toBeNull();
  });

  it('forgets a route past its TTL, evicts the least recently learnt beyond its size, and refuses a maxLen above its own', () => {
    const t = new RouteTable(2, 1000, 9);
    t.learnVia(3, 2, 1, 0);
    t.learnVia(4, 2, 1, 10);
    t.learnVia(3, 5, 1, 600); // older than ttl/2 and loose: learnt again, now the most recent
    t.learnVia(6, 2, 1, 700); // evicts 4, the least recently learnt
    expect(t.size).toBe(2);
    expect(t.get(4, 700)).toBeUndefined();
    expect(t.firstHop(3)).toBe(5);
    expect(t.get(6, 1701)).toBeUndefined();
    expect(t.size).toBe(1);
    expect(() => resolveRoute(t, 3, () => false, 0, 10)).toThrow(RangeError);
  });

  it('keeps the first waypoint and length of a route longer than it stores, and never resolves it', () => {
    const t = new RouteTable(16, 120_000, 3);
    t.learnPath([9, 8, 7, 6, 5], 1, 0);
    expect(t.get(9, 0)?.length).toBe(5);
    expect(t.firstHop(9)).toBe(5);
    expect(resolveRoute(t, 9, (p) => p === 5, 0, 3)).toBeNull();
    expect(resolveRoute(t, 7, (p) => p === 5, 0, 3)).toEqual([5, 6, 7]);
  });
});
