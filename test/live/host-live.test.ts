/**
 * The live group on the LabHost router: add Node peers, they link up and sync; kill one (SIGKILL),
 * restart it from its log; switch the room's sync mode; bad arguments are refused with the path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HostRouter } from '../../src/host/router.js';
import { PeerProcess } from '../../src/live/peer-process-client.js';
import { livePlugin } from '../../src/host/live/plugin.js';
import { sleep, tmpDir } from './helpers.js';

const router = new HostRouter();
const events: { event: string; data: unknown }[] = [];
const plugin = livePlugin({ dataDir: tmpDir(), room: 'hosttest' }).mount({ router, emit: (event, data) => events.push({ event, data }) });
afterAll(() => plugin.close());

let n = 0;
async function call<T = Record<string, unknown>>(cmd: string, args: unknown = {}): Promise<T> {
  const f = await router.handleFrame({ type: 'call', id: ++n, cmd, args });
  if (f.type !== 'result') throw new Error(`${cmd}: ${JSON.stringify(f)}`);
  return f.result as T;
}

describe('live host group', () => {
  it('adds, syncs, kills, restarts Node peers and switches mode', async () => {
    const info = await call<{ signalingUrl: string; mode: string }>('live.info');
    expect(info.signalingUrl).toMatch(/^ws:\/\/127\.0\.0\.1:/);
    expect(info.mode).toBe('overlay');
    const a = await call<{ id: number }>('live.addPeer', { name: 'alice' });
    const b = await call<{ id: number }>('live.addPeer', { name: 'bob' });
    await call('live.type', { id: a.id, doc: 'main', count: 20, intervalMs: 5 });
    type Row = { id: number; alive: boolean; docs: { length: number; stateVector: Record<string, number> }[]; links: { open: boolean }[] };
    // The same state vector at both peers (every client's edits up to the same clock: what each typed is
    // at both, not merely the same length), and the same length; within 30 s (unloaded ~1 s; a loaded
    // machine and one reconnect fit; a reconnect storm does not).
    const waitSame = async () => {
      const t0 = Date.now();
      let last = '';
      while (Date.now() - t0 < 30_000) {
        const { peers } = await call<{ peers: Row[] }>('live.peers');
        const live = peers.filter((p) => p.alive);
        const svs = live.map((p) => JSON.stringify(Object.entries(p.docs[0]?.stateVector ?? {}).sort()));
        const lens = live.map((p) => p.docs[0]?.length ?? -1);
        if (live.length === 2 && lens[0]! > 0 && lens.every((l) => l === lens[0]) && svs.every((v) => v === svs[0])) return peers;
        last = live.map((p, i) => `${p.id}: ${lens[i]} chars, sv ${svs[i]}`).join('; ');
        await sleep(200);
      }
      throw new Error(`peers did not sync within 30 s: ${last}`);
    };
    let peers = await waitSame();
    expect(peers.every((p) => p.links.some((l) => l.open))).toBe(true);

    await call('live.killPeer', { id: b.id });
    ({ peers } = await call<{ peers: Row[] }>('live.peers'));
    expect(peers.find((p) => p.id === b.id)?.alive).toBe(false);
    await call('live.type', { id: a.id, doc: 'main', count: 10, intervalMs: 5 });
    await call('live.restartPeer', { id: b.id });
    await waitSame();

    await call('live.setMode', { mode: 'ywebrtc' });
    await call('live.type', { id: b.id, doc: 'main', count: 10, intervalMs: 5 });
    peers = await waitSame();
    expect(events.some((e) => e.event === 'live.info' && (e.data as { mode: string }).mode === 'ywebrtc')).toBe(true);

    const bad = await router.handleFrame({ type: 'call', id: 99, cmd: 'live.openDoc', args: { name: '../../etc/passwd\n' } });
    expect(bad.type).toBe('error');
    expect(JSON.stringify(bad)).toContain('name');
    const missing = await router.handleFrame({ type: 'call', id: 100, cmd: 'live.killPeer', args: { id: 12345 } });
    expect(missing.type === 'error' && missing.error.code).toBe('failed');
  });
});

describe('live host group: configure, one process per peer, a cap, no password on a command line', () => {
  it('after live.configure {password} the record follows the new process: alive, typable, not restartable; a second writer is refused', async () => {
    const dir = tmpDir();
    const r2 = new HostRouter();
    const p2 = livePlugin({ dataDir: dir, room: 'cfgtest', maxNodePeers: 2 }).mount({ router: r2, emit: () => {} });
    try {
      const call2 = async <T = Record<string, unknown>>(cmd: string, args: unknown = {}): Promise<T> => {
        const f = await r2.handleFrame({ type: 'call', id: ++n, cmd, args });
        if (f.type !== 'result') throw new Error(`${cmd}: ${JSON.stringify(f)}`);
        return f.result as T;
      };
      const a = await call2<{ id: number }>('live.addPeer', { name: 'carol' });
      const info = await call2<{ nodePeers: number; hasPassword: boolean }>('live.configure', { password: 'correct horse' });
      // it used to say 0 here and mark the peer dead while its new process ran
      expect(info).toMatchObject({ nodePeers: 1, hasPassword: true });
      const { peers } = await call2<{ peers: { id: number; alive: boolean }[] }>('live.peers');
      expect(peers.find((p) => p.id === a.id)?.alive).toBe(true);
      await call2('live.type', { id: a.id, doc: 'main', count: 3, intervalMs: 1 });
      // a running peer is not started twice (that made two writers of one log)
      const again = await r2.handleFrame({ type: 'call', id: ++n, cmd: 'live.restartPeer', args: { id: a.id } });
      expect(again.type === 'error' && again.error.message).toMatch(/is running/);
      // and its log has one writer: a second process on the same data folder cannot open it
      const peerDir = path.join(dir, `cfgtest-${a.id}`);
      const intruder = new PeerProcess({ room: 'cfgtest', signaling: 'ws://127.0.0.1:9', docs: ['main'], dataDir: peerDir });
      await expect(intruder.ready).rejects.toThrow(/is being written by process \d+/);
      // the cap: two listed peers at most here
      await call2('live.addPeer', { name: 'dave' });
      const third = await r2.handleFrame({ type: 'call', id: ++n, cmd: 'live.addPeer', args: { name: 'erin' } });
      expect(third.type === 'error' && third.error.message).toMatch(/at most 2 Node peers/);
    } finally {
      await p2.close();
    }
  });

  it("a peer process's command line holds no password (its config comes over IPC)", async () => {
    const p = new PeerProcess({ room: 'argv', signaling: 'ws://127.0.0.1:9', docs: ['main'], password: 'hunter2-secret' });
    try {
      await p.ready;
      const cmdline = fs.readFileSync(`/proc/${p.child.pid}/cmdline`, 'utf8');
      expect(cmdline).toContain('peer-process');
      expect(cmdline).not.toContain('hunter2-secret');
      expect(fs.readFileSync(`/proc/${p.child.pid}/environ`, 'utf8')).not.toContain('hunter2-secret');
    } finally {
      await p.close();
    }
  });
});
