// The Live overlay view's graph, from the peers' reports to what the Lab's graph model draws (the same
// pure parts PeerGraph runs): peers coloured by the trust their neighbours hold in them (a peer's
// `trust: { heldScore, cut }`), links by the kind a peer reports ('random', 'metric'), a new or cut
// metric link flashed as rewiring and nothing else, links to a killed peer stale until noticed, and
// the legend saying what each colour means.
import { describe, expect, it } from 'vitest';
import { DISTRUSTED_BELOW, liveFrame, liveObservation, STALE_KIND } from '../../src/host/live/live-frame.js';
import { legendOf } from '../../renderer/src/graph/legend.js';
import { GraphModel, LinkChanges } from '../../renderer/src/graph/mapping.js';
import { Palette, REWIRED_IN, REWIRED_OUT } from '../../renderer/src/observe/palette.js';
import { liveLink, livePeer, type LinkKind, type ReportedLink, type ReportedPeer, type Trust } from './live-peers.js';

type Kind = LinkKind;
type Trusting = ReportedPeer;
const link = (peer: number, kind?: Kind) => liveLink(peer, { kind, bytes: 10 });
const peer = (id: number, links: ReportedLink[], trust?: Trust, alive = true): Trusting => livePeer(id, { alive, links, trust, sv: { [String(id)]: 3 } });

const palette = new Palette(liveObservation);
const colourOf = (state: string) => liveObservation.states.find((s) => s.name === state)!.colour;

describe('the Live graph', () => {
  it('colours peers by the trust their neighbours hold in them, and says so in the legend', () => {
    const index = new Map<number, number>();
    const peers = [
      peer(11, [link(22, 'metric'), link(33, 'random')], { heldScore: 0.93, cut: false }),
      peer(22, [link(11, 'metric')], { heldScore: DISTRUSTED_BELOW - 0.01, cut: false }),
      peer(33, [link(11, 'random')], { heldScore: 0.05, cut: true }),
      peer(44, [link(11)]),
    ];
    const snap = liveFrame(peers, index, 1000, 1000, new Set(), { rewired: 0 }).snapshot;
    const model = new GraphModel(palette);
    const diff = model.apply(snap);
    const drawn = Object.fromEntries(diff.addNodes.map((n) => [snap.peers.find((p) => p.id === n.peer)!.label, n.color]));
    expect(drawn).toEqual({ 'node-11': colourOf('online'), 'node-22': colourOf('distrusted'), 'node-33': colourOf('cut'), 'node-44': colourOf('online') });
    // links by kind: the metric one green, the random one dashed, a plain one grey
    const kinds = Object.fromEntries(diff.addEdges.map((e) => [e.id, e.kind]));
    expect(kinds).toEqual({ 'e0-1': 2, 'e0-2': 1, 'e0-3': 0 });
    expect(diff.addEdges.find((e) => e.kind === 2)!.color).toBe(liveObservation.linkKinds[2]!.colour);
    expect(palette.link(1).dashed).toBe(true);
    // the legend counts each state and kind with its label and the rewiring highlights
    const legend = legendOf(palette, snap);
    expect(legend.nodes.map((e) => [e.key, e.count])).toEqual([
      ['online', 2],
      ['simulated', 0],
      ['bridge', 0],
      ['distrusted', 1],
      ['cut', 1],
      ['error', 0],
    ]);
    expect(legend.links.map((e) => e.label)).toEqual(['Link', 'Random link', 'Rewired link', 'Stale link', 'Trial link', REWIRED_IN.label, REWIRED_OUT.label]);
    expect(legend.size).toBe('dot size: Sync progress');
  });

  it('flashes a link the rewiring metric made or cut, not a plain or random one; a killed peer leaves stale links', () => {
    const index = new Map<number, number>();
    const seen = new Set<string>();
    const tally = { rewired: 0 };
    const frame = (peers: Trusting[], t: number) => liveFrame(peers, index, t, 1000, seen, tally).snapshot;
    const model = new GraphModel(palette);
    const changes = new LinkChanges();
    const rewires = (k: number) => palette.rewires(k);
    // first picture: nothing flashes
    const first = model.apply(frame([peer(1, [link(2, 'random'), link(3)]), peer(2, [link(1, 'random')]), peer(3, [link(1)]), peer(4, [])], 0));
    expect(changes.note(first, 0, true, rewires).fresh).toEqual([]);
    // rewiring: 1 drops its random link to 2 for a metric one to 4; 3 and 4 open a plain link
    const next = model.apply(frame([peer(1, [link(4, 'metric'), link(3)]), peer(2, []), peer(3, [link(1), link(4)]), peer(4, [link(1, 'metric'), link(3)])], 1000));
    const marks = changes.note(next, 1000, false, rewires);
    expect(marks.fresh).toEqual(['e0-3']);
    expect(marks.keep).toEqual([]); // the random link that went is not a rewiring cut
    expect(tally.rewired).toBe(1);
    // the metric link goes: it lingers, marked as cut by rewiring
    const cut = model.apply(frame([peer(1, [link(3)]), peer(2, []), peer(3, [link(1), link(4)]), peer(4, [link(3)])], 2000));
    expect(changes.note(cut, 2000, false, rewires).keep).toEqual(['e0-3']);
    // 3 is killed: 1 and 4 still report their links to it, drawn stale, until they notice
    const killed = frame([peer(1, [link(3)]), peer(2, []), peer(3, [link(1), link(4)], undefined, false), peer(4, [link(3)])], 3000);
    expect(killed.links).toEqual([
      [0, 2, STALE_KIND],
      [2, 3, STALE_KIND],
    ]);
    const d = model.apply(killed);
    expect(d.changed.map((n) => [n.peer, n.color])).toEqual([[2, palette.colour('offline', false)]]);
    expect(d.changedEdges.map((e) => e.kind)).toEqual([STALE_KIND, STALE_KIND]);
    expect(changes.note(d, 3000, false, rewires).fresh).toEqual([]);
    const noticed = model.apply(frame([peer(1, []), peer(2, []), peer(3, [], undefined, false), peer(4, [])], 4000));
    expect(noticed.removeEdges.sort()).toEqual(['e0-2', 'e2-3']);
    expect(changes.note(noticed, 4000, false, rewires).keep).toEqual([]);
  });

  it('a trial link flashes as rewiring; the ends disagreeing, metric > trial > random > plain, and stale over all', () => {
    const index = new Map<number, number>();
    const frame = (peers: Trusting[]) => liveFrame(peers, index, 0, 1000, new Set(), { rewired: 0 }).snapshot;
    const both = (a: Kind | undefined, b: Kind | undefined, bAlive = true) => frame([peer(1, [link(2, a)]), peer(2, [link(1, b)], undefined, bAlive)]).links;
    expect(both('trial', undefined)).toEqual([[0, 1, 4]]);
    expect(both('trial', 'metric')).toEqual([[0, 1, 2]]);
    expect(both('random', 'trial')).toEqual([[0, 1, 4]]);
    expect(both(undefined, 'random')).toEqual([[0, 1, 1]]);
    expect(both('metric', 'metric', false)).toEqual([[0, 1, STALE_KIND]]);
    expect(palette.rewires(4)).toBe(true);
    const m = new GraphModel(palette);
    m.apply(frame([peer(1, []), peer(2, [])]));
    expect(new LinkChanges().note(m.apply(frame([peer(1, [link(2, 'trial')]), peer(2, [])])), 0, false, (k) => palette.rewires(k)).fresh).toEqual(['e0-1']);
  });

  it("a simulated population's peers and its bridge have their own colours; trust states and offline win over them", () => {
    const index = new Map<number, number>();
    const sim = (id: number, kind: 'simulated' | 'bridge', trust?: { heldScore: number; cut: boolean }, alive = true) => ({ ...peer(id, [], trust, alive), kind });
    const snap = liveFrame([peer(1, []), sim(2, 'bridge'), sim(2 ** 32 + 1, 'simulated'), sim(2 ** 32 + 2, 'simulated', undefined, false), sim(3, 'bridge', { heldScore: 0.1, cut: false })], index, 0, 1000, new Set(), { rewired: 0 }).snapshot;
    expect(snap.peers.map((p) => [p.id, p.state])).toEqual([
      [0, 'online'],
      [1, 'bridge'],
      [2, 'simulated'],
      [3, 'offline'],
      [4, 'distrusted'],
    ]);
    expect(new Set(snap.peers.map((p) => palette.colour(p.state, p.alive))).size).toBe(5);
  });
});
