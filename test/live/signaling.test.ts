/**
 * The signaling server as its clients see it: relay by topic, and every bound a hostile client can hit
 * (message size, nesting depth, topics, topic length, connections, silence on pings, a receiver that does
 * not read, a sender that floods) costs that client its connection or its speed, never the server or the
 * other clients. Also: two stock y-webrtc clients with a password co-edit through it over one connection
 * (one offer, one answer: no reconnect), and the room's topic carries only AES-GCM ciphertext.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decryptJson, deriveKey } from '../../src/live/signaling/crypto.js';
import { SignalingServer, type SignalingOptions } from '../../src/live/signaling/server.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'stock-ywebrtc-client.mjs');
const servers: SignalingServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(opts: SignalingOptions = {}): Promise<SignalingServer> {
  const s = new SignalingServer(opts);
  await s.listen();
  servers.push(s);
  return s;
}

function connect(url: string, opts: WebSocket.ClientOptions = {}): Promise<{ ws: WebSocket; inbox: unknown[]; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts);
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
    const p = spawn(process.execPath, ['--import', 'tsx', FIXTURE, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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

  it('a message nested 6,000 deep closes its sender (counted); the server and the other clients go on', async () => {
    const s = await server();
    const good = await connect(s.url);
    good.ws.send(JSON.stringify({ type: 'subscribe', topics: ['r'] }));
    const bad = await connect(s.url);
    bad.ws.send(JSON.stringify({ type: 'subscribe', topics: ['r'] }));
    await tick();
    // 12 KB of text: JSON.parse takes it; forwarding it (JSON.stringify) overflowed the stack and ended the server
    bad.ws.send(`{"type":"publish","topic":"r","data":${'['.repeat(6000)}${']'.repeat(6000)}}`);
    expect(await bad.closed).toBe(1008);
    expect(s.stats.rejected).toBe(1);
    // 32 levels is the bound: a message exactly that deep is still relayed
    const nest = (d: number): unknown => (d === 0 ? 1 : [nest(d - 1)]);
    good.ws.send(JSON.stringify({ type: 'publish', topic: 'r', data: nest(30) }));
    await tick(200);
    expect(good.inbox).toEqual([{ type: 'publish', topic: 'r', data: nest(30), clients: 1 }]);
    good.ws.close();
  });

  it('topics per connection and topic length are bounded: past either, that connection is closed and counted', async () => {
    const s = await server({ maxTopicsPerConn: 4, maxTopicLength: 16 });
    const a = await connect(s.url);
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['t1', 't2', 't3', 't4'] }));
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['t1'] })); // already held: no new topic
    await tick();
    expect(s.stats.topics).toBe(4);
    a.ws.send(JSON.stringify({ type: 'subscribe', topics: ['t5'] }));
    expect(await a.closed).toBe(1008);
    await tick();
    expect(s.stats.topics).toBe(0); // its topics are released with it
    const b = await connect(s.url);
    b.ws.send(JSON.stringify({ type: 'subscribe', topics: ['u1', 'u2', 'u3', 'u4', 'u5'] })); // five in one message
    expect(await b.closed).toBe(1008);
    const c = await connect(s.url);
    c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['x'.repeat(17)] }));
    expect(await c.closed).toBe(1008);
    const d = await connect(s.url);
    d.ws.send(JSON.stringify({ type: 'publish', topic: 'x'.repeat(17), data: 1 }));
    expect(await d.closed).toBe(1008);
    expect(s.stats.rejected).toBe(4);
  });

  it('connections are bounded: one past the cap is closed with 1013, and a place freed is taken again', async () => {
    const s = await server({ maxConnections: 3 });
    const held = await Promise.all([connect(s.url), connect(s.url), connect(s.url)]);
    const extra = await connect(s.url);
    expect(await extra.closed).toBe(1013);
    held[0]!.ws.close();
    await held[0]!.closed;
    await tick();
    const again = await connect(s.url);
    again.ws.send(JSON.stringify({ type: 'ping' }));
    await tick(200);
    expect(again.inbox).toEqual([{ type: 'pong' }]);
    for (const c of [...held.slice(1), again]) c.ws.close();
  });

  it('a client that stops answering pings is closed within two intervals; one that answers stays', async () => {
    const s = await server({ pingIntervalMs: 100 });
    const mute = await connect(s.url, { autoPong: false });
    const live = await connect(s.url);
    const t0 = Date.now();
    expect(await mute.closed).toBe(1006); // terminated, no close frame
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(100);
    expect(took).toBeLessThan(5000);
    await tick(500); // five more intervals
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    live.ws.close();
  });

  it('a subscriber that does not read is dropped past its buffer bound; one that reads gets every message', async () => {
    const s = await server({ maxBufferedBytes: 256 * 1024, maxBytesPerSecond: 1024 ** 3 });
    const reader = await connect(s.url);
    const stalled = await Promise.all([connect(s.url), connect(s.url), connect(s.url)]);
    for (const c of [reader, ...stalled]) c.ws.send(JSON.stringify({ type: 'subscribe', topics: ['big'] }));
    await tick();
    // the stalled ones stop reading their socket: what the server sends them piles up on its side
    for (const c of stalled) (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const pub = await connect(s.url);
    const chunk = 'x'.repeat(60 * 1024);
    // The publisher keeps at most WINDOW messages ahead of the reader (120 KB, under its 256 KiB bound),
    // so the reader stays within its bound however slowly this loaded machine lets it read; the stalled
    // ones fall behind without limit. It publishes until all three are dropped (the kernel's socket
    // buffers take a few MB of each first), and at least MIN messages.
    const WINDOW = 2;
    const MIN = 200;
    const MAX = 2000; // 120 MB towards each stalled subscriber: far past any socket buffer
    let sent = 0;
    while ((sent < MIN || s.stats.dropped < 3) && sent < MAX) {
      while (reader.inbox.length < sent - WINDOW + 1) await tick(5);
      pub.ws.send(JSON.stringify({ type: 'publish', topic: 'big', data: { i: sent, chunk } }));
      sent++;
    }
    while (reader.inbox.length < sent) await tick(20);
    expect(sent, 'messages published before the stalled subscribers were dropped').toBeLessThan(MAX);
    expect(reader.inbox.map((m) => (m as { data: { i: number } }).data.i)).toEqual(Array.from({ length: sent }, (_, i) => i));
    expect(s.stats.dropped).toBe(3);
    expect(s.stats.connections).toBe(2); // the reader and the publisher
    reader.ws.close();
    pub.ws.close();
  });

  it('a flooding sender is slowed to its byte rate (reading from it pauses) instead of outrunning the others', async () => {
    const s = await server({ maxBytesPerSecond: 200 * 1024, burstBytes: 256 * 1024, maxBufferedBytes: 8 * 1024 * 1024 });
    const reader = await connect(s.url);
    reader.ws.send(JSON.stringify({ type: 'subscribe', topics: ['f'] }));
    await tick();
    const flood = await connect(s.url);
    const chunk = 'y'.repeat(50 * 1024);
    for (let i = 0; i < 20; i++) flood.ws.send(JSON.stringify({ type: 'publish', topic: 'f', data: { i, chunk } })); // 1 MB at once
    await tick(1000);
    // 256 KiB of burst + 200 KiB/s: about 9 of the 20 messages in the first second, not all of them
    expect(reader.inbox.length).toBeGreaterThanOrEqual(1);
    expect(reader.inbox.length).toBeLessThan(20);
    const t0 = Date.now();
    while (reader.inbox.length < 20 && Date.now() - t0 < 30_000) await tick(100);
    expect(reader.inbox.length).toBe(20); // slowed, not dropped: everything arrives, in order
    expect(reader.inbox.map((m) => (m as { data: { i: number } }).data.i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    reader.ws.close();
    flood.ws.close();
  });

  it('two stock y-webrtc clients (npm package, with a password) co-edit through it over one connection, and the room topic carries only ciphertext', async () => {
    const s = await server();
    // a third client on the room's topic sees everything the two publish there
    const spy = await connect(s.url);
    spy.ws.send(JSON.stringify({ type: 'subscribe', topics: ['stock-room'] }));
    await tick();
    // B starts once A has announced (stock y-webrtc cannot settle a glare; see the fixture), so A offers once
    const runA = runClient([s.url, 'stock-room', 's3cret', 'from-A;', 'from-B;']);
    while (spy.inbox.length === 0) await tick();
    const [a, b] = await Promise.all([runA, runClient([s.url, 'stock-room', 's3cret', 'from-B;', 'from-A;'])]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.out.text).toBe(b.out.text);
    expect(a.out.text).toContain('from-A;');
    expect(a.out.text).toContain('from-B;');
    // every message on the room topic was y-webrtc's AES-GCM frame (varString 'AES-GCM' | iv | cipher, base64),
    // at least an announce from each and an offer and an answer, and none carried readable signaling
    const seen = spy.inbox as { type: string; topic: string; data: unknown }[];
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const m of seen) {
      expect(m.type).toBe('publish');
      expect(typeof m.data).toBe('string');
      const dec = decoding.createDecoder(Buffer.from(m.data as string, 'base64'));
      expect(decoding.readVarString(dec)).toBe('AES-GCM');
      expect(decoding.readVarUint8Array(dec).length).toBe(12); // the IV
      expect(decoding.readVarUint8Array(dec).length).toBeGreaterThan(16); // ciphertext and GCM tag
      expect(JSON.stringify(m)).not.toMatch(/announce|offer|answer|sdp|candidate/);
    }
    // read with the password: one offer, one answer (one connection, made once)
    const key = await deriveKey('s3cret', 'stock-room');
    const kinds = await Promise.all(seen.map(async (m) => ((await decryptJson(m.data, key)) as { signal?: { type?: string } }).signal?.type));
    expect(kinds.filter((k) => k === 'offer').length).toBe(1);
    expect(kinds.filter((k) => k === 'answer').length).toBe(1);
    spy.ws.close();
  });
});
