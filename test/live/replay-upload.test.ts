/**
 * A big recording uploaded for replay to the real `peerlab serve` (loopback): 84 MB in parts of 768 Ki
 * characters, as the dashboard sends it. The host checks each part as it comes and keeps frames as
 * their text, so its resident memory grows by less than twice the file (the whole text, then every
 * parsed frame, used to take it from 286 MB to 2.4 GB); the replay then shows any frame.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rssMb, stopSoak } from './soak.js';

const ROOT = resolve(import.meta.dirname, '../..');
let proc: ChildProcess | null = null;
afterAll(() => stopSoak(proc, []));

/** A valid recording of `frames` keyframes of 60 peers each (~4.2 KB a frame). */
function bigRecording(frames: number): string {
  const header = {
    format: 'peerlab-recording',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    scenario: { name: 'big', protocol: 'gossip', peers: 60, source: '<test>', text: 'name: big\n' },
    seed: 1,
    untilMs: frames * 100,
    untilComplete: false,
    everyMs: 100,
    maxPeers: 60,
    keyframeEvery: 1,
  };
  const out: string[] = [JSON.stringify(header)];
  for (let i = 0; i < frames; i++) {
    const peers = Array.from({ length: 60 }, (_, id) => ({ id, alive: true, state: id % 7 === i % 7 ? 'infected' : 'susceptible', value: 0.5, x: ((id * 37) % 100) / 100, y: ((id * 61) % 100) / 100 }));
    const links = Array.from({ length: 60 }, (_, id) => [id, (id + 1 + (i % 5)) % 60]);
    out.push(JSON.stringify({ type: 'frame', i, timeMs: i * 100, counters: { timeMs: i * 100, events: i, online: 60, sent: i, delivered: i, dropped: 0, bytesSent: i * 64, summary: { reached: 0.5 } }, key: { peers, links } }));
  }
  out.push(JSON.stringify({ reason: 'stopped', done: false, endReason: null, series: { reached: { t: [0], v: [0] } }, type: 'end', frames, timeMs: (frames - 1) * 100 }));
  return `${out.join('\n')}\n`;
}

describe('replay upload to peerlab serve', () => {
  it('an 84 MB recording in 768 Ki parts: host memory grows by less than twice the file, and it replays', async () => {
    proc = spawn(process.execPath, [join(ROOT, 'bin/peerlab.mjs'), 'serve', '--port', '0', '--no-build'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const wsUrl = await new Promise<string>((res, rej) => {
      let out = '';
      const on = (d: Buffer) => {
        out += d;
        const m = /LabHost WebSocket (ws:\/\/\S+token=[\w-]+)/.exec(out);
        if (m) res(m[1]!);
      };
      proc!.stdout!.on('data', on);
      proc!.stderr!.on('data', on);
      proc!.once('exit', (c) => rej(new Error(`peerlab serve exited (${c}): ${out}`)));
    });
    const text = bigRecording(17_000);
    const fileMb = text.length / 1024 / 1024;
    expect(fileMb).toBeGreaterThan(80);
    const ws = new WebSocket(wsUrl);
    await new Promise((r) => ws.once('open', r));
    const pending = new Map<number, (f: { type: string; result?: { replay?: { frames: number } | null }; error?: { message: string } }) => void>();
    ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; id?: number };
      if (f.type !== 'event' && typeof f.id === 'number') pending.get(f.id)?.(f as never);
    });
    let id = 0;
    const call = (cmd: string, args: unknown) =>
      new Promise<{ type: string; result?: { replay?: { frames: number } | null; timeMs?: number }; error?: { message: string } }>((r) => {
        pending.set(++id, r);
        ws.send(JSON.stringify({ type: 'call', id, cmd, args }));
      });
    await call('lab.pause', {});
    await new Promise((r) => setTimeout(r, 1000));
    const pid = proc.pid!;
    const before = rssMb(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
    const PART = 768 * 1024;
    const parts = Math.ceil(text.length / PART);
    let last: Awaited<ReturnType<typeof call>> | null = null;
    for (let i = 0; i < parts; i++) {
      last = await call('lab.replay.open', { name: 'big.peerlab.jsonl', part: i, parts, text: text.slice(i * PART, (i + 1) * PART) });
      expect(last.type, JSON.stringify(last.error)).toBe('result');
    }
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(pid));
    console.log(`replay upload: ${fileMb.toFixed(1)} MB file; host RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MB (+${(peak - before).toFixed(0)} MB, bound +${(2 * fileMb).toFixed(0)} MB)`);
    expect(last!.result!.replay!.frames).toBe(17_000);
    expect(peak - before).toBeLessThan(2 * fileMb);
    const seek = await call('lab.seek', { timeMs: 1_234_500 });
    expect(seek.result!.timeMs).toBe(1_234_500);
    const snap = (await call('lab.snapshot', {})) as { result?: { peers: { state: string }[]; timeMs: number } };
    expect(snap.result!.timeMs).toBe(1_234_500);
    expect(snap.result!.peers.filter((p) => p.state === 'infected').map((p) => (p as unknown as { id: number }).id)).toEqual(
      Array.from({ length: 60 }, (_, id) => id).filter((id) => id % 7 === 12_345 % 7),
    );
    ws.close();
  });
});
