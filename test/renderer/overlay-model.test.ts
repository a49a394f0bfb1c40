// The Live overlay's model (renderer/src/live/overlay-model.ts): one set of links for the graph and the
// table (stale when one end died and the other still reports it open), lag from state vectors, and a
// layout where nobody moves when peers come and go.
import { describe, expect, it } from 'vitest';
import type { LivePeerData } from '../../src/host/live/group.js';
import { degrees, lagOf, liveEdges, StableLayout } from '../../renderer/src/live/overlay-model.js';

const link = (peer: number, open = true, bytes = 100) => ({ peer, open, initiator: false, bytesIn: bytes, bytesOut: bytes, messagesIn: 1, messagesOut: 1, lastHeard: 0 });
const peer = (id: number, alive: boolean, links: ReturnType<typeof link>[], sv: Record<string, number> = {}): LivePeerData => ({
  id,
  name: `node-${id}`,
  kind: 'node',
  alive,
  mode: 'overlay',
  links,
  docs: [{ name: 'main', stateVector: sv, pending: false, length: 0 }],
  latency: {},
  violations: 0,
  updatedAt: 0,
});

describe('liveEdges and degrees', () => {
  it('a link either end reports open is drawn once; to a dead peer it is stale; graph and table count the same', () => {
    const peers = [peer(1, true, [link(2), link(3)]), peer(2, true, [link(1), link(3, false)]), peer(3, false, []), peer(4, true, [link(3), link(9)])];
    const edges = liveEdges(peers);
    expect(edges.map((e) => [e.id, e.state, e.bytes])).toEqual([
      ['1-2', 'open', 400],
      ['1-3', 'stale', 200],
      ['3-4', 'stale', 200],
    ]);
    const d = degrees(peers, edges);
    expect(Object.fromEntries(d)).toEqual({ 1: { open: 1, stale: 1 }, 2: { open: 1, stale: 0 }, 3: { open: 0, stale: 2 }, 4: { open: 0, stale: 1 } });
    // once the live peers notice (they report the link closed or gone), nothing stale is left
    const noticed = [peer(1, true, [link(2), link(3, false)]), peer(2, true, [link(1)]), peer(3, false, []), peer(4, true, [])];
    expect(liveEdges(noticed).map((e) => e.id)).toEqual(['1-2']);
  });
});

describe('lagOf', () => {
  it('counts the items a peer lacks against the union of live peers, not against dead ones', () => {
    const peers = [peer(1, true, [], { a: 10, b: 5 }), peer(2, true, [], { a: 7 }), peer(3, false, [], { a: 10, b: 5, c: 40 })];
    const lag = lagOf(peers, 'main');
    expect(lag.get(1)).toEqual({ missing: 0, behind: 0, known: 15 });
    expect(lag.get(2)).toEqual({ missing: 8, behind: 2, known: 15 });
    expect(lag.get(3)).toEqual({ missing: 0, behind: 0, known: 15 });
    expect(lagOf(peers, 'other').size).toBe(0);
  });
});

describe('StableLayout', () => {
  it('a peer keeps its place whoever comes or goes; newcomers take new places; no two overlap', () => {
    const l = new StableLayout(70);
    const first = l.place([5, 2, 9]);
    const later = l.place([9, 2, 11, 3]);
    expect(later.get(9)).toEqual(first.get(9));
    expect(later.get(2)).toEqual(first.get(2));
    const all = [...first.values(), later.get(11)!, later.get(3)!];
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) expect(Math.hypot(all[i]!.x - all[j]!.x, all[i]!.y - all[j]!.y)).toBeGreaterThan(40);
    // the first picture is in id order, so two windows seeing the same peers agree
    expect(new StableLayout(70).place([9, 5, 2]).get(2)).toEqual(first.get(2));
  });
});
