/**
 * Simulated populations through the LabHost's live group: live.addSimulated puts 30 simulated peers in the
 * room behind a bridge, a Node peer's typing reaches them and theirs reaches it, live.peers draws them
 * (kind simulated/bridge, their population), bad input is refused naming the key, live.removeSimulated
 * takes them out. Must run inside a loopback-only network namespace (npm test does).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { HostRouter } from '../../src/host/router.js';
import { livePlugin } from '../../src/host/live/plugin.js';
import { sleep, tmpDir } from './helpers.js';

const router = new HostRouter();
const plugin = livePlugin({ dataDir: tmpDir(), room: 'mixedhost' }).mount({ router, emit: () => {} });
afterAll(() => plugin.close());

let n = 0;
async function frame(cmd: string, args: unknown = {}) {
  return router.handleFrame({ type: 'call', id: ++n, cmd, args });
}
async function call<T = Record<string, unknown>>(cmd: string, args: unknown = {}): Promise<T> {
  const f = await frame(cmd, args);
  if (f.type !== 'result') throw new Error(`${cmd}: ${JSON.stringify(f)}`);
  return f.result as T;
}
async function failure(cmd: string, args: unknown): Promise<string> {
  const f = await frame(cmd, args);
  expect(f.type).toBe('error');
  return JSON.stringify(f);
}

type Row = { id: number; kind: string; alive: boolean; population?: number; docs: { name: string; length: number; stateVector: Record<string, number> }[]; links: { peer: number; open: boolean }[] };

describe('simulated populations in the live host group', () => {
  it('adds a population that co-edits with a Node peer, draws it, refuses bad input, removes it', async () => {
    const node = await call<{ id: number }>('live.addPeer', { name: 'alice' });
    const pop = await call<{ id: number; peers: number; bridge: number; doc: string }>('live.addSimulated', { count: 30, editors: 3, editsPerSecond: 5, edits: 15, joinSeconds: 1, seed: 3 });
    expect(pop).toMatchObject({ id: 1, peers: 30, doc: 'main' });
    await call('live.type', { id: node.id, doc: 'main', count: 20, intervalMs: 20 });

    // the Node peer holds the simulated editors' edits and every simulated replica the Node peer's: equal state vectors
    const t0 = Date.now();
    let peers: Row[] = [];
    let last = '';
    while (Date.now() - t0 < 40_000) {
      ({ peers } = await call<{ peers: Row[] }>('live.peers'));
      const sv = (p: Row) => p.docs.find((d) => d.name === 'main')?.stateVector ?? {};
      const nodeSv = sv(peers.find((p) => p.id === node.id)!);
      const sims = peers.filter((p) => p.population === 1);
      const clients = Object.keys(nodeSv).length;
      // the Node peer's own client and at least one simulated editor's, at every replica up to the same clock
      const [{ edits }] = (await call<{ populations: [{ edits: number }] }>('live.simulated')).populations;
      // every simulated edit made (the Node peer's typing ended long before), then the same everywhere
      if (edits === 15 && sims.length === 30 && clients >= 2 && sims.every((p) => JSON.stringify(Object.entries(sv(p)).sort()) === JSON.stringify(Object.entries(nodeSv).sort()))) break;
      last = `${sims.length} simulated; node sv ${JSON.stringify(nodeSv)}; e.g. ${JSON.stringify(sims[1] ? sv(sims[1]) : null)}`;
      peers = [];
      await sleep(100);
    }
    expect(peers.length, `did not converge within 40 s: ${last}`).toBeGreaterThan(0);
    const sims = peers.filter((p) => p.population === 1);
    expect(sims.filter((p) => p.kind === 'bridge').map((p) => p.id)).toEqual([pop.bridge]);
    expect(sims.filter((p) => p.kind === 'simulated')).toHaveLength(29);
    // the bridge links the Node peer and simulated peers alike
    const bridge = sims.find((p) => p.kind === 'bridge')!;
    expect(bridge.links.some((l) => l.open && l.peer === node.id)).toBe(true);
    expect(bridge.links.some((l) => l.open && sims.some((s) => s.id === l.peer))).toBe(true);
    expect((await call<{ populations: { id: number; online: number }[] }>('live.simulated')).populations).toMatchObject([{ id: 1, online: 30 }]);

    // bad input: located, nothing added
    expect(await failure('live.addSimulated', { count: 0 })).toMatch(/count/);
    expect(await failure('live.addSimulated', { count: 5, doc: 'nope' })).toMatch(/doc: the room has no document/);
    expect(await failure('live.addSimulated', { count: 5, scenario: 'name: x\npeers: 5\nprotocol: { type: sync, room: elsewhere }\nworkload: { editors: 2 }\nuntil: 10s\n' })).toMatch(
      /protocol\.room: the population joins room 'elsewhere', but the live room is 'mixedhost'/,
    );
    expect(await failure('live.removeSimulated', { id: 7 })).toMatch(/no simulated population 7/);
    expect(await failure('live.setMode', { mode: 'ywebrtc' })).toMatch(/remove them before switching/);

    await call('live.removeSimulated', { id: 1 });
    ({ peers } = await call<{ peers: Row[] }>('live.peers'));
    expect(peers.filter((p) => p.population !== undefined)).toEqual([]);
    expect((await call<{ populations: unknown[] }>('live.simulated')).populations).toEqual([]);
  }, 120_000);
});
