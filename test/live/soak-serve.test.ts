/**
 * A bounded soak of `peerlab serve` (the real binary, loopback, counts and time fixed): hostile clients
 * beside a well-behaved one, which keeps being served, while the server's resident memory stays under a
 * stated bound.
 *
 * Hostile: connections without the token (refused), and 24 connections that hold places; clients with
 * the token that send garbage, frames over the 1 MiB limit, JSON nested 100,000 deep, scenario text of
 * 48,700 keys (a 512 KB frame that froze the host for 38 s), scenarios reading /proc/self/environ, and
 * one that asks for snapshots without ever reading the answers. Well-behaved: one client pinging every
 * 100 ms and playing the lab, which must get every answer.
 *
 * Bound: 400 MB RSS. The server idles at ~120 MB (node, tsx, the host and its default scenario); what
 * hostile clients can make it hold is bounded: a frame by 1 MiB, 8 calls of a client at once and 4 MiB
 * of its calls waiting (then reading from it pauses), 8 MiB queued for a client before it is dropped, 32
 * connections: ~120 + 32 x 8 MiB. Before those bounds, 3,000 snapshot calls from one client that never
 * read took the host to 480 MB, and one 512 KB scenario of 48,700 keys froze it for 38 s.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { openSocket, rssMb, stopSoak } from './soak.js';

const ROOT = resolve(import.meta.dirname, '../..');
const RSS_BOUND_MB = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let proc: ChildProcess | null = null;
const sockets: WebSocket[] = [];
afterAll(() => stopSoak(proc, sockets));

const open = (url: string) => openSocket(url, sockets);

describe('peerlab serve under a bounded soak', () => {
  it('answers a well-behaved client through hostile ones, within 400 MB', async () => {
    proc = spawn(process.execPath, [join(ROOT, 'bin/peerlab.mjs'), 'serve', '--port', '0', '--no-build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const { wsUrl, bare } = await new Promise<{ wsUrl: string; bare: string }>((res, rej) => {
      let out = '';
      const on = (d: Buffer) => {
        out += d;
        const m = /LabHost WebSocket (ws:\/\/127\.0\.0\.1:(\d+)\/host\?token=[\w-]+)/.exec(out);
        if (m) res({ wsUrl: m[1]!, bare: `ws://127.0.0.1:${m[2]}/host` });
      };
      proc!.stdout!.on('data', on);
      proc!.stderr!.on('data', on);
      proc!.once('exit', (c) => rej(new Error(`peerlab serve exited (${c}): ${out}`)));
    });
    const pid = proc.pid!;
    let maxRss = rssMb(pid);
    const sampler = setInterval(() => (maxRss = Math.max(maxRss, rssMb(pid))), 100);

    // the well-behaved client
    const good = await open(wsUrl);
    const answers = new Map<number, number>();
    const sentAt = new Map<number, number>();
    good.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; id?: number };
      if (f.type === 'result' && typeof f.id === 'number') answers.set(f.id, performance.now() - (sentAt.get(f.id) ?? 0));
    });
    const call = (id: number, cmd: string, args: unknown = {}) => {
      sentAt.set(id, performance.now());
      good.send(JSON.stringify({ type: 'call', id, cmd, args }));
    };
    call(1, 'lab.speed', { speed: 50 });
    call(2, 'lab.play');

    // hostile: no token; then places held
    await expect(open(bare)).rejects.toThrow(/401/);
    await Promise.all(Array.from({ length: 24 }, () => open(wsUrl).catch(() => null)));
    // hostile: a reader that never reads, asking for snapshots
    const stalled = await open(wsUrl);
    (stalled as unknown as { _socket: { pause(): void } })._socket.pause();
    for (let i = 0; i < 3000; i++) stalled.send(JSON.stringify({ type: 'call', id: i, cmd: 'lab.snapshot', args: {} }));
    // hostile: a pest with many kinds of bad frames, over and over
    const keys = `name: x\npeers: 10\nprotocol: { type: gossip }\nuntil: 1s\nworkload:\n${Array.from({ length: 48_700 }, (_, i) => `  k${i}: 1`).join('\n')}\n`;
    const frames = [
      '{not json',
      `{"type":"call","id":1,"cmd":"lab.load","args":{"text":${JSON.stringify('x'.repeat(1_200_000))}}}`,
      `{"type":"call","id":2,"cmd":"lab.speed","args":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      JSON.stringify({ type: 'call', id: 3, cmd: 'lab.load', args: { text: keys.slice(0, 1_000_000) } }),
      JSON.stringify({ type: 'call', id: 4, cmd: 'lab.load', args: { text: 'name: x\npeers: 5\nprotocol: { type: gossip }\nuntil: 1s\nchurn:\n  traceFile: /proc/self/environ\n' } }),
      JSON.stringify({ type: 'call', id: 5, cmd: 'lab.load', args: { text: 'name: x\npeers: *n\n' } }),
    ];
    let stop = false;
    let leaked = '';
    const pest = (async () => {
      for (let k = 0; !stop; k++) {
        const p = await open(wsUrl).catch(() => null);
        if (!p) continue;
        p.on('message', (d) => {
          if (/PATH=|HOME=/.test(d.toString())) leaked = d.toString().slice(0, 200);
        });
        p.send(frames[k % frames.length]!);
        await sleep(300);
        p.terminate();
      }
    })();

    const pings = 60;
    for (let i = 0; i < pings; i++) {
      call(100 + i, 'host.ping');
      await sleep(100);
    }
    const t0 = Date.now();
    while (answers.size < pings + 2 && Date.now() - t0 < 60_000) await sleep(100);
    stop = true;
    await pest;
    clearInterval(sampler);
    maxRss = Math.max(maxRss, rssMb(pid));
    const lat = [...answers.entries()].filter(([id]) => id >= 100).map(([, ms]) => ms).sort((a, b) => a - b);
    console.log(
      `peerlab serve soak: max RSS ${maxRss.toFixed(0)} MB (bound ${RSS_BOUND_MB} MB); ${answers.size}/${pings + 2} answers, ping p50 ${lat[Math.floor(lat.length / 2)]?.toFixed(0)} ms, max ${lat.at(-1)?.toFixed(0)} ms`,
    );

    expect(proc.exitCode).toBeNull();
    expect(leaked).toBe('');
    for (let i = 0; i < pings; i++) expect(answers.has(100 + i), `ping ${i}`).toBe(true);
    expect(maxRss).toBeLessThan(RSS_BOUND_MB);
  });
});
