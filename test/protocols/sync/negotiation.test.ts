/**
 * The third negotiation step: an initiator whose offer went without its ICE candidates sends them once
 * its answer is applied; only the answerer of that very negotiation hands them to its transport, and
 * only before the link opens (a stranger's or a stale nonce's are dropped like a stray answer).
 */
import { describe, expect, it } from 'vitest';
import { newSyncStats, type SyncHost } from '../../../src/protocols/sync/host.js';
import { LinkTable } from '../../../src/protocols/sync/links/link-table.js';
import { Negotiation } from '../../../src/protocols/sync/links/negotiation.js';
import type { Relay } from '../../../src/protocols/sync/relay/relay.js';
import type { LinkSignal } from '../../../src/protocols/sync/wire/frames.js';
import type { SignalingMsg } from '../../../src/protocols/sync/wire/signaling.js';

const RATES = { relayRate: 100, relayBurst: 100, syncRate: 100, syncBurst: 100 };

/** One peer's negotiation with everything it hands its transport and the signaling server recorded. */
function peer(self: number) {
  const handed: { peer: number; sig: LinkSignal }[] = [];
  const published: SignalingMsg[] = [];
  const links = new LinkTable();
  const host: SyncHost = {
    publish: (m) => void published.push(m),
    signalingUp: () => true,
    openLink: () => {},
    remoteSignal: (p, sig) => void handed.push({ peer: p, sig }),
    send: () => {},
    closeLink: () => {},
  };
  const relay = { reachable: () => true, send: () => true, sendBack: () => true } as unknown as Relay;
  const n = new Negotiation({
    self,
    now: () => 0,
    host,
    relay,
    links,
    stats: newSyncStats(),
    maxLinks: 8,
    deadLinkMs: 10_000,
    rates: RATES,
    refused: () => false,
    drop: (p) => void links.delete(p),
    failed: () => {},
    answered: () => {},
  });
  return { n, links, handed, published };
}

const sig = (kind: LinkSignal['kind'], nonce: string, sdp = 'candidate:1 1 UDP 2122317823 127.0.0.1 40000 typ host'): LinkSignal => ({ kind, nonce, sdp, link: 'bootstrap' });
const viaSignaling = { via: 'signaling' } as const;

describe('negotiation: the initiator\'s candidates after the answer', () => {
  it('the initiator publishes them with its offer\'s nonce; the answerer of that offer hands them to its transport', () => {
    const a = peer(1);
    const b = peer(2);
    expect(a.n.connect(2, 'bootstrap', viaSignaling)).toBe(true);
    a.n.onLocalSignal(2, sig('offer', 'abc1', 'v=0 offer'));
    const offer = a.published.at(-1)!;
    expect(offer).toMatchObject({ type: 'signal', from: 1, to: 2, sig: { kind: 'offer', nonce: 'abc1' } });
    b.n.onRemoteSignal(1, (offer as { sig: LinkSignal }).sig, viaSignaling);
    b.n.onLocalSignal(1, sig('answer', 'abc1', 'v=0 answer'));
    a.n.onRemoteSignal(2, (b.published.at(-1) as { sig: LinkSignal }).sig, viaSignaling);
    expect(a.handed.map((h) => h.sig.kind)).toEqual(['answer']);
    a.n.onLocalSignal(2, sig('candidates', 'abc1'));
    const cands = a.published.at(-1) as { sig: LinkSignal };
    expect(cands.sig).toEqual(sig('candidates', 'abc1'));
    b.n.onRemoteSignal(1, cands.sig, viaSignaling);
    expect(b.handed.map((h) => h.sig.kind)).toEqual(['offer', 'candidates']);
    expect(b.handed[1]!.sig.sdp).toContain('typ host');
  });

  it('drops candidates of another nonce, for a link it initiated itself, from a stranger, or once the link is open; an answerer never sends any', () => {
    const b = peer(2);
    b.n.onRemoteSignal(1, sig('offer', 'abc1', 'v=0 offer'), viaSignaling);
    b.n.onRemoteSignal(1, sig('candidates', 'ffff'), viaSignaling); // stale or forged nonce
    b.n.onRemoteSignal(3, sig('candidates', 'abc1'), viaSignaling); // no negotiation with peer 3
    const before = b.published.length;
    b.n.onLocalSignal(1, sig('candidates', 'abc1')); // the answerer has none to send
    expect(b.published.length).toBe(before);
    b.links.markOpen(b.links.get(1)!, 0);
    b.n.onRemoteSignal(1, sig('candidates', 'abc1'), viaSignaling); // the link is up already
    expect(b.handed.map((h) => h.sig.kind)).toEqual(['offer']);

    const a = peer(1);
    a.n.connect(2, 'bootstrap', viaSignaling);
    a.n.onLocalSignal(2, sig('offer', 'abc1', 'v=0 offer'));
    a.n.onRemoteSignal(2, sig('candidates', 'abc1'), viaSignaling); // the initiator takes none
    expect(a.handed).toEqual([]);
  });
});
