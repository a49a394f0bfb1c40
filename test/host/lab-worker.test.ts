/**
 * LabHost with its simulation in a worker thread: a heavy or hostile command cannot stall or kill the
 * host. (D11: `lab.load` with `until: 1e308`, then `lab.seek { timeMs: 1e12 }`.)
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHost, type Host } from '../../src/host/index.js';
import type { HostFrame } from '../../src/host/contract.js';

const SCENARIOS = join(import.meta.dirname, '../../resources/scenarios');
let host: Host | null = null;
afterEach(async () => {
  await host?.close();
  host = null;
});

let nextId = 1;
async function call(h: Host, cmd: string, args?: unknown): Promise<HostFrame> {
  return h.router.handleFrame({ type: 'call', id: nextId++, cmd, ...(args !== undefined ? { args } : {}) });
}

/** Pings as another client would, every 20 ms, until `until` settles; returns each round trip (ms). */
async function pingWhile(h: Host, until: Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  let settled = false;
  void until.finally(() => (settled = true));
  while (!settled) {
    const t0 = performance.now();
    const f = await call(h, 'host.ping');
    out.push(performance.now() - t0);
    expect(f.type).toBe('result');
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

const GOSSIP_20 = (until: string) => `name: twenty
peers: 20
protocol: { type: gossip, variant: push-pull, fanout: 1, roundMs: 200 }
workload: { broadcasts: 1, messageBytes: 100 }
until: ${until}
`;

describe('LabHost runs the simulation off the main thread', () => {
  it('refuses an unbounded run with the key and a reason, and keeps what was loaded', async () => {
    host = createHost({ scenariosDir: SCENARIOS, defaultScenario: null, log: () => {} });
    expect((await call(host, 'lab.load', { text: GOSSIP_20('10s') })).type).toBe('result');
    const bad = await call(host, 'lab.load', { text: GOSSIP_20('1e308') });
    expect(bad).toMatchObject({ type: 'error', error: { code: 'failed' } });
    expect(bad.type === 'error' && bad.error.message).toMatch(/until/);
    const seek = await call(host, 'lab.seek', { timeMs: 1e12 });
    expect(seek.type).toBe('result');
    const st = seek.type === 'result' ? (seek.result as { timeMs: number; untilMs: number; done: boolean }) : null;
    expect(st).toMatchObject({ timeMs: 10_000, untilMs: 10_000, done: true }); // clamped to the run's end
  });

  it("answers another client's ping within 100 ms while a long seek runs, and a newer command interrupts the seek", async () => {
    host = createHost({ scenariosDir: SCENARIOS, defaultScenario: null, log: () => {} });
    // 500 peers with reputation: simulating its 60 s cap takes many seconds here
    expect((await call(host, 'lab.load', { name: 'adaptive-reputation' })).type).toBe('result');
    const seek = call(host, 'lab.seek', { timeMs: 1e12 });
    await new Promise((r) => setTimeout(r, 300));
    const pings = await pingWhile(host, Promise.race([seek, new Promise((r) => setTimeout(r, 1500))]));
    expect(pings.length).toBeGreaterThan(10);
    expect(Math.max(...pings)).toBeLessThan(100);
    // pausing supersedes the seek: it stops between slices instead of running to the end
    const t0 = performance.now();
    const paused = await call(host, 'lab.pause');
    const seekDone = await seek;
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(paused.type).toBe('result');
    const at = seekDone.type === 'result' ? (seekDone.result as { timeMs: number; done: boolean }) : null;
    expect(at?.done).toBe(false);
    expect(at!.timeMs).toBeGreaterThan(0);
  });

  it('a worker that runs out of memory is replaced; the host and other clients go on', async () => {
    const logs: string[] = [];
    host = createHost({ scenariosDir: SCENARIOS, defaultScenario: null, log: (m) => logs.push(m), resourceLimits: { maxOldGenerationSizeMb: 40 } });
    expect((await call(host, 'lab.load', { text: GOSSIP_20('10s') })).type).toBe('result');
    // 500 peers with reputation tables, and their keyframes, do not fit in a 40 MB heap
    expect((await call(host, 'lab.load', { name: 'adaptive-reputation' })).type).toBe('result');
    const big = await call(host, 'lab.seek', { timeMs: 1e12 });
    expect(big).toMatchObject({ type: 'error', error: { code: 'failed' } });
    expect(big.type === 'error' && big.error.message).toMatch(/ran out of memory/);
    expect((await call(host, 'host.ping')).type).toBe('result');
    expect(host.lab.restarts).toBe(1);
    // the replacement worker reloads the last run that loaded (at time 0)
    let st = await call(host, 'lab.state');
    for (let i = 0; i < 100 && !(st.type === 'result' && (st.result as { protocol: string }).protocol === 'adaptive'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      st = await call(host, 'lab.state');
    }
    expect(st.type === 'result' && (st.result as { timeMs: number; protocol: string })).toMatchObject({ protocol: 'adaptive', timeMs: 0 });
    expect(logs.join('\n')).toMatch(/ran out of memory/);
  });
});
