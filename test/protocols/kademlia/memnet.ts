/**
 * A back-to-back in-memory network for Kademlia nodes, independent of the simulator: messages wait in
 * one pending list and `deliverRandom` hands a random one to its receiver (so replies overtake
 * requests, as on a real network); timers fire when `advance` moves the clock past them. A link can
 * be cut (messages over it vanish), so timeouts happen. Optionally every message crosses the codec.
 */
import { Rng, type PeerContext, type PeerId } from '../../../src/core/index.js';
import { KademliaNode, createCodec, type KadMessage, type KademliaInit } from '../../../src/protocols/kademlia/index.js';

interface Timer {
  at: number;
  peer: PeerId;
  tag: number;
  data: unknown;
  id: number;
}

export class MemNet {
  readonly rng: Rng;
  readonly nodes: KademliaNode[] = [];
  pending: { from: PeerId; to: PeerId; msg: KadMessage }[] = [];
  timers: Timer[] = [];
  now = 0;
  delivered = 0;
  readonly down = new Set<PeerId>();
  private nextTimer = 1;
  private readonly codec;

  constructor(
    seed: number,
    readonly wire = false,
    idBits = 160,
  ) {
    this.rng = new Rng(seed);
    this.codec = createCodec({ idBits, maxContacts: 64 });
  }

  add(init: Omit<KademliaInit, 'id'> & { id: Uint8Array }): KademliaNode {
    const peer = this.nodes.length;
    const net = this;
    const ctx: PeerContext<KadMessage> = {
      id: peer,
      rng: this.rng.fork(`peer${peer}`),
      now: () => net.now,
      send(to, msg) {
        net.pending.push({ from: peer, to, msg: net.wire ? net.codec.decode(net.codec.encode(msg)) : msg });
      },
      setTimer(delay, tag, data) {
        const id = net.nextTimer++;
        net.timers.push({ at: net.now + delay, peer, tag, data, id });
        return id;
      },
      cancelTimer(id) {
        const i = net.timers.findIndex((t) => t.id === id);
        if (i < 0) return false;
        net.timers.splice(i, 1);
        return true;
      },
      emit() {},
    };
    const node = new KademliaNode(ctx, init);
    this.nodes.push(node);
    return node;
  }

  /** Delivers one random pending message; false if none. */
  deliverRandom(): boolean {
    if (this.pending.length === 0) return false;
    const i = this.rng.int(this.pending.length);
    const m = this.pending[i]!;
    this.pending[i] = this.pending[this.pending.length - 1]!;
    this.pending.pop();
    if (this.down.has(m.to) || this.down.has(m.from)) return true; // lost
    this.delivered++;
    this.nodes[m.to]!.onMessage(m.from, m.msg);
    return true;
  }

  /** Delivers everything, moving the clock by `stepMs` whenever only timers are left. */
  settle(stepMs = 100, maxMs = 600_000): void {
    const until = this.now + maxMs;
    while (this.now < until) {
      while (this.deliverRandom()) continue;
      const due = this.timers.filter((t) => t.at <= this.now + stepMs);
      if (this.pending.length === 0 && this.timers.every((t) => t.at > this.now + 30_000)) return;
      this.now += stepMs;
      for (const t of due.sort((a, b) => a.at - b.at || a.id - b.id)) {
        const i = this.timers.indexOf(t);
        if (i < 0) continue;
        this.timers.splice(i, 1);
        if (!this.down.has(t.peer)) this.nodes[t.peer]!.onTimer(t.tag, t.data);
      }
    }
  }
}
