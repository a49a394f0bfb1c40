/**
 * The drop case, peer against peer in memory (no simulator): a dropper receives and never forwards,
 * which from one side looks like a neighbour that happened to get everything from us first. Pull
 * probes for messages we pushed to it tell them apart: the honest neighbour answers with a proof, the
 * dropper stays silent and is cut; a corrupter's tampered copy is proof on its own.
 */
import { describe, expect, it } from 'vitest';
import { Rng, type PeerContext, type PeerId } from '../../../src/core/index.js';
import type { AdaptiveMsg, AdaptivePeer } from '../../../src/protocols/adaptive/peer.js';
import { createPeer, type Adversary } from '../../../src/protocols/adaptive/behaviours/index.js';
import { adaptiveParams } from '../../../src/protocols/adaptive/params.js';

interface Timer {
  at: number;
  seq: number;
  peer: PeerId;
  tag: number;
  data: unknown;
}

/** A tiny in-memory network: messages arrive after `latencyMs`, timers fire in time order. */
class Bench {
  now = 0;
  private seq = 0;
  readonly peers = new Map<PeerId, AdaptivePeer>();
  private events: (Timer & { msg?: { from: PeerId; body: AdaptiveMsg } })[] = [];
  readonly delivered: number[] = [];

  constructor(private readonly latencyMs = 10) {}

  add(id: PeerId, links: PeerId[], adversary: Adversary | null = null): AdaptivePeer {
    const ctx: PeerContext<AdaptiveMsg> = {
      id,
      rng: new Rng(100 + id),
      now: () => this.now,
      send: (to, body) => this.push({ at: this.now + this.latencyMs, seq: this.seq++, peer: to, tag: -1, data: null, msg: { from: id, body } }),
      setTimer: (delay, tag, data) => {
        this.push({ at: this.now + delay, seq: this.seq++, peer: id, tag, data });
        return 0;
      },
      cancelTimer: () => false,
      emit: () => {},
    };
    const p = adaptiveParams.parse({ degree: 2, fanout: 2, reputation: { periodMs: 1000 } });
    const peer = createPeer(
      ctx,
      { peers: 10, degree: 2, maxDegree: 4, fanout: 2, headerBytes: 24, cacheSize: 64, maintainMs: 500, junkBytes: 100, reputation: p.reputation, rewiring: p.rewiring },
      { sample: () => -1, deliver: (m) => this.delivered.push(m.id) },
      links,
      adversary,
    );
    this.peers.set(id, peer);
    return peer;
  }

  private push(e: Timer & { msg?: { from: PeerId; body: AdaptiveMsg } }): void {
    this.events.push(e);
  }

  runUntil(t: number): void {
    for (;;) {
      this.events.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const e = this.events[0];
      if (!e || e.at > t) break;
      this.events.shift();
      this.now = e.at;
      const peer = this.peers.get(e.peer);
      if (!peer) continue;
      if (e.msg) peer.onMessage(e.msg.from, e.msg.body);
      else peer.onTimer(e.tag, e.data);
    }
    this.now = t;
  }
}

const colluders = new Uint8Array(10);
const adversary = (kind: 'drop' | 'corrupt'): Adversary => ({ drop: kind === 'drop', corrupt: kind === 'corrupt', spamPerSec: 0, badmouth: false, colluders });

describe('pull probes', () => {
  it('an honest neighbour answers and gains trust; a dropper stays silent, loses it and is cut', () => {
    const net = new Bench();
    const me = net.add(0, [1, 2]);
    net.add(1, [0], adversary('drop'));
    net.add(2, [0]);
    for (const p of net.peers.values()) p.start();
    // a few broadcasts from us: pushed to both neighbours
    for (let i = 0; i < 3; i++) {
      me.broadcast(100);
      net.runUntil(net.now + 200);
    }
    expect(me.trust.record(1)?.rd ?? 0).toBe(0); // the dropper never sent us anything
    net.runUntil(4500); // probes go out once a period, time out after 2 s
    expect(me.stats.probesTimedOut).toBeGreaterThan(0);
    expect(me.trust.directScore(2)).toBeGreaterThan(0.6);
    expect(me.trust.directScore(1)).toBeLessThan(0.4);
    net.runUntil(8000);
    expect(me.links.has(1)).toBe(false);
    expect(me.trust.isBlacklisted(1)).toBe(true);
    expect(net.peers.get(1)!.links.has(0)).toBe(false); // told by a disconnect
    expect(me.links.has(2)).toBe(true);
    expect(me.trust.isBlacklisted(2)).toBe(false);
  });

  it("a corrupter's tampered copies are proof: cut at the first period after them", () => {
    const net = new Bench();
    const me = net.add(0, [1, 2]);
    net.add(1, [0, 3], adversary('corrupt'));
    net.add(2, [0, 3]);
    net.add(3, [1, 2]);
    for (const p of net.peers.values()) p.start();
    // a broadcast from 3 reaches us through 2 (valid) and 1 (tampered)
    net.peers.get(3)!.broadcast(100);
    net.runUntil(1100);
    expect(me.stats.invalidReceived).toBe(1);
    expect(net.delivered.filter((id) => id === net.delivered[0]).length).toBe(3); // every honest peer, once
    net.runUntil(2100);
    expect(me.trust.isBlacklisted(1)).toBe(true);
    expect(me.links.has(1)).toBe(false);
    expect(me.links.has(2)).toBe(true);
  });
});
