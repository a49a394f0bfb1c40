/**
 * A document of several MiB in overlay mode, over real WebRTC (node-datachannel), with every data-channel
 * frame still bounded (64 KiB frames; peers refuse frames over 256 KiB here):
 * - a 4 MiB paste (one Yjs update, too big for gossip) reaches the peers already in the room by PUSH;
 * - 1 MiB more in five ~210 KiB edits goes by gossip, each gossip message in frames;
 * - a peer that joins late converges on the whole document from the state-vector sync replies (chunked);
 * - so does a Chromium page (the browser's SCTP, send buffer and the same reassembly).
 * `PEERLAB_LATE_RUNS=n` repeats the late join n times and prints the median time to converge.
 * Must run inside a loopback-only network namespace (npm test does); ICE is restricted to 127.0.0.1.
 */
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import type { PeerProcess } from '../../src/live/peer-process-client.js';
import type { PeerReport } from '../../src/live/peer.js';
import { SignalingServer } from '../../src/live/signaling/server.js';
import { sleep, spawnPeers } from './helpers.js';
import { servePeerPages, startPage } from './pages.js';

const MiB = 1024 * 1024;
const RUNS = Math.max(1, Number(process.env.PEERLAB_LATE_RUNS ?? 1));
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => {});
});

interface Digest {
  length: number;
  sha256: string;
}
const digest = (p: PeerProcess) => p.call<Digest>('digest', { doc: 'big' });

/** Polls until every peer holds `want`; returns the ms it took. */
async function until(peers: PeerProcess[], want: Digest, timeoutMs: number, label: string): Promise<number> {
  const t0 = Date.now();
  let got: Digest[] = [];
  while (Date.now() - t0 < timeoutMs) {
    got = await Promise.all(peers.map(digest));
    if (got.every((d) => d.sha256 === want.sha256)) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error(`${label}: no convergence in ${timeoutMs} ms: want ${want.length} chars, have ${got.map((d) => d.length).join(', ')}`);
}

/** The room of the first test, reused by the second. */
let room: { url: string; peers: PeerProcess[]; want: Digest } | null = null;

describe('large documents', () => {
  it(`a late joiner converges on a 5 MiB document in overlay mode, frames bounded (${RUNS} run(s))`, async () => {
    const sig = new SignalingServer();
    await sig.listen();
    cleanup.push(() => sig.close());
    const opts = (i: number) => ({ room: 'big', signaling: sig.url, docs: ['big'], peerId: 500 + i, maxMessageBytes: 256 * 1024 });
    const peers = await spawnPeers(3, opts);
    cleanup.push(async () => void (await Promise.all(peers.map((p) => p.close()))));
    const [writer] = peers as [PeerProcess];
    // wait for the overlay to form so the paste is pushed, not only repaired
    const t0 = Date.now();
    while (Date.now() - t0 < 20_000 && (await Promise.all(peers.map((p) => p.state()))).some((s) => !s.links.some((l) => l.open)))
      await sleep(100);
    await writer.call('fill', { doc: 'big', bytes: 4 * MiB, pieces: 1, seed: 1 });
    await writer.call('fill', { doc: 'big', bytes: 1 * MiB, pieces: 5, seed: 2 });
    const want = await digest(writer);
    expect(want.length).toBe(5 * MiB);
    const spreadMs = await until(peers, want, 60_000, 'peers present at the paste');
    console.log(`[large-doc] 5 MiB reached the 2 other peers in ${spreadMs} ms`);
    const ws = (await writer.state()).overlay!;
    expect(ws.pushesOut).toBeGreaterThan(0); // the 4 MiB update went by PUSH
    expect(ws.chunkedOut).toBeGreaterThan(0);

    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const [late] = await spawnPeers(1, () => opts(10 + run));
      cleanup.push(() => late!.close());
      const ms = await until([late!], want, 60_000, `late joiner ${run}`);
      times.push(ms);
      console.log(`[large-doc] late joiner ${run} converged on 5 MiB in ${ms} ms (from process ready)`);
      const st: PeerReport = await late!.state();
      expect(st.overlay!.chunkedIn).toBeGreaterThan(0); // it came in frames
      expect(st.violations).toBe(0);
      expect(st.docs[0]).toMatchObject({ name: 'big', length: 5 * MiB, pending: false });
      // one neighbour sends the document, the others only what it lacked after that (each sent it all before)
      const bytesIn = st.links.reduce((sum, l) => sum + l.bytesIn, 0);
      console.log(`[large-doc] late joiner ${run}: ${st.links.length} links, ${(bytesIn / MiB).toFixed(2)} MiB in`);
      expect(bytesIn).toBeLessThan(1.5 * 5 * MiB);
      await late!.close();
    }
    times.sort((a, b) => a - b);
    console.log(`[large-doc] late join median ${times[Math.floor(times.length / 2)]} ms over ${times.length} run(s): ${times.join(', ')}`);
    for (const p of peers) expect((await p.state()).violations).toBe(0);
    // and the room still syncs small edits afterwards
    await writer.call('insert', { doc: 'big', index: 0, text: 'after;' });
    const after = await digest(writer);
    await until(peers, after, 20_000, 'small edit after the big document');
    room = { url: sig.url, peers, want: after };
  });

  it('a Chromium page joining late converges on it too', async () => {
    expect(room, 'needs the room of the first test').not.toBeNull();
    const { url, want } = room!;
    const pages = await servePeerPages();
    cleanup.push(() => pages.close());
    const page: Page = await pages.open();
    type Api = { peerlab: { open(d: string): void; digest(d: string): Promise<Digest>; state(): { violations: number } } };
    const t0 = Date.now();
    await startPage(page, pages.origin, { room: 'big', signaling: url, name: 'late-page', persist: false, maxMessageBytes: 256 * 1024 });
    await page.evaluate(() => (window as unknown as Api).peerlab.open('big'));
    let got: Digest = { length: 0, sha256: '' };
    while (Date.now() - t0 < 60_000) {
      got = await page.evaluate(() => (window as unknown as Api).peerlab.digest('big'));
      if (got.sha256 === want.sha256) break;
      await sleep(100);
    }
    expect(got.length).toBe(want.length);
    expect(got.sha256).toBe(want.sha256);
    console.log(`[large-doc] a Chromium page converged on 5 MiB in ${Date.now() - t0} ms (from page load)`);
    expect((await page.evaluate(() => (window as unknown as Api).peerlab.state())).violations).toBe(0);
  }, 90_000);
});
