/**
 * Anti-entropy with proof of origin: repliers send the sealed originals the asker lacks, and the diff that
 * follows is only the replier's own claim. A replier that injects edits as another origin's Yjs client
 * through a sync reply is refused and counted; an altered original is caught on proof; a sealed update
 * that edits as another origin's client is dropped. A late joiner catches up from sealed originals.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { GOSSIP } from '../../../../src/protocols/gossip/index.js';
import { F_GOSSIP, F_SYNC_REPLY, F_SYNC_SEALED, seal, updateSigningData, type TrustStats } from '../../../../src/protocols/sync/index.js';
import { encodePayload, P_UPDATE } from '../../../../src/protocols/sync/wire/payload.js';
import { TrustRoom } from './room.js';

function stats(r: TrustRoom, ids: readonly number[]): TrustStats {
  const sum = {} as Record<string, number>;
  for (const h of ids) for (const [k, v] of Object.entries(r.sync(h).trust!.stats)) sum[k] = (sum[k] ?? 0) + v;
  return sum as unknown as TrustStats;
}

/** An open, trusted link between two honest peers, and a third honest peer (the one impersonated). */
function triple(r: TrustRoom): [number, number, number] {
  for (const a of r.honest)
    for (const b of r.honest)
      if (a !== b && r.sync(b).trust!.trusted(a) && r.sync(a).links.isOpen(b)) return [a, b, r.honest.find((p) => p !== a && p !== b)!];
  throw new Error('no trusted link');
}

/** An update with fresh structs of `victim`'s Yjs client (its next clocks): an edit as that client. */
function editAs(r: TrustRoom, victim: number, text: string): Uint8Array {
  const v = r.net.peers.get(victim)!.doc;
  const x = new Y.Doc();
  Y.applyUpdate(x, Y.encodeStateAsUpdate(v));
  // Yjs moves a doc to a new client id when a remote update used its own: set it after the load
  x.clientID = v.clientID;
  const sv = Y.encodeStateVector(x);
  x.getText('text').insert(0, text);
  return Y.encodeStateAsUpdate(x, sv);
}

describe('sync trust: anti-entropy with proof of origin', () => {
  it('a late joiner catches up from sealed originals; honest replies are never refused', () => {
    const r = new TrustRoom({ seed: 21, peers: 7 });
    for (const id of r.ids.slice(0, 6)) {
      r.net.add(id);
      r.net.run(200);
    }
    r.net.run(3000);
    const early = r.honest.slice(0, 6);
    for (let t = 0; t < 4000; t += 100) {
      r.net.edit(r.net.rng.pick(early));
      r.net.run(100);
    }
    r.net.run(3000);
    const joiner = r.ids[6]!;
    r.net.add(joiner);
    r.net.run(8000);
    expect(r.honestConverged(), r.net.dump()).toBe(true);
    const s = stats(r, r.honest);
    const j = r.sync(joiner).trust!.stats;
    expect(j.originalsIn).toBeGreaterThan(0);
    expect(s.originalsOut).toBeGreaterThanOrEqual(j.originalsIn);
    expect(s.repliesRefused).toBe(0);
    expect(s.originalsForged).toBe(0);
    expect(s.foreignClients).toBe(0);
    // every peer keeps what it checked: the joiner can answer with proof in turn
    expect(r.sync(joiner).trust!.originals.size).toBeGreaterThan(0);
  });

  it('a sync reply that edits as another origin is refused, counted and held against the replier', () => {
    const r = new TrustRoom({ seed: 22, peers: 5 }).join(3000);
    r.edit(2000);
    r.net.run(3000);
    const [from, to, victim] = triple(r);
    const before = r.net.peers.get(to)!.text;
    r.net.inject(from, to, { t: F_SYNC_REPLY, doc: 'text', update: editAs(r, victim, 'INJECTED') });
    r.net.run(10);
    expect(r.net.peers.get(to)!.text).toBe(before);
    expect(r.sync(to).trust!.stats.repliesRefused).toBe(1);
    expect(r.net.peers.get(to)!.events.filter((e) => e.type === 'forged')).toEqual([{ type: 'forged', peer: from, why: 'sync reply: edits as another origin' }]);
    // the victim's own next edit still reaches `to` (no client clock was taken by the injection)
    r.edit(1000);
    r.net.run(3000);
    expect(r.honestConverged(), r.net.dump()).toBe(true);
    expect(r.net.peers.get(to)!.text).not.toContain('INJECTED');
  });

  it('an altered sealed original is caught on proof; a sealed update that edits as another origin is dropped', () => {
    const r = new TrustRoom({ seed: 23, peers: 5 }).join(3000);
    r.edit(2000);
    r.net.run(3000);
    const [from, to, victim] = triple(r);
    const room = r.sync(from).o.room;
    const before = r.net.peers.get(to)!.text;
    const keys = r.keys.keysFor(from);
    const sealAs = (id: { origin: number; session: number; seq: number }, update: Uint8Array): Uint8Array => {
      const payload = encodePayload({ kind: P_UPDATE, doc: 'text', update });
      let sig!: Uint8Array;
      keys.sign(updateSigningData(room, id, payload), (s) => (sig = s));
      return seal(keys.publicKey, sig, payload);
    };
    // an original sealed by `from` itself, then altered by one byte
    const own = new Y.Doc();
    own.getText('text').insert(0, 'mine');
    const good = sealAs({ origin: from, session: 99, seq: 1 }, Y.encodeStateAsUpdate(own));
    const altered = good.slice();
    altered[altered.length - 3] = altered[altered.length - 3]! ^ 0x20;
    r.net.inject(from, to, { t: F_SYNC_SEALED, doc: 'text', items: [{ kind: 'gossip', id: { origin: from, session: 99, seq: 1 }, sealed: altered }] });
    r.net.run(10);
    expect(r.sync(to).trust!.stats.originalsForged).toBe(1);
    // `from`'s valid seal over an edit as `victim`'s Yjs client, gossiped
    const id = { origin: from, session: 99, seq: 2 };
    r.net.inject(from, to, { t: F_GOSSIP, g: { type: GOSSIP, id, round: 0, payload: sealAs(id, editAs(r, victim, 'SPOOFED')), repair: false } });
    r.net.run(10);
    expect(r.sync(to).trust!.stats.foreignClients).toBe(1);
    expect(r.net.peers.get(to)!.text).toBe(before);
    const why = r.net.peers.get(to)!.events.flatMap((e) => (e.type === 'forged' ? [e.why] : []));
    expect(why).toEqual(['original: bad-signature', 'foreign-client']);
  });
});
