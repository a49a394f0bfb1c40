/**
 * Each end of a link checks the other's KEY in its own time (WebCrypto answers later, and not at the same
 * moment at both ends): the end that finished first starts sending its trust messages (opinions, pings,
 * a trial's KIND) while the other is still checking. Those wait with the link's other frames; they are no
 * violation and the link comes up.
 */
import { expect, it } from 'vitest';
import type { TrustCrypto } from '../../../../src/protocols/sync/index.js';
import { TrustRoom } from './room.js';

it('trust messages that arrive while their sender\'s KEY is still being checked wait for it, without a violation', () => {
  const held: (() => void)[] = [];
  let hold = false;
  const slow = (c: TrustCrypto): TrustCrypto => ({
    publicKey: c.publicKey,
    sign: (d, done) => c.sign(d, done),
    idOf: (k, done) => c.idOf(k, done),
    verify: (k, d, s, done) => c.verify(k, d, s, (ok) => (hold ? held.push(() => done(ok)) : done(ok))),
  });
  const r = new TrustRoom({ seed: 11, peers: 3, wrapCrypto: (c, id) => (id === 3 ? slow(c) : c) });
  r.net.add(1);
  r.net.add(2);
  r.net.run(3000);
  hold = true;
  r.net.add(3);
  // peers 1 and 2 check 3's key at once and send it their opinions and pings; 3's checks wait
  r.net.run(3000);
  const peer3 = r.sync(3);
  expect(held.length).toBeGreaterThan(0);
  expect(peer3.trust!.stats.held).toBeGreaterThan(0);
  expect(r.net.violations).toBe(0);
  hold = false;
  for (const f of held.splice(0)) f();
  r.net.run(3000);
  expect(r.net.violations, r.net.dump()).toBe(0);
  for (const p of [1, 2]) expect(peer3.trust!.trusted(p), `3 trusts ${p}`).toBeDefined();
  expect(peer3.trust!.stats.keysProved).toBeGreaterThanOrEqual(2);
  expect(peer3.trust!.stats.opinionsTaken).toBeGreaterThan(0);
});
