/**
 * kill -9 a Node peer process while it types; restart it: everything it had reported as typed is in its
 * log (checked with the peer offline, so nothing can come back over the network), a torn tail appended
 * to the log is skipped with a warning, and once back in the room it converges with the others.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PeerProcess } from '../../src/live/peer-process-client.js';
import type { PeerProcessOptions } from '../../src/live/peer-process-client.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { collectMarks, convergeMarked, sleep, spawnPeers, tmpDir } from './helpers.js';

const SEED = Number(process.env.PEERLAB_SEED ?? 777);
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

describe('persistence of a Node peer', () => {
  it('kill -9 mid-typing loses nothing that was logged; a torn tail is skipped; it rejoins and converges', async () => {
    console.log(`[persistence] seed ${SEED}`);
    const sig = new SignalingServer();
    await sig.listen();
    cleanup.push(() => sig.close());
    const dir = tmpDir();
    const opts = (i: number, signaling = sig.url): PeerProcessOptions => ({
      room: 'persist',
      signaling,
      docs: ['main'],
      peerId: 500 + i,
      name: `p${i}`,
      dataDir: path.join(dir, `p${i}`),
      antiEntropyMs: 500,
    });
    const peers = await spawnPeers(3, (i) => opts(i));
    cleanup.push(async () => void (await Promise.all(peers.map((p) => p.close()))));
    await sleep(1000);

    // p0 types continuously; each progress event is sent after the edit's update was appended to its log
    let last = { clientID: 0, clock: 0, done: 0 };
    peers[0]!.onEvent = (ev) => {
      if (ev.ev === 'progress') last = { clientID: ev.clientID as number, clock: ev.clock as number, done: ev.done as number };
    };
    const typing = peers[0]!.call('edits', { doc: 'main', seed: SEED, count: 100_000, intervalMs: 2, report: true, stamp: true }).catch(() => 'killed');
    const others = Promise.all(peers.slice(1).map((p, i) => p.call('edits', { doc: 'main', seed: SEED + 1 + i, count: 60, intervalMs: 10, stamp: true })));
    await sleep(1200);
    await peers[0]!.kill9();
    expect(await typing).toBe('killed');
    await others;
    // each stamped edit leaves a mark ('origin:seq:wallMs'); the others' marks as their own replicas hold them
    const made = new Set<string>();
    for (const p of peers.slice(1)) await collectMarks(made, p, p.id, 'main');
    expect(made.size).toBe(120);
    expect(last.done).toBeGreaterThan(20);
    console.log(`[persistence] killed after ${last.done} logged edits (client ${last.clientID} clock ${last.clock})`);

    // a torn record at the end of the log, as a crash in the middle of a write would leave
    const logFile = path.join(dir, 'p0', 'main.ylog');
    const sizeBefore = fs.statSync(logFile).size;
    fs.appendFileSync(logFile, Buffer.from([0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));

    // restart offline (signaling on a dead port): what it has now came from its log alone
    const warnings: string[] = [];
    const offline = new PeerProcess(opts(0, 'ws://127.0.0.1:9'));
    offline.onEvent = (ev) => {
      if (ev.ev === 'warning') warnings.push(String(ev.message));
    };
    await offline.ready;
    const st = await offline.state();
    expect(st.docs[0]!.stateVector[String(last.clientID)]).toBeGreaterThanOrEqual(last.clock);
    expect(st.loads.main!.skippedBytes).toBe(11);
    await sleep(100);
    expect(warnings.join('\n')).toMatch(/torn/);
    expect(fs.statSync(logFile).size).toBe(sizeBefore); // cut back to the last good record
    // p0's marks as its log kept them: at least every edit it had reported logged
    const p0Marks = new Set<string>();
    await collectMarks(p0Marks, offline, offline.id, 'main');
    expect(p0Marks.size).toBeGreaterThanOrEqual(last.done);
    for (const m of p0Marks) made.add(m);
    await offline.close();

    // back in the room: converges with the others, and the others' text contains what p0 logged
    peers[0] = new PeerProcess(opts(0));
    await peers[0].ready;
    // 30 s: unloaded this takes 1-2 s (anti-entropy every 500 ms); the bound allows a loaded machine and
    // a slow first link, and still fails a peer that keeps reconnecting
    const { text } = await convergeMarked(peers, 'main', made, 30_000, `persistence (seed ${SEED})`);
    const final = await peers[1]!.state();
    expect(final.docs[0]!.stateVector[String(last.clientID)]).toBeGreaterThanOrEqual(last.clock);
    expect(text.length).toBeGreaterThan(0);
  });
});
