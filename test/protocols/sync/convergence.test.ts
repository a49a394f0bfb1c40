/**
 * Thousands of seeded random runs of the in-memory network (testnet.ts): peers edit, join, crash, leave,
 * restart, links fail, the room splits and heals, the signaling server goes away and comes back, frames
 * are lost, duplicated and reordered across links; after the faults stop, every live replica holds the
 * same text and state vector. A failing run prints its seed: `SYNC_SEED=<seed> npx vitest run
 * test/protocols/sync/convergence.test.ts` replays exactly that run. `SYNC_RUNS=n` sets how many.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/index.js';
import { TestNet } from './testnet.js';

const RUNS = Number(process.env.SYNC_RUNS ?? 1000);
const ONLY = process.env.SYNC_SEED !== undefined ? Number(process.env.SYNC_SEED) : null;
const BASE = 20_260_000;

interface Outcome {
  ok: boolean;
  ops: string[];
  dump: string;
}

/** One random run; the scenario and every choice inside come from `seed`. */
export function randomRun(seed: number): Outcome {
  const pick = new Rng(seed ^ 0x5eed);
  const wire = pick.chance(0.25);
  const lossy = pick.chance(0.4);
  const net = new TestNet({
    seed,
    wire,
    dropRate: lossy ? pick.float() * 0.05 : 0,
    dupRate: lossy ? pick.float() * 0.05 : 0,
    peer: { degree: 2 + pick.int(3), maxLinks: 6, shuffleMs: 3000 + pick.int(5000), antiEntropyMs: 500 + pick.int(1000) },
  });
  const ops: string[] = [`wire=${wire} drop=${net.o.dropRate.toFixed(3)} dup=${net.o.dupRate.toFixed(3)}`];
  const n0 = 3 + pick.int(6);
  let next = 1;
  for (; next <= n0; next++) net.add(next);
  net.run(2000 + pick.int(3000));
  const steps = 20 + pick.int(40);
  for (let s = 0; s < steps; s++) {
    const r = pick.float();
    const alive = net.alivePeers().map((p) => p.id);
    const down = [...net.peers.values()].filter((p) => !p.alive).map((p) => p.id);
    if (r < 0.55 && alive.length > 0) {
      const id = pick.pick(alive);
      net.edit(id);
      ops.push(`edit ${id}`);
    } else if (r < 0.6 && next < 16) {
      ops.push(`join ${next}`);
      net.add(next++);
    } else if (r < 0.65 && alive.length > 2) {
      const id = pick.pick(alive);
      ops.push(`crash ${id}`);
      net.crash(id);
    } else if (r < 0.68 && alive.length > 2) {
      const id = pick.pick(alive);
      ops.push(`leave ${id}`);
      net.leave(id);
    } else if (r < 0.74 && down.length > 0) {
      const id = pick.pick(down);
      ops.push(`restart ${id}`);
      net.add(id);
    } else if (r < 0.8 && alive.length > 0) {
      const p = net.peers.get(pick.pick(alive))!;
      const links = p.sync.links.openLinks();
      if (links.length > 0) {
        const q = pick.pick(links).peer;
        ops.push(`cut ${p.id}-${q}`);
        net.cut(p.id, q);
      }
    } else if (r < 0.84) {
      if (net.groups) {
        ops.push('heal');
        net.heal();
      } else {
        const salt = pick.nextU32();
        ops.push(`partition ${salt}`);
        net.partition((p) => (p * 2654435761 + salt) % 2 >>> 0);
      }
    } else if (r < 0.88) {
      net.signalingUp = !net.signalingUp;
      ops.push(`signaling ${net.signalingUp ? 'up' : 'down'}`);
    }
    net.run(pick.int(1500));
  }
  // faults stop: the network heals, the server is back; everyone must converge
  net.heal();
  net.signalingUp = true;
  ops.push('settle');
  for (let t = 0; t < 12 && !(net.converged() && net.connected()); t++) net.run(10_000);
  const ok = net.converged();
  return { ok, ops, dump: net.dump() };
}

describe('sync peers converge under seeded faults', () => {
  it(`${ONLY !== null ? `seed ${ONLY}` : `${RUNS} random runs`}: every live replica ends equal`, () => {
    const failed: number[] = [];
    const seeds = ONLY !== null ? [ONLY] : Array.from({ length: RUNS }, (_, i) => BASE + i);
    for (const seed of seeds) {
      const out = randomRun(seed);
      if (!out.ok) {
        failed.push(seed);
        if (failed.length <= 3) console.log(`sync convergence failed: seed ${seed} (SYNC_SEED=${seed} replays it)\n  ${out.ops.join('; ')}${ONLY !== null ? `\n${out.dump}` : ''}`);
      }
    }
    expect(failed, `failing seeds: ${failed.slice(0, 20).join(', ')}`).toEqual([]);
  });
});
