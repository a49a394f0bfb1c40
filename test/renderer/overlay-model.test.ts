// The Live overlay's picture and table (src/host/live/live-frame.ts, renderer/src/live/overlay-model.ts):
// one set of links for the graph and the table (stale when one end died and the other still reports it
// open), lag from state vectors, and places where nobody moves when peers come and go.
import { describe, expect, it } from 'vitest';
import type { LivePeerData } from '../../src/host/live/group.js';
import { liveFrame, STALE_KIND } from '../../src/host/live/live-frame.js';
import { roomPlace } from '../../renderer/src/graph/mapping.js';
import { dotSize } from '../../renderer/src/graph/draw.js';
import { lagOf, linkDegrees } from '../../renderer/src/live/overlay-model.js';
import { liveLink, livePeer, type ReportedLink } from './live-peers.js';

const link = (peer: number, open = true) => liveLink(peer, { open });
const peer = (id: number, alive: boolean, links: ReportedLink[], sv: Record<string, number> = {}): LivePeerData => livePeer(id, { alive, links, sv });

const picture = (peers: LivePeerData[], index = new Map<number, number>()) => liveFrame(peers, index, 0, 1000, new Set(), { rewired: 0 }).snapshot;

describe("the live picture and the table's link counts", () => {
  it('a link either end reports open is drawn once; to a dead peer it is stale; graph and table count the same', () => {
    const peers = [peer(1, true, [link(2), link(3)]), peer(2, true, [link(1), link(3, false)]), peer(3, false, []), peer(4, true, [link(3), link(9)])];
    const index = new Map<number, number>();
    const snap = picture(peers, index);
    // numbered in order of first sight
    expect([...index]).toEqual([
      [1, 0],
      [2, 1],
      [3, 2],
      [4, 3],
    ]);
    const sorted = [...snap.links].map((l) => [...l]).sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
    expect(sorted).toEqual([
      [0, 1],
      [0, 2, STALE_KIND],
      [2, 3, STALE_KIND],
    ]);
    const d = linkDegrees(snap);
    expect(Object.fromEntries(d)).toEqual({ 0: { open: 1, stale: 1 }, 1: { open: 1, stale: 0 }, 2: { open: 0, stale: 2 }, 3: { open: 0, stale: 1 } });
    // once the live peers notice (they report the link closed or gone), nothing stale is left; a dead peer's own last report does not count
    const noticed = [peer(1, true, [link(2), link(3, false)]), peer(2, true, [link(1)]), peer(3, false, [link(1), link(4)]), peer(4, true, [])];
    expect(picture(noticed, index).links).toEqual([[0, 1]]);
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

describe('roomPlace', () => {
  it("a peer's place is its number's: it keeps it whoever comes or goes, and no two of 200 overlap", () => {
    expect(roomPlace(7)).toEqual(roomPlace(7));
    const all = Array.from({ length: 200 }, (_, i) => roomPlace(i));
    let closest = Infinity;
    for (let i = 0; i < all.length; i++) for (let j = i + 1; j < all.length; j++) closest = Math.min(closest, Math.hypot(all[i]!.x - all[j]!.x, all[i]!.y - all[j]!.y));
    expect(closest).toBeGreaterThan(dotSize(200) * 1.6);
  });
});
