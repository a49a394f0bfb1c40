// The WebSocket transport over real sockets on 127.0.0.1 (loopback only).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { HostFrame } from '../../src/host/contract.js';
import { createHost, type Host } from '../../src/host/index.js';
import { serveHost, type RunningServer } from '../../src/host/ws-server.js';
import { RUMOR_DRIVERS, RUMOR_YAML } from './fixtures/rumor.js';

const dir = mkdtempSync(join(tmpdir(), 'peerlab-ws-'));
mkdirSync(join(dir, 'scenarios'));
mkdirSync(join(dir, 'static', 'assets'), { recursive: true });
writeFileSync(join(dir, 'scenarios', 'rumor.yaml'), RUMOR_YAML);
writeFileSync(join(dir, 'static', 'index.html'), '<!doctype html><title>peerlab</title>');
writeFileSync(join(dir, 'static', 'assets', 'app.js'), 'console.log(1)');
writeFileSync(join(dir, 'secret.txt'), 'do not serve');

let host: Host;
let srv: RunningServer;
beforeAll(async () => {
  host = createHost({ scenariosDir: join(dir, 'scenarios'), driversModule: RUMOR_DRIVERS, defaultScenario: 'rumor', log: () => {}, publishEveryMs: 20 });
  await host.ready;
  srv = await serveHost({ host, port: 0, staticDir: join(dir, 'static') });
});
afterAll(async () => {
  await host.close();
  await srv.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client that collects frames and can wait for the next one matching a predicate. */
function client(headers: Record<string, string> = {}, url = srv.wsUrl) {
  const ws = new WebSocket(url, { headers });
  const frames: HostFrame[] = [];
  const waiters: { pred: (f: HostFrame) => boolean; resolve: (f: HostFrame) => void }[] = [];
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as HostFrame;
    frames.push(f);
    for (const w of [...waiters]) if (w.pred(f)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve(f);
    }
  });
  const opened = new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
    ws.once('unexpected-response', (_req, resp) => rej(new Error(`HTTP ${resp.statusCode}`)));
  });
  const next = (pred: (f: HostFrame) => boolean, ms = 5000) =>
    new Promise<HostFrame>((resolve, reject) => {
      const hit = frames.find(pred);
      if (hit) return resolve(hit);
      waiters.push({ pred, resolve });
      setTimeout(() => reject(new Error('timed out waiting for a frame')), ms);
    });
  const call = async (id: number, cmd: string, args?: unknown) => {
    ws.send(JSON.stringify({ type: 'call', id, cmd, args }));
    return next((f) => f.type !== 'event' && f.id === id);
  };
  return { ws, frames, opened, next, call };
}

function get(path: string, host = `127.0.0.1:${srv.port}`): Promise<{ status: number; body: string; csp: string | undefined; referrer: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, csp: res.headers['content-security-policy'] as string | undefined, referrer: res.headers['referrer-policy'] as string | undefined }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('WebSocket transport', () => {
  it('greets a client with the command list, then answers calls', async () => {
    const c = client();
    await c.opened;
    const hello = await c.next((f) => f.type === 'event' && f.event === 'host.hello');
    expect((hello as { data: { commands: string[] } }).data.commands).toEqual(expect.arrayContaining(['lab.play', 'lab.load', 'host.ping']));
    const st = await c.call(1, 'lab.state');
    expect(st).toMatchObject({ type: 'result', id: 1, result: { scenario: 'rumor-test', peers: 120 } });
    c.ws.close();
  });

  it('answers malformed JSON and an unknown command with errors naming the problem, and keeps serving every client', async () => {
    const bad = client();
    const good = client();
    await Promise.all([bad.opened, good.opened]);
    bad.ws.send('{not json');
    const e1 = await bad.next((f) => f.type === 'error' && f.error.code === 'bad_json');
    expect((e1 as { error: { message: string } }).error.message).toMatch(/not valid JSON/);
    const e2 = await bad.call(5, 'lab.teleport', {});
    expect(e2).toMatchObject({ type: 'error', id: 5, error: { code: 'unknown_command' } });
    expect((e2 as { error: { message: string } }).error.message).toMatch(/unknown command 'lab\.teleport'/);
    const e3 = await bad.call(6, 'lab.speed', { speed: 'fast' });
    expect(e3).toMatchObject({ error: { code: 'bad_args', issues: [{ path: 'args.speed' }] } });
    bad.ws.send(Buffer.from([1, 2, 3]));
    await bad.next((f) => f.type === 'error' && /binary/.test(f.error.message));
    // The same connection still works, and so does the other client.
    expect(await bad.call(7, 'host.ping')).toMatchObject({ type: 'result', result: { pong: true } });
    expect(await good.call(1, 'lab.state')).toMatchObject({ type: 'result' });
    bad.ws.close();
    good.ws.close();
  });

  it('streams counters and snapshots to every client while playing', async () => {
    const a = client();
    const b = client();
    await Promise.all([a.opened, b.opened]);
    await a.call(1, 'lab.reset');
    await a.call(2, 'lab.speed', { speed: 20 });
    await a.call(3, 'lab.play');
    const later = (f: HostFrame) => f.type === 'event' && f.event === 'lab.counters' && (f.data as { timeMs: number }).timeMs > 0;
    const [ca, cb] = await Promise.all([a.next(later), b.next(later)]);
    expect((ca as { data: { timeMs: number } }).data.timeMs).toBeGreaterThan(0);
    expect((cb as { data: { timeMs: number } }).data.timeMs).toBeGreaterThan(0);
    const snap = await b.next((f) => f.type === 'event' && f.event === 'lab.snapshot');
    expect((snap as { data: { totalPeers: number } }).data.totalPeers).toBe(120);
    const paused = await a.call(4, 'lab.pause');
    expect(paused).toMatchObject({ result: { running: false } });
    a.ws.close();
    b.ws.close();
  });

  it('refuses WebSocket connections from other web origins and non-loopback Host headers', async () => {
    await expect(client({ origin: 'https://evil.example' }).opened).rejects.toThrow(/403/);
    await expect(client({ host: 'evil.example' }).opened).rejects.toThrow(/403/);
    const ok = client({ origin: `http://127.0.0.1:${srv.port}` });
    await ok.opened;
    ok.ws.close();
  });

  it('refuses a client without the per-start token, whatever its Origin (a local process is no window of ours)', async () => {
    expect(srv.wsUrl).toMatch(/\/host\?token=[\w-]{32}$/);
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/?token=${srv.token}`);
    const bare = `ws://127.0.0.1:${srv.port}/host`;
    await expect(client({}, bare).opened).rejects.toThrow(/401/);
    await expect(client({ origin: srv.origin }, bare).opened).rejects.toThrow(/401/);
    await expect(client({}, `${bare}?token=${'x'.repeat(srv.token.length)}`).opened).rejects.toThrow(/401/);
    await expect(client({}, `${bare}?token=${srv.token}x`).opened).rejects.toThrow(/401/);
    const ok = client();
    await ok.opened;
    ok.ws.close();
  });

  it('bounds connections, and drops a client that stops reading instead of queueing for it without end', async () => {
    const h2 = createHost({ scenariosDir: join(dir, 'scenarios'), driversModule: RUMOR_DRIVERS, defaultScenario: 'rumor', log: () => {}, publishEveryMs: 20 });
    const s2 = await serveHost({ host: h2, port: 0, staticDir: null, maxClients: 3, maxClientBufferedBytes: 256 * 1024, maxBufferedBytes: 64 * 1024 });
    try {
      const held = [client({}, s2.wsUrl), client({}, s2.wsUrl), client({}, s2.wsUrl)];
      await Promise.all(held.map((c) => c.opened));
      await expect(client({}, s2.wsUrl).opened).rejects.toThrow(/503/);
      // one of them asks and asks but never reads the answers (snapshots of 120 peers, ~10 KB each)
      const stalled = held[0]!;
      (stalled.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      for (let i = 0; i < 3000; i++) stalled.ws.send(JSON.stringify({ type: 'call', id: i, cmd: 'lab.snapshot', args: {} }));
      const live = held[1]!;
      const t0 = Date.now();
      for (let i = 0; Date.now() - t0 < 60_000 && h2.router.clients > 2; i++) {
        await live.call(10 + i, 'host.ping');
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(h2.router.clients).toBe(2); // the stalled one is gone, the reading ones stay
      expect(await live.call(5000, 'host.ping')).toMatchObject({ type: 'result', result: { pong: true } });
      for (const c of held.slice(1)) c.ws.close();
    } finally {
      await h2.close();
      await s2.close();
    }
  });

  it('serves the renderer with a CSP and nothing outside its folder', async () => {
    const index = await get('/');
    expect(index.status).toBe(200);
    expect(index.body).toContain('<title>peerlab</title>');
    expect(index.csp).toMatch(/default-src 'self'/);
    expect(index.referrer).toBe('no-referrer');
    expect((await get('/assets/app.js')).status).toBe(200);
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt']) {
      const r = await get(path);
      expect(r.status, path).toBeGreaterThanOrEqual(400);
      expect(r.body).not.toContain('do not serve');
    }
    expect((await get('/missing.js')).status).toBe(404);
    expect((await get('/', 'attacker.example')).status).toBe(421);
  });
});
