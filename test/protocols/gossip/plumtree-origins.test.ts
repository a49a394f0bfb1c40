/**
 * Per-origin trees (the sync peer's Plumtree): a peer keeps a parent in every origin's tree and mends it
 * with GRAFT alone (plumtree-feeds.ts). IHAVEs are off here (lazyFanout 0), so nothing but the mending
 * can bring a cut-off subtree the next messages.
 */
import { describe, expect, it } from 'vitest';
import { GOSSIP, IHAVE, PRUNE, type PlumtreeMsg } from '../../../src/protocols/gossip/codec.js';
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

  it('a message lost on a link that stays up shows as a gap when the next one comes, and is GRAFTed from the deliverer with no IHAVE; what the answer repeats prunes nobody', () => {
    const net = new TestNet(3, 6, () => perOrigin);
    net.link(0, 1);
    net.link(1, 2);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    // 1's copy of the next message to 2 is lost; the link stays up
    net.cut.add('1-2');
    net.cores[0]!.broadcast(payload(1));
    net.run();
    net.cut.delete('1-2');
    expect(net.got[2]!.length).toBe(1);
    net.cores[0]!.broadcast(payload(2));
    net.run();
    expect(net.got[2]!.map((p) => p[0])).toEqual([0, 2, 1]);
    expect(net.cores[2]!.stats.gaps).toBe(1);
    expect(net.cores[2]!.stats.graftSent).toBe(1);
    // 1 answered the GRAFT with message 1 and message 2 again: a repeat it was asked for, not a redundant link
    expect(net.cores[2]!.stats.pruneSent).toBe(0);
    net.cores[0]!.broadcast(payload(3));
    net.run();
    expect(net.got[2]!.length).toBe(4);
    expect(net.cores.reduce((s, c) => s + c.stats.ihaveSent, 0)).toBe(0);
  });

  it('batched IHAVEs leave out a message the neighbour announced or sent us meanwhile', () => {
    const net = new TestNet(3, 7, () => ({ perOriginTrees: true, lazyFanout: 8, lazyDelayMs: 50, graftTimeoutMs: 100 }));
    const x = net.cores[2]!;
    x.neighborUp(0);
    x.neighborUp(1);
    const g = (seq: number): PlumtreeMsg => ({ type: GOSSIP, id: { origin: 9, session: 5, seq }, round: 1, payload: payload(seq), repair: false });
    x.onMessage(0, g(0));
    x.onMessage(1, g(0));
    net.pending = [];
    // 1 is lazy for origin 9 now: the next message is queued for an IHAVE to it, then 1 announces it itself
    x.onMessage(0, g(1));
    x.onMessage(1, { type: IHAVE, ids: [{ id: { origin: 9, session: 5, seq: 1 }, round: 1 }] });
    x.onMessage(0, g(2));
    const flush = net.timers.filter((t) => t.live && t.peer === 2);
    expect(flush.length).toBe(1);
    net.pending = [];
    x.onTimer(flush[0]!.tag, flush[0]!.data);
    expect(net.sentBy(2)).toEqual([{ to: 1, msg: { type: IHAVE, ids: [{ id: { origin: 9, session: 5, seq: 2 }, round: 2 }] } }]);
  });

  it('an origin whose last child link closes pushes its next message on every link: its tree forms again, with no IHAVE', () => {
    const net = new TestNet(4, 8, () => perOrigin);
    net.link(0, 1);
    net.link(1, 2);
    net.link(1, 3);
    net.cores[0]!.broadcast(payload(0));
    net.run();
    // later links of fed peers are lazy: 0's own tree still hangs on 1 alone
    net.link(0, 2);
    net.link(0, 3);
    net.run();
    net.unlink(0, 1);
    net.run();
    for (let i = 1; i <= 3; i++) net.cores[0]!.broadcast(payload(i));
    net.run();
    for (let i = 1; i < 4; i++) expect(net.got[i]!.length, `peer ${i}`).toBe(4);
    expect(net.cores.reduce((s, c) => s + c.stats.ihaveSent, 0)).toBe(0);
  });
});
