/**
 * A bounded soak of `peerlab signal` (the real binary, loopback, counts and time fixed): hostile clients
 * beside a well-behaved one, which keeps being served, while the server's resident memory stays under a
 * stated bound.
 *
 * Hostile: five subscribers that never read; a publisher flooding 200 KB messages; a client publishing a
 * message nested 6,000 deep again and again (reconnecting each time); garbage senders; 200 idle
 * connections held open. Well-behaved: one client publishing 100 small messages, 50 ms apart, on the
 * same topic, and reading everything.
 *
 * Bound: 250 MB RSS. The server idles at ~70-90 MB (node + tsx); what a hostile client can make it hold is
 * bounded by its limits: 1 MiB unsent per connection before it is dropped, 2 MiB of read burst per
 * sender, 256 KiB per message. Before those limits the same flood took it from 90 MB to 724 MB and
 * rising, and the nested message ended it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { openSocket, rssMb, stopSoak } from './soak.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RSS_BOUND_MB = 250;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let proc: ChildProcess | null = null;
const sockets: WebSocket[] = [];
afterAll(() => stopSoak(proc, sockets));

const open = (url: string) => openSocket(url, sockets);

describe('peerlab signal under a bounded soak', () => {
  it('serves a well-behaved client through floods, stalls, deep nesting and garbage, within 250 MB', async () => {
    proc = spawn(process.execPath, [join(ROOT, 'bin/peerlab.mjs'), 'signal', '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<string>((res, rej) => {
      let out = '';
      proc!.stdout!.on('data', (d) => {
        out += d;
        const m = /listening on (ws:\/\/[\d.]+:\d+)/.exec(out);
        if (m) res(m[1]!);
      });
      proc!.once('exit', (c) => rej(new Error(`peerlab signal exited (${c}): ${out}`)));
    });
    const pid = proc.pid!;
    let maxRss = rssMb(pid);
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 100);

    // the well-behaved client
    const good = await open(url);
    const echoes: number[] = [];
    good.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { data?: { from?: string; seq?: number } };
      if (m.data?.from === 'good') echoes.push(m.data.seq!);
    });
    good.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));

    // hostile: stalled subscribers
    for (let i = 0; i < 5; i++) {
      const s = await open(url);
      s.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));
      await sleep(20);
      (s as unknown as { _socket: { pause(): void } })._socket.pause();
    }
    // hostile: idle connections
    await Promise.all(Array.from({ length: 200 }, () => open(url).catch(() => null)));
    // hostile: the flood (queued on our side as fast as ws takes it; the server reads it at its pace)
    const flood = await open(url);
    const big = 'z'.repeat(200 * 1024);
    for (let i = 0; i < 300; i++) flood.send(JSON.stringify({ type: 'publish', topic: 'room', data: { from: 'flood', i, big } }));
    // hostile: deep nesting and garbage, over and over
    let stop = false;
    const pests = (async () => {
      for (let k = 0; !stop; k++) {
        const p = await open(url).catch(() => null);
        if (!p) continue;
        p.send(k % 2 ? `{"type":"publish","topic":"room","data":${'['.repeat(6000)}${']'.repeat(6000)}}` : '{"type":"subscribe","topics":[1,{}]');
        await sleep(100);
        p.terminate();
      }
    })();

    await sleep(500);
    for (let seq = 0; seq < 100; seq++) {
      good.send(JSON.stringify({ type: 'publish', topic: 'room', data: { from: 'good', seq } }));
      await sleep(50);
    }
    const t0 = Date.now();
    while (echoes.length < 100 && Date.now() - t0 < 30_000) await sleep(100);
    stop = true;
    await pests;
    clearInterval(sampler);
    maxRss = Math.max(maxRss, rssMb(pid));
    console.log(`peerlab signal soak: max RSS ${maxRss.toFixed(0)} MB (bound ${RSS_BOUND_MB} MB), ${echoes.length}/100 echoes`);

    expect(proc.exitCode).toBeNull();
    expect(echoes).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(maxRss).toBeLessThan(RSS_BOUND_MB);
  });
});
