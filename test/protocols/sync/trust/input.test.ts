/**
 * What a peer may send a trust layer: a key that is not its own, a forged or altered update, replayed,
 * oversized or malformed opinion lists, probes for messages it was never sent, proofs nobody asked for,
 * too many frames before its key. Each is dropped and counted (and is evidence against its sender where
 * the sender is to blame); nothing is trusted, nothing throws.
 */
import { describe, expect, it } from 'vitest';
import { GOSSIP } from '../../../../src/protocols/gossip/index.js';
import {
  F_GOSSIP,
  F_TRUST,
  seal,
  T_OPINIONS,
  T_PROBE,
  T_PROOF,
  type Frame,
  type SyncPeer,
} from '../../../../src/protocols/sync/index.js';
import { encodePayload, P_UPDATE } from '../../../../src/protocols/sync/wire/payload.js';
import { TestNet } from '../testnet.js';
import { TrustRoom } from './room.js';

/** An open, trusted link between two honest peers of the room: [from, to]. */
function trustedPair(r: TrustRoom): [number, number] {
  for (const a of r.honest)
    for (const b of r.honest) if (a !== b && r.sync(b).trust!.trusted(a) && r.sync(a).links.isOpen(b)) return [a, b];
  throw new Error(`no trusted link\n${r.net.dump()}`);
}

const stats = (s: SyncPeer) => s.trust!.stats;

describe('sync trust: bad input', () => {
  it('a peer whose key is not its id is refused on every link and never trusted', () => {
    // peer 6 holds peer 2's keys: its KEY frames hash to 2, not 6
    const r = new TrustRoom({ seed: 3, peers: 6, wrapCrypto: (c, id) => (id === 6 ? new TrustRoom({ seed: 3, peers: 1 }).keys.keysFor(2) : c) });
    // the same ModelKeys world (same seed): peer 6 signs validly, but as peer 2
    r.join(4000);
    r.edit(2000);
    const refused = [1, 2, 3, 4, 5].reduce((n, p) => n + stats(r.sync(p)).keysRefused, 0);
    expect(refused).toBeGreaterThan(0);
    for (const p of [1, 2, 3, 4, 5]) {
      expect(r.sync(p).trust!.trusted(6)).toBeUndefined();
      expect(r.net.peers.get(p)!.events.some((e) => e.type === 'link-up' && e.peer === 6)).toBe(false);
    }
  });

  it('an update forged under another origin is caught on proof, not applied, and its sender cut', () => {
    const r = new TrustRoom({ seed: 4, peers: 6 }).join(4000);
    r.edit(1000);
    r.net.run(2000);
    const [from, to] = trustedPair(r);
    const victim = r.honest.find((p) => p !== from && p !== to)!;
    const before = r.net.peers.get(to)!.text;
    // `from` claims an update of `victim`'s, sealed with its own key (it has no other)
    const forge = (seq: number): Frame => {
      const payload = encodePayload({ kind: P_UPDATE, doc: 'text', update: new Uint8Array([0, 0]) });
      const own = r.keys.keysFor(from);
      let sig!: Uint8Array;
      own.sign(new Uint8Array([seq]), (s) => (sig = s));
      return { t: F_GOSSIP, g: { type: GOSSIP, id: { origin: victim, session: 7, seq }, round: 0, payload: seal(own.publicKey, sig, payload), repair: false } };
    };
    r.net.inject(from, to, forge(1));
    r.net.run(10);
    const ev = r.net.peers.get(to)!.events.filter((e) => e.type === 'forged');
    expect(ev).toEqual([{ type: 'forged', peer: from, why: 'wrong-key' }]);
    expect(r.net.peers.get(to)!.text).toBe(before);
    // a forger that keeps at it is cut within a few periods, however good its record was
    for (let seq = 2; seq < 20 && r.sync(to).links.isOpen(from); seq++) {
      r.net.inject(from, to, forge(seq));
      r.net.run(200);
    }
    expect(r.net.peers.get(to)!.events.some((e) => e.type === 'cut' && e.peer === from)).toBe(true);
    expect(r.sync(to).links.isOpen(from)).toBe(false);
    expect(r.sync(to).refused(from)).toBe(true);
  });

  it('replayed, oversized and malformed opinion lists are dropped and counted', () => {
    const r = new TrustRoom({ seed: 5, peers: 5 }).join(4000);
    const [from, to] = trustedPair(r);
    const s = stats(r.sync(to));
    const taken = s.opinionsTaken;
    const send = (seq: number, entries: { peer: number; good: number; bad: number }[]): void =>
      r.net.inject(from, to, { t: F_TRUST, m: { k: T_OPINIONS, seq, entries } });
    send(0xfffffff0, [{ peer: 99, good: 1, bad: 0 }]);
    send(0xfffffff0, [{ peer: 99, good: 1, bad: 0 }]);
    send(0xfffffff1, Array.from({ length: 33 }, (_, i) => ({ peer: 100 + i, good: 1, bad: 0 })));
    send(0xfffffff2, [{ peer: 7, good: 4, bad: 4 }]);
    send(0xfffffff3, [{ peer: 7, good: 1, bad: 0 }, { peer: 7, good: 1, bad: 0 }]);
    r.net.run(5);
    expect(s.opinionsTaken).toBe(taken + 1);
    expect(s.opinionsReplayed).toBe(1);
    expect(s.opinionsOversize).toBe(1);
    expect(s.opinionsMalformed).toBe(2);
    expect(r.sync(to).links.isOpen(from)).toBe(true);
  });

  it('a probe for an unknown message is answered "not held"; a proof nobody asked for is ignored', () => {
    const r = new TrustRoom({ seed: 6, peers: 4 }).join(4000);
    const [from, to] = trustedPair(r);
    const s = stats(r.sync(to));
    const answers: unknown[] = [];
    const inner = r.sync(from);
    const onFrame = inner.onFrame.bind(inner);
    inner.onFrame = (p, f, b) => {
      if (p === to && f.t === F_TRUST && f.m.k === T_PROOF && f.m.nonce === 424242) answers.push(f.m.sig);
      onFrame(p, f, b);
    };
    r.net.inject(from, to, { t: F_TRUST, m: { k: T_PROBE, nonce: 424242, id: { origin: 123456, session: 1, seq: 9 } } });
    r.net.inject(from, to, { t: F_TRUST, m: { k: T_PROOF, nonce: 777, sig: new Uint8Array(64) } });
    r.net.run(50);
    expect(s.probesForUnknown).toBe(1);
    expect(s.proofsUnasked).toBeGreaterThanOrEqual(1);
    expect(answers).toEqual([null]);
  });

  it('garbage in a trust frame closes the link as a violation (wire mode), without a throw', () => {
    const r = new TrustRoom({ seed: 8, peers: 4, wire: true }).join(4000);
    const [from, to] = trustedPair(r);
    const v = r.net.violations;
    r.net.inject(from, to, new Uint8Array([F_TRUST, 4, 0, 0, 0, 1, 200, 1, 2]));
    r.net.run(5);
    expect(r.net.violations).toBe(v + 1);
    expect(r.sync(to).links.isOpen(from)).toBe(false);
  });

  it('a trust frame in a room without trust is a violation', () => {
    const net = new TestNet({ seed: 9 });
    for (let i = 1; i <= 3; i++) {
      net.add(i);
      net.run(200);
    }
    net.run(4000);
    const a = net.peers.get(1)!.sync.links.openLinks()[0]!.peer;
    net.inject(a, 1, { t: F_TRUST, m: { k: T_PROBE, nonce: 1, id: { origin: 1, session: 1, seq: 1 } } });
    net.run(5);
    expect(net.peers.get(1)!.events.some((e) => e.type === 'violation' && e.peer === a && /trust is off/.test(e.reason))).toBe(true);
  });
});
