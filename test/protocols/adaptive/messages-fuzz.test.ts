/**
 * An adaptive overlay peer under random messages from its neighbours and from strangers (fast-check,
 * seed policy in test/fuzz.ts): well-typed messages with random field values, and arbitrary values.
 * It never throws, its trust scores stay in [0, 1], its degree within maxDegree, and what it sends on
 * is well-formed: peers are untrusted, so no message may break or poison it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isGossip, isNonNegInt } from '../../../src/protocols/adaptive/messages.js';
import type { AdaptiveMsg } from '../../../src/protocols/adaptive/peer.js';
import { fuzz } from '../../fuzz.js';
import { lonePeer } from './helpers.js';

const PEERS = 50;

function makePeer(): ReturnType<typeof lonePeer> {
  let now = 0;
  let k = 0;
  return lonePeer({ seed: 11, peers: PEERS, degree: 6, maxDegree: 8, neighbours: [1, 2, 3, 4], now: () => (now += 7), sample: () => 1 + (k++ % (PEERS - 1)) });
}

/** Numbers a hostile peer would try: negatives, fractions, NaN, infinities, huge, and ordinary ones. */
const num = fc.oneof(
  fc.integer({ min: -3, max: 200 }),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0, 1.5, 2 ** 53, 2 ** 60, -(2 ** 31), 2 ** 28 + 1),
  fc.double(),
);
const field = fc.oneof(num, fc.boolean(), fc.string({ maxLength: 8 }), fc.constant(null), fc.constant(undefined), fc.array(num, { maxLength: 3 }));
const gossip = fc.record({ t: fc.constant('gossip'), id: num, origin: num, valid: fc.oneof(fc.boolean(), field), bytes: num });
const opinion = fc.oneof(fc.record({ peer: num, good: num, bad: num }), field);
const message: fc.Arbitrary<unknown> = fc.oneof(
  gossip,
  fc.record({ t: fc.constant('pull'), id: num, nonce: num }),
  fc.record({ t: fc.constant('pullReply'), nonce: num, msg: fc.oneof(fc.constant(null), gossip, field) }),
  fc.record({ t: fc.constant('connect'), random: fc.oneof(fc.boolean(), field) }),
  fc.constantFrom({ t: 'accept' }, { t: 'reject' }, { t: 'disconnect' }, { t: 'nope' }, { t: '__proto__' }, { t: 'constructor' }),
  fc.record({ t: fc.constantFrom('ping', 'pong'), nonce: num }),
  fc.record({ t: fc.constant('opinions'), entries: fc.oneof(fc.array(opinion, { maxLength: 12 }), field) }),
  fc.record({ t: fc.constant('ask'), peer: num, nonce: num, relay: fc.oneof(fc.boolean(), field) }, { requiredKeys: ['t', 'peer', 'nonce'] }),
  fc.record({ t: fc.constant('tell'), nonce: num, entry: opinion }),
  fc.anything({ maxDepth: 2 }),
);

/** What an honest peer may put on the wire. */
function wellFormed(m: AdaptiveMsg): boolean {
  switch (m.t) {
    case 'gossip':
      return isGossip(m);
    case 'pull':
      return isNonNegInt(m.id) && isNonNegInt(m.nonce);
    case 'pullReply':
      return isNonNegInt(m.nonce) && (m.msg === null || isGossip(m.msg));
    case 'connect':
      return typeof m.random === 'boolean';
    case 'ping':
    case 'pong':
      return isNonNegInt(m.nonce);
    case 'opinions':
      return Array.isArray(m.entries) && m.entries.every((e) => isNonNegInt(e.peer) && e.peer < PEERS && e.good >= 0 && e.bad >= 0);
    case 'ask':
      return isNonNegInt(m.peer) && m.peer < PEERS && isNonNegInt(m.nonce) && (m.relay === undefined || typeof m.relay === 'boolean');
    case 'tell':
      return isNonNegInt(m.nonce) && isNonNegInt(m.entry.peer) && m.entry.peer < PEERS && m.entry.good >= 0 && m.entry.bad >= 0 && m.entry.good + m.entry.bad <= 5;
    default:
      return m.t === 'accept' || m.t === 'reject' || m.t === 'disconnect';
  }
}

describe('adaptive peer under random messages', () => {
  it('never throws, keeps scores in [0, 1] and its degree bounded, and sends only well-formed messages', () => {
    fuzz(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: PEERS - 1 }), message), { minLength: 1, maxLength: 60 }), (msgs) => {
        const { peer, sent } = makePeer();
        for (const [from, m] of msgs) peer.onMessage(from, m as AdaptiveMsg);
        for (let p = 0; p < PEERS; p++) {
          const s = peer.trust.score(p);
          expect(s >= 0 && s <= 1, `score of ${p}: ${s}`).toBe(true);
        }
        expect(peer.links.size).toBeLessThanOrEqual(8);
        for (const { to, msg } of sent) {
          expect(isNonNegInt(to) && to < PEERS, `sent to ${to}`).toBe(true);
          expect(wellFormed(msg), JSON.stringify(msg)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
