/**
 * Plain message loss is not misbehaviour. On a lossy network a pull or its answer is lost now and
 * then, a push is lost so the neighbour answers "don't have it", and a lost accept or disconnect
 * leaves a half-open link whose far end ignores what is pushed on it. None of that may count against
 * an honest peer: a pull is re-sent before its silence counts, "don't have it" counts only from the
 * last send, and link traffic from a peer we hold no link with is answered by a disconnect (its half
 * of the link goes) or, if we asked it for a link, taken as its accept. A dropper is still found.
 */
import { describe, expect, it } from 'vitest';
import type { AdaptiveMsg, GossipMsg } from '../../../src/protocols/adaptive/peer.js';
import { TIMER_REPUTATION } from '../../../src/protocols/adaptive/peer.js';
import { TIMER_PROBE } from '../../../src/protocols/adaptive/probes.js';
import { lonePeer, setup, summaryAt } from './helpers.js';

const gossip = (id: number, origin: number): GossipMsg => ({ t: 'gossip', id, origin, valid: true, bytes: 10 });

/** Peer 0 with neighbours 1 and 2 has pushed one broadcast to both, and probes them at t = 1000. */
function probing() {
  let now = 0;
  const { peer, sent } = lonePeer({ seed: 1, peers: 10, degree: 2, maxDegree: 4, neighbours: [1, 2], now: () => now });
  const id = peer.broadcast(10);
  now = 1000;
  sent.length = 0;
  peer.onTimer(TIMER_REPUTATION, undefined);
  const pulls = sent.filter((s) => s.msg.t === 'pull') as { to: number; msg: Extract<AdaptiveMsg, { t: 'pull' }> }[];
  expect(pulls.map((p) => p.to).sort()).toEqual([1, 2]);
  const nonceTo = (p: number): number => pulls.find((x) => x.to === p)!.msg.nonce;
  return { peer, sent, id, nonceTo, at: (t: number) => (now = t) };
}

describe('probes on a lossy network', () => {
  it('a pull unanswered once is sent again with the same nonce; the answer to it is good evidence', () => {
    const { peer, sent, id, nonceTo } = probing();
    const n = nonceTo(1);
    sent.length = 0;
    peer.onTimer(TIMER_PROBE, n); // the first send's interval is over: no evidence yet, asked again
    expect(sent).toEqual([{ to: 1, msg: { t: 'pull', id, nonce: n } }]);
    expect(peer.trust.directEvidence(1)).toBe(0);
    peer.onMessage(1, { t: 'pullReply', nonce: n, msg: gossip(id, 0) });
    expect(peer.trust.record(1)).toMatchObject({ rd: 1, sd: 0 });
    peer.onTimer(TIMER_PROBE, n); // the closed probe's timer: nothing
    expect(peer.trust.record(1)).toMatchObject({ rd: 1, sd: 0 });
  });

  it('silence through every send is bad evidence once, at probeTimeoutMs', () => {
    const { peer, nonceTo } = probing();
    const n = nonceTo(1);
    peer.onTimer(TIMER_PROBE, n);
    expect(peer.trust.directEvidence(1)).toBe(0);
    peer.onTimer(TIMER_PROBE, n);
    expect(peer.trust.record(1)).toMatchObject({ rd: 0, sd: 1 });
    expect(peer.stats.probesTimedOut).toBe(1);
  });

  it('"don\'t have it" is asked again; held by then it is good, still missing it is bad', () => {
    const { peer, sent, id, nonceTo } = probing();
    const [n1, n2] = [nonceTo(1), nonceTo(2)];
    peer.onMessage(1, { t: 'pullReply', nonce: n1, msg: null });
    peer.onMessage(2, { t: 'pullReply', nonce: n2, msg: null });
    expect(peer.trust.directEvidence(1) + peer.trust.directEvidence(2)).toBe(0);
    sent.length = 0;
    peer.onTimer(TIMER_PROBE, n1);
    peer.onTimer(TIMER_PROBE, n2);
    expect(sent.map((s) => [s.to, s.msg.t])).toEqual([[1, 'pull'], [2, 'pull']]);
    peer.onMessage(1, { t: 'pullReply', nonce: n1, msg: gossip(id, 0) });
    peer.onMessage(2, { t: 'pullReply', nonce: n2, msg: null });
    expect(peer.trust.record(1)).toMatchObject({ rd: 1, sd: 0 });
    expect(peer.trust.record(2)).toMatchObject({ rd: 0, sd: 1 });
  });

  it('a tampered proof is bad at once, retries or not', () => {
    const { peer, id, nonceTo } = probing();
    peer.onMessage(1, { t: 'pullReply', nonce: nonceTo(1), msg: { ...gossip(id, 0), valid: false } });
    expect(peer.trust.record(1)).toMatchObject({ rd: 0, sd: 1 });
  });
});

describe('half-open links', () => {
  it('gossip or a pull from a peer we hold no link with gets a disconnect, not an answer', () => {
    const { peer, sent } = lonePeer({ seed: 1, peers: 10, degree: 2, maxDegree: 4, neighbours: [1, 2] });
    sent.length = 0;
    peer.onMessage(5, gossip(77, 5));
    peer.onMessage(5, { t: 'pull', id: 3, nonce: 9 });
    expect(sent).toEqual([
      { to: 5, msg: { t: 'disconnect' } },
      { to: 5, msg: { t: 'disconnect' } },
    ]);
    expect(peer.has(77)).toBe(false);
    expect(peer.trust.directEvidence(5)).toBe(0);
  });

  it('link traffic from a peer we asked for a link is its accept (the accept was lost or overtaken)', () => {
    const { peer, sent } = lonePeer({ seed: 1, peers: 10, degree: 2, maxDegree: 4, neighbours: [1] });
    peer.connect(6, -1);
    sent.length = 0;
    peer.onMessage(6, gossip(88, 6));
    expect(peer.links.get(6)?.random).toBe(true);
    expect(peer.pending.has(6)).toBe(false);
    expect(peer.has(88)).toBe(true);
    expect(sent.some((s) => s.msg.t === 'disconnect')).toBe(false);
  });

  it('a disconnect closes the open probes to that peer: no evidence from them', () => {
    const { peer, nonceTo } = probing();
    const n = nonceTo(1);
    peer.onMessage(1, { t: 'disconnect' });
    peer.onTimer(TIMER_PROBE, n);
    peer.onTimer(TIMER_PROBE, n);
    expect(peer.trust.directEvidence(1)).toBe(0);
    expect(peer.stats.probesTimedOut).toBe(0);
  });
});

describe('no honest peer cut under plain loss (300 peers, geo latency, rewiring by latency)', () => {
  const net = (loss: number) => ({ latency: { model: 'geo' as const, baseMs: 5, msPerUnit: 150, jitter: 0.1 }, loss });
  for (const loss of [0.05, 0.1])
    it(`loss ${loss}: seeds 1-4`, () => {
      const cut: number[] = [];
      for (const seed of [1, 2, 3, 4]) {
        const s = summaryAt(setup(300, seed, { rewiring: { strategy: 'latency' } }, { broadcasts: 120 }, net(loss)), 26_000);
        expect(s.deliveryRatio).toBeGreaterThan(0.9); // the overlay works despite the loss
        cut.push(s.honestPeersCut as number);
      }
      expect(cut).toEqual([0, 0, 0, 0]);
    });
});
