import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SignalingServer } from '../../src/live/signaling/server.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'stock-ywebrtc-client.mjs');
const servers: SignalingServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(): Promise<SignalingServer> {
  const s = new SignalingServer();
  await s.listen();
  servers.push(s);
  return s;
}

function connect(url: string): Promise<{ ws: WebSocket; inbox: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const inbox: unknown[] = [];
    const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
    ws.on('message', (d) => inbox.push(JSON.parse(d.toString())));
    ws.on('open', () => resolve({ ws, inbox, closed }));
    ws.on('error', reject);
  });
}
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

function runClient(args: string[]): Promise<{ code: number; out: { text: string } }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code: code ?? -1, out: JSON.parse(out.trim().split('\n').at(-1) || '{}') }));
  });
}

describe('signaling server (y-webrtc protocol)', () => {
  it('binds loopback by default and relays publish to the subscribers of a topic', async () => {
    const s = await server();
    expect(s.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const a = await connect(s.url);
    const b = await connect(s.url);
    const c = await connect(s.url);
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));
    b.ws.send(JSON.stringify({ type: 'subscribe', topics: ['room'] }));
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['other'] }));
    await tick();
    a.ws.send(JSON.stringify({ type: 'publish', topic: 'room', data: { hello: 1 } }));
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await tick();
    expect(a.inbox).toEqual([{ type: 'publish', topic: 'room', data: { hello: 1 }, clients: 2 }]);
    expect(b.inbox).toEqual(a.inbox);
    expect(c.inbox).toEqual([{ type: 'pong' }]);
    b.ws.send(JSON.stringify({ type: 'unsubscribe', topics: ['room'] }));
    await tick();
    a.ws.send(JSON.stringify({ type: 'publish', topic: 'room', data: 2 }));
    await tick();
    expect(b.inbox.length).toBe(1);
    expect(a.inbox.length).toBe(2);
    for (const x of [a, b, c]) x.ws.close();
  });

  it('closes only the connection that sends garbage or oversize messages, and counts it', async () => {
    const s = new SignalingServer({ maxMessageBytes: 4096 });
    await s.listen();
    servers.push(s);
    const good = await connect(s.url);
    good.ws.send(JSON.stringify({ type: 'subscribe', topics: ['r'] }));
    const bad1 = await connect(s.url);
    bad1.ws.send('{not json');
    const bad2 = await connect(s.url);
    bad2.ws.send(JSON.stringify({ type: 'subscribe', topics: [1, 2] }));
    const bad3 = await connect(s.url);
    bad3.ws.send(JSON.stringify({ type: 'publish', topic: 'r', data: 'x'.repeat(10_000) }));
    expect(await bad1.closed).toBe(1008);
    expect(await bad2.closed).toBe(1008);
    expect(await bad3.closed).toBe(1009); // ws: message too big
    expect(s.stats.rejected).toBe(2);
    good.ws.send(JSON.stringify({ type: 'publish', topic: 'r', data: 'still here' }));
    await tick();
    expect(good.inbox).toEqual([{ type: 'publish', topic: 'r', data: 'still here', clients: 1 }]);
    good.ws.close();
  });

  it('two stock y-webrtc clients (npm package, with a password) co-edit through it', async () => {
    const s = await server();
    const [a, b] = await Promise.all([
      runClient([s.url, 'stock-room', 's3cret', 'from-A;', 'from-B;']),
      runClient([s.url, 'stock-room', 's3cret', 'from-B;', 'from-A;']),
    ]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.out.text).toBe(b.out.text);
    expect(a.out.text).toContain('from-A;');
    expect(a.out.text).toContain('from-B;');
    // the room topic carried only encrypted signaling (y-webrtc base64-encodes AES-GCM when a password is set)
    expect(s.stats.published).toBeGreaterThan(1);
  });
});
