/**
 * Updates too big for gossip are pushed link by link. With trust each carries its origin's seal over the
 * whole update, checked (after the link put its chunks back together) before it is applied or passed on:
 * a forwarder that alters a push is caught on proof and cut, as one that alters gossip is, and no honest
 * replica ever holds the altered text.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PeerId } from '../../../../src/core/index.js';
import { alteredUpdate } from '../../../../src/protocols/sync/trust/behaviours.js';
import { F_PUSH, SYNC_ORIGIN, type TrustStats } from '../../../../src/protocols/sync/index.js';
import { TrustRoom } from './room.js';

/** Types `s` at a random place of `id`'s text and spreads the update. */
function type(r: TrustRoom, id: PeerId, s: string): void {
  const p = r.net.peers.get(id)!;
  let update: Uint8Array | null = null;
  const f = (u: Uint8Array, origin: unknown): void => {
    if (origin !== SYNC_ORIGIN) update = u;
  };
  p.doc.on('update', f);
  const text = p.doc.getText('text');
  text.insert(r.net.rng.int(text.length + 1), s);
  p.doc.off('update', f);
  if (update) p.sync.localUpdate('text', update);
}

const WORDS = ['lorem', 'ipsum', 'dolor', 'amet', 'consectetur', 'adipiscing', 'elit', 'sed', 'tempor'];

function honestStats(r: TrustRoom): TrustStats {
  const sum = {} as Record<string, number>;
  for (const h of r.honest) for (const [k, v] of Object.entries(r.sync(h).trust!.stats)) sum[k] = (sum[k] ?? 0) + v;
  return sum as unknown as TrustStats;
}

/** No honest replica holds altered text: lowercase words only, and no root type but `text`. */
function untouched(r: TrustRoom): void {
  for (const h of r.honest) {
    const doc = r.net.peers.get(h)!.doc;
    expect([...doc.share.keys()], `peer ${h}'s root types`).toEqual(['text']);
    expect(doc.getText('text').toString(), `peer ${h}'s text`).toMatch(/^[a-z ]*$/);
  }
}

describe('sync trust: pushed updates carry their origin seal', () => {
  it('alteredUpdate changes one letter of the text and still decodes', () => {
    const d = new Y.Doc();
    d.getText('text').insert(0, 'hello world '.repeat(40));
    const u = Y.encodeStateAsUpdate(d);
    const a = alteredUpdate(u)!;
    expect(a).not.toBeNull();
    expect(a.length).toBe(u.length);
    expect([...a].filter((b, i) => b !== u[i]).length).toBe(1);
    const e = new Y.Doc();
    Y.applyUpdate(e, a);
    expect(e.getText('text').toString()).not.toBe(d.getText('text').toString());
    expect(e.getText('text').toString().toLowerCase()).toBe(d.getText('text').toString());
  });

  it('corrupting forwarders of pushes are caught on proof and cut within 30 s; no honest link cut; replicas converge unaltered', () => {
    // every update is pushed (none fits in gossip), so a push is all a forwarder can alter
    const r = new TrustRoom({ seed: 11, peers: 10, attackers: 2, behaviour: 'corrupt', peer: { maxGossipBytes: 1 } }).join(2000);
    const edit = (ms: number): void => {
      for (let t = 0; t < ms; t += 100) {
        const alive = r.honest.filter((p) => r.net.peers.get(p)?.alive);
        type(r, r.net.rng.pick(alive), `${r.net.rng.pick(WORDS)} `);
        r.net.run(100);
      }
    };
    edit(1000);
    const start = r.net.now;
    while (r.net.now - start < 30_000 && !r.attackers.every((a) => r.isolated(a))) edit(250);
    for (const a of r.attackers) expect(r.isolated(a), `attacker ${a} still linked after 30 s\n${r.net.dump()}`).toBe(true);
    edit(5000);
    r.net.run(5000);
    expect(r.honestCuts()).toBe(0);
    expect(r.honestConverged(), r.net.dump()).toBe(true);
    untouched(r);
    const s = honestStats(r);
    expect(s.pushesSealed).toBeGreaterThan(0);
    expect(s.pushSealsChecked).toBeGreaterThan(0);
    expect(s.pushesForged).toBeGreaterThan(0);
    expect(s.sealsChecked).toBe(s.pushSealsChecked); // nothing went by gossip
    const tampered = r.attackers.reduce((n, a) => n + r.sync(a).trust!.stats.tampered, 0);
    expect(tampered).toBeGreaterThan(0);
    for (const h of r.honest)
      for (const e of r.net.peers.get(h)!.events) if (e.type === 'cut' || e.type === 'forged') expect(r.attackers).toContain(e.peer);
  });

  it('a big paste (300 KiB, over maxGossipBytes) crosses the real codec in chunks, sealed; an altered copy is dropped and counted', () => {
    const r = new TrustRoom({ seed: 12, peers: 6, attackers: 1, behaviour: 'corrupt', wire: true, chunkBytes: 16 * 1024 }).join(3000);
    const origin = r.honest[0]!;
    const paste = Array.from({ length: 300 * 1024 / 6 }, (_, i) => WORDS[i % WORDS.length]!.slice(0, 5)).join(' ');
    type(r, origin, paste);
    r.net.run(5000);
    const want = r.net.peers.get(origin)!.text;
    for (const h of r.honest) expect(r.net.peers.get(h)!.text.length, `peer ${h}`).toBe(want.length);
    expect(r.honestConverged()).toBe(true);
    untouched(r);
    const s = honestStats(r);
    expect(s.pushesSealed).toBe(1);
    expect(s.pushSealsChecked).toBeGreaterThan(0);
    const attacker = r.attackers[0]!;
    // the attacker was somebody's neighbour and passed the paste on altered: caught on proof
    expect(r.sync(attacker).trust!.stats.tampered).toBeGreaterThan(0);
    {
      expect(s.pushesForged).toBeGreaterThan(0);
      for (const h of r.honest)
        for (const e of r.net.peers.get(h)!.events) if (e.type === 'forged') expect(e).toMatchObject({ peer: attacker, why: 'push: bad-signature' });
    }
    expect(r.net.violations).toBe(0);
  });

  it('an unsealed push in a room with trust is dropped as forged, never applied', () => {
    const r = new TrustRoom({ seed: 13, peers: 4 }).join(3000);
    const [a, b] = [r.honest[0]!, r.honest.find((p) => r.sync(r.honest[0]!).trust!.trusted(p))!];
    const before = r.net.peers.get(a)!.text;
    const d = new Y.Doc();
    d.getText('text').insert(0, 'injected');
    r.net.inject(b, a, { t: F_PUSH, doc: 'text', update: Y.encodeStateAsUpdate(d) });
    r.net.run(10);
    expect(r.net.peers.get(a)!.events.filter((e) => e.type === 'forged')).toEqual([{ type: 'forged', peer: b, why: 'push: unsealed' }]);
    expect(r.net.peers.get(a)!.text).toBe(before);
    expect(r.sync(a).trust!.stats.pushesForged).toBe(1);
  });
});
