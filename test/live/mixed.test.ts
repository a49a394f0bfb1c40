/**
 * A mixed room: two Node peer processes (real WebRTC, node-datachannel) and a simulated population of 40
 * sync peers (virtual time paced to the wall clock, modelled latency and bandwidth) joined to the room by
 * a bridge peer in this process. Every peer, Node or simulated, makes stamped edits; every replica, live
 * or simulated, must end with the same text and every edit's mark.
 * Must run inside a loopback-only network namespace (npm test does); ICE is restricted to 127.0.0.1.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatedPopulation } from '../../src/live/mixed/population.js';
import { populationScenario } from '../../src/live/mixed/scenario.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { collectMarks, convergeMarked, sleep, spawnPeers, until, type MarkedReplica } from './helpers.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await Promise.resolve(c()).catch(() => {});
});

describe('a mixed room: Node peers and a simulated population', () => {
  it('2 Node peers and 40 simulated peers behind a bridge converge with every peer\'s marked edits at every replica', async () => {
    const sig = new SignalingServer();
    await sig.listen();
    cleanup.push(() => sig.close());
    const room = 'mixed-room';
    const nodes = await spawnPeers(2, (i) => ({ room, signaling: sig.url, docs: ['main'], name: `n${i}`, peerId: 5000 + 7919 * i }));
    cleanup.push(async () => void (await Promise.all(nodes.map((p) => p.close()))));
    // the population edits only when told (stamped edits below), so every edit is accounted for
    const pop = new SimulatedPopulation({
      index: 1,
      scenario: populationScenario({ count: 40, room, editors: 0, joinSeconds: 2, seed: 7 }),
      live: { room, signaling: sig.url, bindAddress: '127.0.0.1' },
      doc: 'main',
    });
    cleanup.push(() => pop.close(false));

    await until('the bridge linked to a Node peer, every simulated peer online', 30_000, () => {
      const bridge = pop.reports().find((r) => r.kind === 'bridge')!;
      return bridge.links.some((l) => l.open && nodes.some((n) => n.id === l.peer)) && pop.online().length === 40;
    });
    expect(pop.error).toBeNull();

    // edits from both worlds at once: each Node peer, the bridge's slot, and simulated peers far from it
    const made = new Set<string>();
    const slots = pop.online().filter((s) => s !== pop.bridgeSlot);
    const editing = [pop.bridgeSlot, slots[0]!, slots[Math.floor(slots.length / 2)]!, slots.at(-1)!];
    const nodeEdits = Promise.all(nodes.map((p, i) => p.call('edits', { doc: 'main', seed: 100 + i, count: 15, intervalMs: 40, stamp: true })));
    for (let round = 0; round < 5; round++) {
      for (const [i, s] of editing.entries()) for (const m of pop.edit(s, 3, 1000 * round + i)) made.add(m);
      await sleep(120);
    }
    await nodeEdits;
    for (const p of nodes) await collectMarks(made, p, p.id, 'main');
    expect(made.size).toBe(2 * 15 + 5 * editing.length * 3);

    const replicas: MarkedReplica[] = [
      ...nodes,
      ...pop.online().map((s) => {
        const r = pop.replica(s);
        return { text: async () => r.text(), stamps: async () => r.stamps() };
      }),
    ];
    const { text } = await convergeMarked(replicas, 'main', made, 45_000, 'Node and simulated replicas');
    expect(text.length).toBeGreaterThan(0);
    expect(pop.error).toBeNull();

    // the Live graph's view of the population: every simulated peer drawn with its links, ids above every live id
    const reports = pop.reports();
    expect(reports).toHaveLength(40);
    const sims = reports.filter((r) => r.kind === 'simulated');
    expect(sims.every((r) => r.id > 2 ** 32 && r.links.some((l) => l.open))).toBe(true);
    const ids = new Set(reports.map((r) => r.id));
    expect(sims.every((r) => r.links.every((l) => ids.has(l.peer)))).toBe(true);
  }, 150_000);
});
