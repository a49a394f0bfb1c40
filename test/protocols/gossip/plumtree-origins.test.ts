/**
 * Per-origin trees (the sync peer's Plumtree): a peer keeps a parent in every origin's tree and mends it
 * with GRAFT alone (plumtree-feeds.ts). IHAVEs are off here (lazyFanout 0), so nothing but the mending
 * can bring a cut-off subtree the next messages.
 */
import { describe, expect, it } from 'vitest';
import { GOSSIP, PRUNE, type PlumtreeMsg } from '../../../src/protocols/gossip/codec.js';
import { Rng } from '../../../src/core/index.js';
import { TestNet } from './plumtree-net.js';

const payload = (i: number): Uint8Array => new Uint8Array([i & 255, (i >> 8) & 255, 7, 7]);
const perOrigin = { perOriginTrees: true, lazyFanout: 0, graftTimeoutMs: 100 };

describe('Plumtree per-origin trees', () => {
  it('a peer whose parent link closes GRAFTs another neighbour at once: its subtree gets what was in flight on it and every later message, with no IHAVE', () => {
    for (const seed of [1, 2, 3]) {
      const N = 30;
      const net = new TestNet(N, seed, () => perOrigin);
      const rng = new Rng(seed + 50);
      for (let i = 1; i < N; i++) net.link(i, rng.int(i));
      for (let k = 0; k < 45; k++) {
        const a = rng.int(N);
        const b = rng.int(N);
        if (a !== b && !net.cores[a]!.neighbors.includes(b)) net.link(a, b);
      }
      let sent = 0;
      net.cores[0]!.broadcast(payload(sent++));
      net.run();
      // cut a parent link of ten peers in turn, each with two broadcasts in flight (lost on the cut link)
      let cuts = 0;
      for (let x = 1; x < N && cuts < 10; x++) {
        const parent = net.from[x]!.at(-1)!;
        if (net.cores[x]!.neighbors.length < 2 || parent === 0) continue;
        net.cores[0]!.broadcast(payload(sent++));
        net.cores[0]!.broadcast(payload(sent++));
        net.unlink(x, parent);
        cuts++;
        net.run();
      }
      expect(cuts).toBe(10);
      for (let i = 1; i < N; i++) expect(net.got[i]!.length, `seed ${seed} peer ${i}`).toBe(sent);
      expect(net.cores.reduce((s, c) => s + c.stats.ihaveSent, 0)).toBe(0);
    }
  });

  it('a push that crossed our PRUNE is not taken for the parent: the parent is never pruned too', () => {
    const net = new TestNet(3, 4, () => perOrigin);
    const x = net.cores[2]!;
    x.neighborUp(0);
    x.neighborUp(1);
    const g = (seq: number): PlumtreeMsg => ({ type: GOSSIP, id: { origin: 9, session: 5, seq }, round: 1, payload: payload(seq), repair: false });
    const prunedTo = (): number[] => net.sentBy(2).filter((m) => m.msg.type === PRUNE).map((m) => m.to);
    x.onMessage(0, g(0));
    x.onMessage(1, g(0));
    // the duplicate from 1 prunes it
    expect(prunedTo()).toEqual([1]);
    // 1 pushed the next message before our PRUNE reached it, and it came first: 0's copy is the duplicate
    x.onMessage(1, g(1));
    x.onMessage(0, g(1));
    expect(prunedTo()).toEqual([1]);
    // 1 keeps pushing: our PRUNE was lost, so it goes again; 0 stays the parent
    x.onMessage(1, g(2));
    x.onMessage(0, g(2));
    expect(prunedTo()).toEqual([1, 1]);
    expect(x.stats.delivered).toBe(3);
  });

  it('a peer fed in a tree makes a new link lazy at once (PRUNE of every tree); a peer in no tree yet is pushed everything', () => {
    const net = new TestNet(4, 5, () => perOrigin);
    net.link(0, 1);
    net.link(1, 2);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    // 3 is new: 2 is fed and says PRUNE, 3 is in no tree and says nothing
    net.link(2, 3);
    expect(net.sentBy(2).map((m) => [m.to, m.msg])).toEqual([[3, { type: PRUNE }]]);
    expect(net.sentBy(3)).toEqual([]);
    net.run();
    net.cores[0]!.broadcast(payload(1));
    net.run();
    expect(net.got[3]!.length).toBe(1);
    // 1 and 3 are both fed now: their new link carries no copy of the next message
    net.link(1, 3);
    net.run();
    const dups = net.cores.reduce((s, c) => s + c.stats.duplicates, 0);
    net.cores[0]!.broadcast(payload(2));
    net.run();
    expect(net.cores.reduce((s, c) => s + c.stats.duplicates, 0)).toBe(dups);
    for (let i = 1; i < 4; i++) expect(net.got[i]!.length).toBe(2 + (i === 3 ? 0 : 1));
  });
});
