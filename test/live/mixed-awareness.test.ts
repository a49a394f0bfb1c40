/**
 * Presence across a bridge: a live peer of the room (its awareness is what a window's editor reads) and a
 * simulated population of 20 whose editors spread their cursors. The live peer comes to hold simulated
 * editors' states under their Live graph names with cursors it can resolve in its own document (Yjs
 * relative positions, as y-codemirror draws them); a simulated peer far from the bridge comes to hold the
 * live peer's state; the population's states leave the live room with it.
 * Must run inside a loopback-only network namespace (npm test does); ICE is restricted to 127.0.0.1.
 */
import * as decoding from 'lib0/decoding';
import * as Y from 'yjs';
import { afterAll, describe, expect, it } from 'vitest';
import { BridgePeer } from '../../src/live/mixed/bridge-peer.js';
import { SimulatedPopulation } from '../../src/live/mixed/population.js';
import { populationScenario } from '../../src/live/mixed/scenario.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { until } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
});

/** The states a simulated peer's awareness holds (SimAwareness.all(): count, then client, clock, JSON). */
function simStates(all: Uint8Array | null): Map<number, unknown> {
  const out = new Map<number, unknown>();
  if (!all) return out;
  const d = decoding.createDecoder(all);
  const n = decoding.readVarUint(d);
  for (let i = 0; i < n; i++) {
    const client = decoding.readVarUint(d);
    decoding.readVarUint(d);
    out.set(client, JSON.parse(decoding.readVarString(d)));
  }
  return out;
}

type State = { user?: { name?: string }; cursor?: { anchor: unknown; head: unknown } };

describe('awareness across a bridge', () => {
  it('a live peer sees simulated editors with cursors it can place; simulated peers see the live peer; they leave with the bridge', async () => {
    const sig = new SignalingServer();
    await sig.listen();
    cleanup.push(() => sig.close());
    const room = 'mixed-awareness';
    // a live peer as a window is one: an overlay member whose document's awareness carries its name and cursor
    const alice = new BridgePeer({ room, signaling: sig.url, bindAddress: '127.0.0.1', name: 'alice' });
    cleanup.push(() => alice.close(false));
    const doc = alice.open('main');
    const aw = alice.awareness('main')!;
    expect(aw).not.toBeNull();
    doc.getText('text').insert(0, 'hello ');
    const mine = Y.createRelativePositionFromTypeIndex(doc.getText('text'), 3);
    aw.setLocalStateField('cursor', { anchor: mine, head: mine });

    const pop = new SimulatedPopulation({
      index: 1,
      scenario: populationScenario({ count: 20, room, editors: 2, editsPerSecond: 4, joinSeconds: 1, seed: 11 }),
      live: { room, signaling: sig.url, bindAddress: '127.0.0.1' },
      doc: 'main',
    });
    cleanup.push(() => pop.close(false));
    expect(pop.awareness).not.toBeNull();

    // simulated editors, by their graph names, with cursors that resolve in the live document's text
    const simSeen = await until('the live peer holds a simulated editor with a cursor', 30_000, () =>
      [...aw.getStates().values()].find((s): s is State => {
        const st = s as State;
        if (!/^sim-1\.\d+$/.test(st.user?.name ?? '') || !st.cursor) return false;
        const a = Y.createAbsolutePositionFromRelativePosition(st.cursor.anchor as Y.RelativePosition, doc);
        return a !== null && a.type === doc.getText('text') && a.index >= 0 && a.index <= doc.getText('text').length;
      }),
    );
    const slotName = Number(simSeen.user!.name!.split('.')[1]);
    expect(pop.state.editors).toContain(slotName);

    // alice's state at a simulated peer that is not the bridge's slot (it went through the simulated overlay)
    const far = await until('a simulated peer beyond the bridge holds the live peer', 30_000, () =>
      pop.online().find((s) => s !== pop.bridgeSlot && [...simStates(pop.state.awareness[s]?.all() ?? null).values()].some((x) => (x as State | null)?.user?.name === 'alice')),
    );
    expect(far).not.toBe(pop.bridgeSlot);
    // what the simulation spread is alice's own state: her cursor is the relative position she set
    const held = simStates(pop.state.awareness[far]!.all()).get(doc.clientID) as State;
    expect(Y.compareRelativePositions(Y.createRelativePositionFromJSON(held.cursor!.anchor), mine)).toBe(true);
    // no echo: the live peer's own state never came back as a simulated one
    expect([...aw.getStates().keys()].filter((c) => c === doc.clientID)).toHaveLength(1);
    expect(pop.awareness!.stats.toLive).toBeGreaterThan(0);
    expect(pop.awareness!.stats.toSim).toBeGreaterThan(0);

    // the population leaves: its editors' states leave the live room with it (not at y-protocols' 30 s timeout)
    pop.close(true);
    await until('the simulated states left the live peer', 10_000, () => ![...aw.getStates().values()].some((s) => /^sim-1\./.test((s as State).user?.name ?? '')));
    expect(aw.getLocalState()).not.toBeNull();
  }, 90_000);
});
