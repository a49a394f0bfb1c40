/**
 * Rooms of sync peers with trust on, on the deterministic test network: model keys (crypto.ts's
 * ModelKeys: synchronous, deterministic, a tampered message fails like with Ed25519), attackers by
 * behaviour, and what the tests and the isolation figures read off them.
 */
import type { PeerId } from '../../../../src/core/index.js';
import { ModelKeys, type Behaviour, type PeerTrust, type TrustCrypto, type TrustOptions } from '../../../../src/protocols/sync/index.js';
import { TestNet, type TestNetOptions } from '../testnet.js';

export interface TrustRoomOptions extends Omit<TestNetOptions, 'trust'> {
  peers: number;
  /** Attackers (the highest ids) and what they do. */
  attackers?: number;
  behaviour?: Behaviour;
  trust?: TrustOptions;
  /** Wraps each peer's crypto (e.g. to answer later, as WebCrypto does). */
  wrapCrypto?: (c: TrustCrypto, id: PeerId) => TrustCrypto;
  /** The peers' ids (default 1..peers) and their crypto (default model keys): real keys give their own ids. */
  ids?: readonly PeerId[];
  cryptoFor?: (id: PeerId) => TrustCrypto;
}

export class TrustRoom {
  readonly net: TestNet;
  readonly keys: ModelKeys;
  readonly honest: PeerId[] = [];
  readonly attackers: PeerId[] = [];
  readonly ids: readonly PeerId[];

  constructor(readonly o: TrustRoomOptions) {
    this.keys = new ModelKeys(o.seed);
    const n = o.peers;
    const a = o.attackers ?? 0;
    this.ids = o.ids ?? Array.from({ length: n }, (_, i) => i + 1);
    this.ids.forEach((id, i) => (i >= n - a ? this.attackers : this.honest).push(id));
    const colluders = [...this.attackers];
    this.net = new TestNet({
      ...o,
      trust: (id): PeerTrust => {
        const base = o.cryptoFor ? o.cryptoFor(id) : this.keys.keysFor(id);
        const crypto = o.wrapCrypto ? o.wrapCrypto(base, id) : base;
        const attacker = this.attackers.includes(id);
        return { crypto, options: { ...o.trust, ...(attacker ? { behaviour: o.behaviour ?? 'drop', colluders } : {}) } };
      },
    });
  }

  /** Joins every peer, one every 200 ms, then lets the room settle. */
  join(settleMs = 10_000): this {
    for (const id of this.ids) {
      this.net.add(id);
      this.net.run(200);
    }
    this.net.run(settleMs);
    return this;
  }

  /** Honest peers edit, one edit every `every` ms, for `ms`. */
  edit(ms: number, every = 100): void {
    const net = this.net;
    for (let t = 0; t < ms; t += every) {
      const alive = this.honest.filter((p) => net.peers.get(p)?.alive);
      if (alive.length > 0) net.edit(net.rng.pick(alive));
      net.run(every);
    }
  }

  sync(id: PeerId) {
    return this.net.peers.get(id)!.sync;
  }

  /** Whether no honest peer holds an open link to `attacker`. */
  isolated(attacker: PeerId): boolean {
    return this.honest.every((h) => !this.sync(h).links.isOpen(attacker));
  }

  /** Honest-to-honest links cut by an honest peer's trust decision. */
  honestCuts(): number {
    let n = 0;
    for (const h of this.honest)
      for (const e of this.net.peers.get(h)!.events) if (e.type === 'cut' && this.honest.includes(e.peer)) n++;
    return n;
  }

  /** The honest replicas hold the same text. */
  honestConverged(): boolean {
    const texts = this.honest.map((h) => this.net.peers.get(h)!.text);
    return texts.every((t) => t === texts[0]);
  }

  /** Runs in steps of `step` ms until every attacker is isolated (or `maxMs`); the time it took, or -1. */
  runUntilIsolated(maxMs: number, step = 250, editEvery = 100): number {
    const start = this.net.now;
    while (this.net.now - start < maxMs) {
      if (this.attackers.every((a) => this.isolated(a))) return this.net.now - start;
      this.edit(step, editEvery);
    }
    return this.attackers.every((a) => this.isolated(a)) ? this.net.now - start : -1;
  }
}
