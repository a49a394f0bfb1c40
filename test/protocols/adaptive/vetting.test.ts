/**
 * Vetting (vetting.ts): a connect from a peer with no first-hand evidence waits for what the
 * neighbours asked about it say; a trusted neighbour's warning refuses it (even a weak one, when
 * nothing good outweighs it), and the answers stay in the table. Peers answer asks from neighbours only; a tell nobody asked for changes nothing.
 * A neighbour asked about a peer it holds nothing on asks its own neighbours first (relay).
 */
import { describe, expect, it } from 'vitest';
import type { AdaptiveMsg } from '../../../src/protocols/adaptive/peer.js';
import { TIMER_VET } from '../../../src/protocols/adaptive/vetting.js';
import { lonePeer } from './helpers.js';

type Sent = { to: number; msg: AdaptiveMsg }[];

const asks = (sent: Sent): { to: number; peer: number; nonce: number; relay: boolean }[] =>
  sent.flatMap(({ to, msg }) => (msg.t === 'ask' ? [{ to, peer: msg.peer, nonce: msg.nonce, relay: msg.relay === true }] : []));
const tells = (sent: Sent): { to: number; nonce: number; good: number; bad: number }[] =>
  sent.flatMap(({ to, msg }) => (msg.t === 'tell' ? [{ to, nonce: msg.nonce, good: msg.entry.good, bad: msg.entry.bad }] : []));
const answersTo = (sent: Sent, to: number): string[] => sent.filter((s) => s.to === to).map((s) => s.msg.t);

function peerWithTrustedNeighbours(): ReturnType<typeof lonePeer> {
  const lone = lonePeer({ seed: 3, peers: 50, degree: 4, maxDegree: 6, neighbours: [1, 2, 3, 4] });
  // first-hand track records: every neighbour delivered and answered probes
  for (const n of [1, 2, 3, 4]) lone.peer.trust.good(n, 20);
  lone.sent.length = 0;
  return lone;
}

describe('vetting a stranger before linking', () => {
  it('holds the connect, asks neighbours, and refuses the stranger a trusted neighbour warns of', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(9, { t: 'connect', random: true });
    expect(answersTo(sent, 9)).toEqual([]); // no answer yet
    const asked = asks(sent);
    expect(asked.length).toBe(4); // askNeighbours, all other than the stranger
    expect(new Set(asked.map((a) => a.to))).toEqual(new Set([1, 2, 3, 4]));
    expect(asked.every((a) => a.peer === 9)).toBe(true);
    const nonce = asked[0]!.nonce;
    peer.onMessage(1, { t: 'tell', nonce, entry: { peer: 9, good: 0, bad: 5 } });
    for (const n of [2, 3, 4]) peer.onMessage(n, { t: 'tell', nonce, entry: { peer: 9, good: 0, bad: 0 } });
    expect(answersTo(sent, 9)).toEqual(['reject']);
    expect(peer.links.has(9)).toBe(false);
    // the warning stays: the next connect from 9 is refused at once, without asking
    expect(peer.trust.score(9)).toBeLessThan(0.45);
    sent.length = 0;
    peer.onMessage(9, { t: 'connect', random: true });
    expect(sent.map((s) => s.msg.t)).toEqual(['reject']);
  });

  it('accepts the stranger once every neighbour asked has answered with nothing against it', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(9, { t: 'connect', random: true });
    peer.onMessage(9, { t: 'connect', random: true }); // asked again while vetted: still one vetting
    const asked = asks(sent);
    expect(asked.length).toBe(4);
    for (const a of asked) peer.onMessage(a.to, { t: 'tell', nonce: a.nonce, entry: { peer: 9, good: 1, bad: 0 } });
    expect(answersTo(sent, 9)).toEqual(['accept']);
    expect(peer.links.has(9)).toBe(true);
  });

  it('refuses a stranger the answers weigh against on balance, though its score is still above admitThreshold', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(9, { t: 'connect', random: true });
    const asked = asks(sent);
    // a weak warning (hearsay passed on) and nothing else
    peer.onMessage(asked[0]!.to, { t: 'tell', nonce: asked[0]!.nonce, entry: { peer: 9, good: 0, bad: 0.5 } });
    for (const a of asked.slice(1)) peer.onMessage(a.to, { t: 'tell', nonce: a.nonce, entry: { peer: 9, good: 0, bad: 0 } });
    expect(peer.trust.score(9)).toBeGreaterThan(0.45);
    expect(answersTo(sent, 9)).toEqual(['reject']);
    expect(peer.links.has(9)).toBe(false);
    // the same warning outweighed by a neighbour's good word: accepted
    sent.length = 0;
    peer.onMessage(19, { t: 'connect', random: true });
    const again = asks(sent);
    peer.onMessage(again[0]!.to, { t: 'tell', nonce: again[0]!.nonce, entry: { peer: 19, good: 0, bad: 0.5 } });
    peer.onMessage(again[1]!.to, { t: 'tell', nonce: again[1]!.nonce, entry: { peer: 19, good: 1, bad: 0 } });
    for (const a of again.slice(2)) peer.onMessage(a.to, { t: 'tell', nonce: a.nonce, entry: { peer: 19, good: 0, bad: 0 } });
    expect(answersTo(sent, 19)).toEqual(['accept']);
  });

  it('takes no tell it did not ask for, nor one about another peer, nor from a peer not asked', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(1, { t: 'tell', nonce: 0, entry: { peer: 20, good: 0, bad: 5 } });
    expect(peer.trust.has(20)).toBe(false);
    peer.onMessage(9, { t: 'connect', random: true });
    const nonce = asks(sent)[0]!.nonce;
    peer.onMessage(1, { t: 'tell', nonce, entry: { peer: 21, good: 0, bad: 5 } });
    peer.onMessage(30, { t: 'tell', nonce, entry: { peer: 9, good: 0, bad: 5 } });
    expect(peer.trust.has(21)).toBe(false);
    expect(peer.trust.score(9)).toBe(0.5);
  });

  it('answers a neighbour that asks with what it holds, and a stranger not at all', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.trust.blacklist(40);
    peer.onMessage(2, { t: 'ask', peer: 40, nonce: 7 });
    peer.onMessage(33, { t: 'ask', peer: 40, nonce: 8 });
    const tells = sent.filter((s) => s.msg.t === 'tell');
    expect(tells.length).toBe(1);
    expect(tells[0]!.to).toBe(2);
    const m = tells[0]!.msg as Extract<AdaptiveMsg, { t: 'tell' }>;
    expect(m.nonce).toBe(7);
    expect(m.entry.peer).toBe(40);
    expect(m.entry.good).toBe(0);
    expect(m.entry.bad).toBeCloseTo(5, 9);
  });

  it('asks its neighbours to relay, and a neighbour that holds nothing asks its own before answering', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(9, { t: 'connect', random: true });
    expect(asks(sent).every((a) => a.relay)).toBe(true);
    sent.length = 0;
    // neighbour 2 asks about 40, of which we hold nothing: we ask up to askRelay of ours, never 2 nor 40,
    // and do not let them relay further
    peer.onMessage(2, { t: 'ask', peer: 40, nonce: 7, relay: true });
    expect(tells(sent)).toEqual([]);
    const sub = asks(sent);
    expect(new Set(sub.map((a) => a.to))).toEqual(new Set([1, 3, 4])); // askRelay (8) or all but 2
    expect(sub.every((a) => a.peer === 40 && !a.relay)).toBe(true);
    // 3 warns, 1 holds nothing: we answer 2 once the last has answered, with the warning weighted
    peer.onMessage(3, { t: 'tell', nonce: sub[0]!.nonce, entry: { peer: 40, good: 0, bad: 5 } });
    peer.onMessage(1, { t: 'tell', nonce: sub[0]!.nonce, entry: { peer: 40, good: 0, bad: 0 } });
    expect(tells(sent)).toEqual([]);
    peer.onMessage(4, { t: 'tell', nonce: sub[0]!.nonce, entry: { peer: 40, good: 0, bad: 0 } });
    const out = tells(sent);
    expect(out.length).toBe(1);
    expect(out[0]!.to).toBe(2);
    expect(out[0]!.nonce).toBe(7);
    expect(out[0]!.good).toBe(0);
    expect(out[0]!.bad).toBeGreaterThan(0.5);
    // what it heard stays: asked again, it answers at once without relaying
    sent.length = 0;
    peer.onMessage(1, { t: 'ask', peer: 40, nonce: 8, relay: true });
    expect(asks(sent)).toEqual([]);
    expect(tells(sent).map((t) => t.nonce)).toEqual([8]);
  });

  it('answers a relayed ask with nothing once its own neighbours are past the deadline; answers at once without relay', () => {
    const { peer, sent } = peerWithTrustedNeighbours();
    peer.onMessage(2, { t: 'ask', peer: 41, nonce: 5 });
    expect(asks(sent)).toEqual([]);
    expect(tells(sent)).toEqual([{ to: 2, nonce: 5, good: 0, bad: 0 }]);
    sent.length = 0;
    peer.onMessage(2, { t: 'ask', peer: 42, nonce: 6, relay: true });
    const sub = asks(sent);
    expect(sub.length).toBe(3);
    peer.onTimer(TIMER_VET, sub[0]!.nonce);
    expect(tells(sent)).toEqual([{ to: 2, nonce: 6, good: 0, bad: 0 }]);
    // a late answer to the closed relay changes nothing
    peer.onMessage(3, { t: 'tell', nonce: sub[0]!.nonce, entry: { peer: 42, good: 0, bad: 5 } });
    expect(peer.trust.score(42)).toBe(0.5);
    expect(tells(sent).length).toBe(1);
  });
});
