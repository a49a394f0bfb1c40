/**
 * Live peers through a real TURN server: coturn (Debian package) on loopback, peers forced to relay-only
 * ICE, configured through the host's `live` group as a user would (Room settings). With time-limited
 * credentials minted from the TURN secret (TURN REST), Node peers link and converge through the relay,
 * a Chromium window joins through it with what `live.join` gives it, and the Node peers converge again
 * in y-webrtc mode; an expired credential, a wrong one, and a server that is not
 * there each put a clear error on the peer's row instead of leaving it silently unlinked. The secret
 * and the credentials never appear on a command line, in a peer's environment, or in `live.info`.
 * Run inside `unshare -n` (loopback only) like the rest of test/live.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { livePlugin } from '../../src/host/live/plugin.js';
import { HostRouter } from '../../src/host/router.js';
import { RelayCheck } from '../../src/live/ice.js';
import { PeerProcess } from '../../src/live/peer-process-client.js';
import { nodeWrtc } from '../../src/live/rtc-node.js';
import { turnRestCredential } from '../../src/live/turn-rest.js';
import { sleep, tmpDir } from './helpers.js';
import { servePeerPages, startPage } from './pages.js';

const SECRET = 'peerlab-test-shared-secret-4f9a';

function hasCoturn(): boolean {
  try {
    execFileSync('turnserver', ['--help'], { stdio: 'ignore' });
    return true;
  } catch (e) {
    // --help exits non-zero on some versions; only a missing binary is missing
    return (e as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Coturn {
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** coturn on 127.0.0.1 with TURN REST auth; the secret is in a 0600 config file, not on its command line. */
async function startCoturn(): Promise<Coturn> {
  const dir = tmpDir('peerlab-coturn-');
  const port = await freeUdpPort();
  const conf = join(dir, 'turnserver.conf');
  writeFileSync(
    conf,
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      'use-auth-secret',
      `static-auth-secret=${SECRET}`,
      'realm=peerlab.test',
      // the peers are on loopback too: coturn refuses loopback peers unless told (a test-only setting)
      'allow-loopback-peers',
      'no-cli',
      'no-tls',
      'no-dtls',
      'fingerprint',
      'verbose',
      'log-file=stdout',
      `userdb=${join(dir, 'turndb')}`,
      `pidfile=${join(dir, 'turnserver.pid')}`,
    ].join('\n'),
  );
  chmodSync(conf, 0o600);
  const child: ChildProcess = spawn('turnserver', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout?.on('data', (b: Buffer) => (log += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (log += b.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // ready when a relay check through it succeeds (its listeners open after the log says so)
  const ice = { iceServers: [{ urls: [`turn:127.0.0.1:${port}`], ...turnRestCredential(SECRET, 'probe', 600) }], iceTransportPolicy: 'relay' as const };
  const wrtc = nodeWrtc({ ...ice, offerCandidates: 'at-once' });
  for (let i = 0; ; i++) {
    const check = new RelayCheck(wrtc.RTCPeerConnection, ice, { timeoutMs: 2000, retryMs: 60_000 });
    while (check.status().state === 'checking') await sleep(50);
    const ok = check.status().state === 'ok';
    check.close();
    if (ok) break;
    if (i > 40 || child.exitCode !== null) throw new Error(`coturn did not come up on 127.0.0.1:${port}:\n${log.slice(-3000)}`);
    await sleep(250);
  }
  return {
    port,
    log: () => log,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(3000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

interface Row {
  id: number;
  name: string;
  alive: boolean;
  docs: { length: number }[];
  links: { peer: number; open: boolean }[];
  error?: string | null;
}

/** A LabHost `live` group of its own (as the dashboard drives it), with `secret` as the host's TURN secret. */
function host(room: string, secret: string | null, ttlSec?: number) {
  const router = new HostRouter();
  const plugin = livePlugin({ dataDir: tmpDir(), room, turnSecret: secret, ...(ttlSec !== undefined ? { turnTtlSec: ttlSec } : {}) }).mount({ router, emit: () => {} });
  let n = 0;
  const call = async <T = Record<string, unknown>>(cmd: string, args: unknown = {}): Promise<T> => {
    const f = await router.handleFrame({ type: 'call', id: ++n, cmd, args });
    if (f.type !== 'result') throw new Error(`${cmd}: ${JSON.stringify(f)}`);
    return f.result as T;
  };
  const rows = async () => (await call<{ peers: Row[] }>('live.peers')).peers;
  return { call, rows, router, close: () => plugin.close() };
}

async function until<T>(what: string, timeoutMs: number, f: () => Promise<T | null | undefined | false>): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

describe('live peers through a TURN relay (coturn on loopback)', () => {
  let turn: Coturn;
  beforeAll(async () => {
    if (!hasCoturn()) throw new Error('coturn is not installed: apt-get install -y coturn (.ci/run does it)');
    turn = await startCoturn();
  }, 60_000);
  afterAll(async () => {
    await turn?.stop();
  });

  it('relay-only Node peers with time-limited TURN REST credentials link and converge through coturn, in both modes', async () => {
    const h = host('relayroom', SECRET);
    try {
      // the room runs with trust (the Live view's default): the Node peers and the window prove their keys over the relay
      const info = await h.call<{ ice: unknown; trust: boolean }>('live.configure', {
        ice: { servers: [{ urls: `turn:127.0.0.1:${turn.port}`, auth: 'rest' }], policy: 'relay' },
      });
      expect(info.trust).toBe(true);
      expect(info.ice).toEqual({ servers: [{ urls: [`turn:127.0.0.1:${turn.port}`], auth: 'rest' }], policy: 'relay' });
      const ids: number[] = [];
      for (const name of ['relay-a', 'relay-b', 'relay-c']) ids.push((await h.call<{ id: number }>('live.addPeer', { name })).id);
      for (const id of ids) await h.call('live.type', { id, doc: 'main', count: 15, intervalMs: 10 });
      const converged = async (min: number) =>
        until(`3 peers converged on >= ${min} chars`, 60_000, async () => {
          const r = await h.rows();
          const lens = r.map((p) => p.docs[0]?.length ?? -1);
          return r.length === 3 && lens[0]! >= min && lens.every((l) => l === lens[0]) && r.every((p) => p.links.some((l) => l.open)) ? r : null;
        });
      const rows = await converged(30);
      for (const r of rows) expect(r.error ?? null, r.name).toBeNull();
      // the relay carried them: coturn allocated for the minted usernames (expiry:room-peer) and relayed data
      const log = turn.log();
      for (const name of ['relay-a', 'relay-b', 'relay-c']) expect(log).toMatch(new RegExp(`user <\\d+:relayroom-${name}>`));
      expect(log).toMatch(/(CHANNEL_BIND|CREATE_PERMISSION) processed, success/);

      // a window joins as the dashboard's own does: room, signaling and rtcConfig (minted credentials) from live.join
      const join = await h.call<{ room: string; signalingUrl: string; trust: boolean; rtcConfig: { iceServers: { username?: string }[]; iceTransportPolicy: string } }>('live.join');
      expect(join.trust).toBe(true);
      expect(join.rtcConfig.iceTransportPolicy).toBe('relay');
      expect(join.rtcConfig.iceServers[0]?.username).toMatch(/^\d+:relayroom-window$/);
      const pages = await servePeerPages();
      try {
        const page = await pages.open();
        const windowId = await startPage(page, pages.origin, { room: join.room, signaling: join.signalingUrl, mode: 'overlay', persist: false, rtcConfig: join.rtcConfig, trust: join.trust });
        const nodeText = async () => (await h.rows())[0]!.docs[0]!.length;
        await until('the window to converge through the relay', 60_000, async () => {
          const len = await page.evaluate(() => (window as never as { peerlab: { text(d: string): string } }).peerlab.text('main').length);
          return len > 0 && len === (await nodeText());
        });
        const st = await page.evaluate(
          () => (window as never as { peerlab: { state(): { error: string | null; links: { open: boolean }[]; trust: { stats: { keysProved: number; cuts: number } } | null } } }).peerlab.state(),
        );
        expect(st.error).toBeNull();
        expect(st.links.some((l) => l.open)).toBe(true);
        // the window linked on proof of its key, and a Node peer took it for the key's peer
        expect(st.trust?.stats.keysProved).toBeGreaterThan(0);
        expect(st.trust?.stats.cuts).toBe(0);
        await until('a Node peer to hold an open link to the window', 10_000, async () => (await h.rows()).some((r) => r.links.some((l) => l.peer === windowId && l.open)));
        expect(turn.log()).toMatch(/user <\d+:relayroom-window>/);
      } finally {
        await pages.close();
      }

      // y-webrtc mode: simple-peer's connections take the same relay-only settings
      await h.call('live.setMode', { mode: 'ywebrtc' });
      for (const id of ids) await h.call('live.type', { id, doc: 'main', count: 5, intervalMs: 10 });
      const before = rows[0]!.docs[0]!.length;
      await converged(before + 1);
    } finally {
      await h.close();
    }
  }, 180_000);

  it('a TURN server that is not there, an expired credential, a wrong one: an error on the peer row, not a silent hang', async () => {
    const deadPort = await freeUdpPort();
    const cases: { label: string; secret: string | null; ttl?: number; servers: unknown[]; error: RegExp }[] = [
      { label: 'down', secret: SECRET, servers: [{ urls: `turn:127.0.0.1:${deadPort}`, auth: 'rest' }], error: /no relay address within 10 s \(server down or unreachable from here\?\)/ },
      { label: 'expired', secret: SECRET, ttl: -60, servers: [{ urls: `turn:127.0.0.1:${turn.port}`, auth: 'rest' }], error: /no relay address \(gathering ended after \d+ ms: credentials refused or expired/ },
      { label: 'wrong', secret: null, servers: [{ urls: `turn:127.0.0.1:${turn.port}`, username: '1999999999:someone', credential: 'not-the-hmac' }], error: /credentials refused or expired/ },
    ];
    const hosts = cases.map((c) => host(`bad-${c.label}`, c.secret, c.ttl));
    try {
      await Promise.all(
        cases.map(async (c, i) => {
          const h = hosts[i]!;
          await h.call('live.configure', { ice: { servers: c.servers, policy: 'relay' } });
          const a = await h.call<{ id: number }>('live.addPeer', { name: `${c.label}-1` });
          const row = await until(`an error on ${c.label}'s row`, 25_000, async () => (await h.rows()).find((r) => r.id === a.id && r.error));
          expect(row.error, c.label).toMatch(c.error);
          expect(row.error, c.label).toContain(`127.0.0.1:${c.label === 'down' ? deadPort : turn.port}`);
          expect(row.alive).toBe(true);
        }),
      );
    } finally {
      await Promise.all(hosts.map((h) => h.close()));
    }
  }, 120_000);
});

describe('ICE settings and their secrets', () => {
  it('REST credentials need the host secret; bad servers are refused with the path; the room is left as it was', async () => {
    const h = host('settings', null);
    try {
      const refuse = async (args: unknown, message: RegExp) => {
        const f = await h.router.handleFrame({ type: 'call', id: 1, cmd: 'live.configure', args });
        expect(f.type, JSON.stringify(args)).toBe('error');
        expect(JSON.stringify(f)).toMatch(message);
      };
      await refuse({ ice: { servers: [{ urls: 'turn:127.0.0.1:3478', auth: 'rest' }] } }, /need the TURN server's shared secret on the host: set PEERLAB_TURN_SECRET_FILE/);
      await refuse({ ice: { servers: [{ urls: 'turn:127.0.0.1:3478' }] } }, /ice\.servers\[0\]: a TURN server needs a username and a credential/);
      await refuse({ ice: { servers: [{ urls: ['stun:127.0.0.1', 'http://x'] }] } }, /ice\.servers\[0\]\.urls\[1\]: expected stun:HOST/);
      await refuse({ ice: { servers: [{ urls: 'stun:127.0.0.1', auth: 'rest' }] } }, /auth 'rest' is for TURN URLs/);
      await refuse({ ice: { servers: [], policy: 'direct' } }, /policy/);
      await refuse({ bindAddress: 'eth0' }, /bindAddress: expected an IP address/);
      const info = await h.call<{ ice: unknown; bindAddress: string; turnSecret: boolean }>('live.info');
      expect(info).toMatchObject({ ice: { servers: [], policy: 'all' }, bindAddress: '127.0.0.1', turnSecret: false });
    } finally {
      await h.close();
    }
  });

  it('live.info shows URLs only; live.join gives the windows credentials; a peer process gets them over IPC, not argv or env', async () => {
    const h = host('secrets', SECRET);
    const url = 'turn:127.0.0.1:3478';
    process.env.PEERLAB_TURN_SECRET = SECRET;
    try {
      await h.call('live.configure', { password: 'room-password-1', ice: { servers: [{ urls: url, auth: 'rest' }, { urls: 'turn:127.0.0.1:3479?transport=tcp', username: 'static-user', credential: 'static-credential-1' }] } });
      const info = JSON.stringify(await h.call('live.info'));
      expect(info).toContain(url);
      for (const secret of [SECRET, 'static-credential-1', 'room-password-1']) expect(info).not.toContain(secret);
      const join = await h.call<{ rtcConfig: { iceServers: { urls: string[]; username?: string; credential?: string }[] } }>('live.join');
      const minted = join.rtcConfig.iceServers[0]!;
      expect(minted.username).toMatch(/^\d+:secrets-window$/);
      const expiry = Number(minted.username!.split(':')[0]);
      expect(expiry - Date.now() / 1000).toBeGreaterThan(23 * 3600);
      expect(minted.credential).toBe(turnRestCredential(SECRET, 'secrets-window', 0, expiry * 1000).credential);
      expect(JSON.stringify(join)).not.toContain(SECRET);

      // a peer process as the host starts it: config over IPC, the secret variable not inherited
      const p = new PeerProcess({ room: 'secrets', signaling: 'ws://127.0.0.1:9', password: 'room-password-1', iceServers: [{ urls: [url], username: '123:x', credential: 'minted-credential-1' }], iceTransportPolicy: 'relay', docs: [] });
      await p.ready;
      try {
        const pid = p.child.pid as number;
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
        for (const s of ['room-password-1', 'minted-credential-1', SECRET]) {
          expect(cmdline).not.toContain(s);
          expect(environ).not.toContain(s);
        }
        expect(environ).not.toContain('PEERLAB_TURN_SECRET');
        // and it runs with them: its relay check reports on the configured server
        const st = await p.state();
        expect(st.ice.state).not.toBe('off');
      } finally {
        await p.close();
      }
    } finally {
      delete process.env.PEERLAB_TURN_SECRET;
      await h.close();
    }
  });

  it('a peer process given bad ICE settings says why it could not start', async () => {
    const p = new PeerProcess({ room: 'x', signaling: 'ws://127.0.0.1:9', iceServers: [{ urls: ['turn:127.0.0.1'] }], docs: [] });
    await expect(p.ready).rejects.toThrow(/peer process could not start: iceServers\[0\]: a TURN server needs a username and a credential/);
  });
});
