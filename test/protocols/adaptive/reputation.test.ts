/**
 * The trust table (beta reputation with ageing, discounted second-hand evidence, the deviation test
 * on reporters) and what a peer does with an opinion list it cannot trust: a malformed or oversized
 * list is dropped whole and counts against its sender.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuzz } from '../../fuzz.js';
import { lonePeer } from './helpers.js';
import { TrustTable, validateOpinions, type Opinion } from '../../../src/protocols/adaptive/reputation.js';
import type { AdaptiveMsg } from '../../../src/protocols/adaptive/peer.js';

const CFG = { ageing: 0.5, indirectWeight: 0.5, maxOpinions: 4, maxReportWeight: 5, maxKnown: 16, peers: 100 };

describe('TrustTable', () => {
  it('scores as the mean of Beta(r+1, s+1), ages evidence, and blacklisting wins', () => {
    const t = new TrustTable(0, CFG);
    expect(t.score(7)).toBe(0.5); // a stranger
    t.good(7, 8);
    expect(t.score(7)).toBeCloseTo(9 / 10, 12);
    t.bad(7, 8);
    expect(t.score(7)).toBeCloseTo(0.5, 12);
    t.bad(7, 4);
    expect(t.score(7)).toBeCloseTo(9 / 22, 12);
    t.age(); // r 4, s 6
    expect(t.record(7)!.rd).toBeCloseTo(4, 12);
    expect(t.score(7)).toBeCloseTo(5 / 12, 12);
    t.blacklist(7);
    expect(t.score(7)).toBe(0);
  });

  it('weights second-hand evidence by trust x credibility, and a reporter that lies about what we saw loses credibility', () => {
    const t = new TrustTable(0, CFG);
    // we know 1 and 2 first-hand: 1 good, 2 bad; reporters 10 (truthful) and 11 (liar) are trusted neighbours
    t.good(1, 10);
    t.bad(2, 10);
    t.good(10, 10);
    t.good(11, 10);
    for (let i = 0; i < 5; i++) {
      t.integrate(10, [{ peer: 1, good: 5, bad: 0 }, { peer: 2, good: 0, bad: 5 }, { peer: 50, good: 0, bad: 5 }]);
      t.integrate(11, [{ peer: 1, good: 0, bad: 5 }, { peer: 2, good: 5, bad: 0 }, { peer: 0, good: 0, bad: 5 }, { peer: 51, good: 0, bad: 5 }]);
    }
    expect(t.credibility(10)).toBeGreaterThan(0.9);
    expect(t.credibility(11)).toBeLessThan(0.1);
    // both said "bad" about a stranger five times: the truthful one is believed, the liar not at all
    expect(t.score(50)).toBeLessThan(0.3);
    expect(t.score(51)).toBe(0.5);
    // first-hand evidence still dominates: the liar cannot turn our view of 1 around
    expect(t.score(1)).toBeGreaterThan(0.7);
  });

  it('keeps at most maxKnown records: the least evidenced go first, blacklist entries last', () => {
    const t = new TrustTable(0, CFG); // maxKnown 16
    for (let p = 1; p <= 30; p++) t.good(p, p); // peer p has evidence p
    t.blacklist(2);
    t.blacklist(3);
    t.age();
    expect(t.size).toBe(14); // trimmed to 90% of the cap
    expect(t.isBlacklisted(2) && t.isBlacklisted(3)).toBe(true);
    for (let p = 19; p <= 30; p++) expect(t.has(p), `peer ${p}`).toBe(true);
    expect(t.has(18)).toBe(false);
  });

  it('when full, forgets hearsay that decides nothing before a suspect: a forgotten suspect would be admitted as a stranger', () => {
    const t = new TrustTable(0, { ...CFG, ageing: 1, peers: 1_000 });
    // a trusted neighbour reports 10 peers as bad (a little) and 20 as good (a lot)
    t.good(1, 1_000);
    t.integrate(1, Array.from({ length: 10 }, (_, i) => ({ peer: 100 + i, good: 0, bad: 1 })));
    t.integrate(1, Array.from({ length: 4 }, (_, i) => ({ peer: 200 + i, good: 4, bad: 0 })));
    t.integrate(1, Array.from({ length: 4 }, (_, i) => ({ peer: 204 + i, good: 4, bad: 0 })));
    t.integrate(1, Array.from({ length: 4 }, (_, i) => ({ peer: 208 + i, good: 4, bad: 0 })));
    t.integrate(1, Array.from({ length: 4 }, (_, i) => ({ peer: 212 + i, good: 4, bad: 0 })));
    t.integrate(1, Array.from({ length: 4 }, (_, i) => ({ peer: 216 + i, good: 4, bad: 0 })));
    expect(t.size).toBe(31);
    for (let i = 0; i < 10; i++) expect(t.score(100 + i), `suspect ${100 + i}`).toBeLessThan(0.45);
    t.age(); // maxKnown 16: down to 14
    expect(t.size).toBe(14);
    // the reporter (first-hand evidence and credibility) and every suspect stay; 3 of the praised peers do
    expect(t.has(1)).toBe(true);
    for (let i = 0; i < 10; i++) expect(t.has(100 + i), `suspect ${100 + i}`).toBe(true);
    for (let i = 0; i < 10; i++) expect(t.score(100 + i)).toBeLessThan(0.45);
    let praised = 0;
    for (let p = 200; p < 220; p++) if (t.has(p)) praised++;
    expect(praised).toBe(3);
  });

  it('builds bounded opinion lists: warnings first, no entry above the weight cap, the recipient left out', () => {
    const t = new TrustTable(0, { ...CFG, maxOpinions: 3 });
    t.good(1, 20);
    t.good(2, 3);
    t.blacklist(9);
    t.bad(8, 1);
    for (let p = 20; p < 30; p++) t.good(p, 1);
    const list = t.opinions([1, 2], 0);
    expect(list.length).toBe(4); // maxOpinions + 1, so one can be left out per recipient
    expect(list.map((o) => o.peer).slice(0, 3)).toEqual([1, 2, 9]);
    for (const o of list) expect(o.good + o.bad).toBeLessThanOrEqual(5);
    expect(list.find((o) => o.peer === 9)).toMatchObject({ good: 0 });
    expect(validateOpinions(list.slice(0, 3), { maxOpinions: 3, maxReportWeight: 5, peers: 100 })).toEqual(list.slice(0, 3));
  });
});

describe('TrustTable with sparse u32 peer ids', () => {
  // the sync peer's ids are key hashes anywhere in [0, 2^32): the table must behave as a map keyed by
  // them, whatever their spread, through growth, ageing and trimming
  const ids = [0, 1, 7, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0x9e3779b1, 123456789];
  const op = fc.oneof(
    fc.record({ k: fc.constant('good' as const), p: fc.constantFrom(...ids), w: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ k: fc.constant('bad' as const), p: fc.constantFrom(...ids), w: fc.integer({ min: 1, max: 5 }) }),
    fc.record({ k: fc.constant('black' as const), p: fc.constantFrom(...ids) }),
    fc.record({ k: fc.constant('age' as const) }),
    fc.record({ k: fc.constant('fresh' as const), p: fc.nat({ max: 0xffffffff }), w: fc.integer({ min: 1, max: 3 }) }),
  );

  it('keeps each id\'s first-hand evidence and blacklist flag apart, and reads back what a Map would hold', () => {
    fuzz(
      fc.property(fc.array(op, { minLength: 40, maxLength: 200 }), (ops) => {
        const t = new TrustTable(3, { ...CFG, ageing: 1, maxKnown: 1_000 });
        const ref = new Map<number, { rd: number; sd: number; black: boolean }>();
        const at = (p: number) => ref.get(p) ?? (ref.set(p, { rd: 0, sd: 0, black: false }), ref.get(p)!);
        for (const o of ops) {
          if (o.k === 'good' || o.k === 'fresh') {
            t.good(o.p, o.w);
            at(o.p).rd += o.w;
          } else if (o.k === 'bad') {
            t.bad(o.p, o.w);
            at(o.p).sd += o.w;
          } else if (o.k === 'black') {
            t.blacklist(o.p);
            at(o.p).black = true;
          } else t.age();
        }
        expect(t.size).toBe(ref.size);
        expect([...t.reps.keys()]).toEqual([...ref.keys()]); // the order peers became known
        for (const [p, r] of ref) {
          expect(t.has(p)).toBe(true);
          expect(t.isBlacklisted(p)).toBe(r.black);
          expect(t.directEvidence(p)).toBe(r.rd + r.sd);
          expect(t.score(p)).toBe(r.black ? 0 : (r.rd + 1) / (r.rd + r.sd + 2));
          expect(t.reps.get(p)).toMatchObject({ rd: r.rd, sd: r.sd, blacklisted: r.black });
        }
        if (!ref.has(0xfffffffd)) expect(t.score(0xfffffffd)).toBe(0.5);
      }),
    );
  });
});

describe('validateOpinions', () => {
  const cfg = { maxOpinions: 4, maxReportWeight: 5, peers: 100 };
  const ok: Opinion[] = [{ peer: 3, good: 1, bad: 2 }];
  it('accepts a well-formed list and names what is wrong with a bad one', () => {
    expect(validateOpinions(ok, cfg)).toEqual(ok);
    expect(validateOpinions({}, cfg)).toMatch(/expected a list/);
    expect(validateOpinions(Array.from({ length: 5 }, (_, i) => ({ peer: i, good: 1, bad: 0 })), cfg)).toMatch(/5 entries, more than the 4 allowed/);
    expect(validateOpinions([{ peer: 100, good: 1, bad: 0 }], cfg)).toMatch(/opinions\[0\]\.peer: expected a peer id in \[0, 99\]/);
    expect(validateOpinions([{ peer: 1.5, good: 1, bad: 0 }], cfg)).toMatch(/\.peer/);
    expect(validateOpinions([ok[0], { peer: 4, good: Number.NaN, bad: 0 }], cfg)).toMatch(/opinions\[1\]: good and bad/);
    expect(validateOpinions([{ peer: 4, good: -1, bad: 0 }], cfg)).toMatch(/opinions\[0\]/);
    expect(validateOpinions([{ peer: 4, good: 3, bad: 3 }], cfg)).toMatch(/at most 5/);
    expect(validateOpinions([{ peer: 4, good: 1, bad: 0 }, { peer: 4, good: 1, bad: 0 }], cfg)).toMatch(/named twice/);
    expect(validateOpinions([null], cfg)).toMatch(/expected \{peer, good, bad\}/);
  });
});

describe('a peer receiving opinions', () => {
  const peerWith = (neighbours: number[]) => lonePeer({ seed: 5, peers: 50, degree: 8, maxDegree: 10, neighbours });

  it('takes in a valid list from a neighbour it has good experience with, and not from one it has none with', () => {
    const { peer } = peerWith([1, 2]);
    peer.trust.good(1, 4);
    peer.onMessage(1, { t: 'opinions', entries: [{ peer: 7, good: 0, bad: 5 }] });
    expect(peer.trust.record(7)!.si).toBeCloseTo(5 * (4 / 6) * 0.5, 9); // track record 4/(4+0+2) x credibility 1/2
    peer.onMessage(2, { t: 'opinions', entries: [{ peer: 8, good: 0, bad: 5 }] });
    expect(peer.trust.record(8)?.si ?? 0).toBe(0);
    expect(peer.stats.malformed).toBe(0);
  });

  it('drops an oversized or malformed list whole, and holds it against the sender', () => {
    const { peer } = peerWith([1, 2]);
    const big = Array.from({ length: 9 }, (_, i) => ({ peer: 10 + i, good: 0, bad: 5 }));
    peer.onMessage(1, { t: 'opinions', entries: big });
    peer.onMessage(2, { t: 'opinions', entries: [{ peer: 11, good: 0, bad: 5 }, { peer: 'x', good: 0, bad: 1 }] as unknown as Opinion[] });
    peer.onMessage(2, { t: 'opinions', entries: [{ peer: 12, good: 0, bad: 1e9 }] });
    peer.onMessage(2, { t: 'opinions' } as unknown as AdaptiveMsg);
    expect(peer.stats.malformed).toBe(4);
    for (let p = 10; p < 19; p++) expect(peer.trust.record(p)?.si ?? 0, `peer ${p}`).toBe(0);
    expect(peer.trust.record(1)!.sd).toBe(1);
    expect(peer.trust.record(2)!.sd).toBe(3);
  });

  it('ignores opinions from a peer that is not its neighbour, and survives garbage messages', () => {
    const { peer } = peerWith([1]);
    peer.onMessage(30, { t: 'opinions', entries: [{ peer: 7, good: 0, bad: 5 }] });
    expect(peer.trust.record(7)).toBeUndefined();
    for (const junk of [null, 42, 'hello', { t: 7 }, { t: 'gossip', id: -1 }, { t: 'pull', id: 'a', nonce: 1 }, { t: 'teleport' }])
      peer.onMessage(1, junk as unknown as AdaptiveMsg);
    expect(peer.stats.malformed).toBe(7);
    expect(peer.links.size).toBe(1);
  });
});
