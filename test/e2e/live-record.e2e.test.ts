// Recording the live room from the Live overlay view, in Debian's Chromium against a real `peerlab serve`
// with real Node peers (their own processes, WebRTC over loopback): three Node peers link up with the
// window, the view records (a frame every 250 ms) while one peer is killed, the recording is saved as a
// .peerlab.jsonl.gz download, opened again through the Lab's "Open recording…", and scrubbed back and
// forth over every frame: the graph draws each frame's peers and links exactly as the file holds them.
// "Replay in Lab" opens the same recording in the Lab tab in one click.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { parseRecording, Replay, type Recording } from '../../src/host/recording.js';
import { scrubTo, servedPageHooks } from './browser.js';
import type { Served } from './serve.js';

let served: Served;
let page: Page;
const pageErrors = servedPageHooks({ webrtc: true, viewport: { width: 1300, height: 800 } }, (s) => ({ served, page } = s));

type Drawn = { peers: (readonly [number, boolean, string])[]; links: (readonly [number, number, number])[] };
const drawn = () => page.evaluate(() => (window as unknown as { peerlabGraph: { drawn(): Drawn } }).peerlabGraph.drawn());
const sortLinks = (l: readonly (readonly number[])[]) => l.map((x) => [x[0]!, x[1]!, x[2] ?? 0]).sort((p, q) => p[0]! - q[0]! || p[1]! - q[1]!);
const sortPeers = (p: readonly (readonly [number, boolean, string])[]) => [...p].map((x) => [...x]).sort((a, b) => (a[0] as number) - (b[0] as number));
const frames = () => page.getAttribute('[data-testid=live-record-info]', 'data-frames').then(Number);

describe('recording the live room from the Live overlay view', () => {
  let recording: Recording;
  let file = '';

  it('records three linked Node peers, one of them killed on the way, and saves a .peerlab.jsonl.gz', async () => {
    await page.goto(`${served.url}&debug=graph#/live`);
    await page.waitForSelector('[data-testid=add-peer]');
    for (let i = 0; i < 3; i++) await page.click('[data-testid=add-peer]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-peer^="node-"]').length === 3, undefined, { timeout: 60_000 });
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-peer^="node-"]')].every((r) => Number(r.getAttribute('data-links')) >= 1), undefined, {
      timeout: 60_000,
    });
    await page.selectOption('[data-testid=live-record-every]', '250');
    await page.click('[data-testid=live-record]');
    await page.waitForSelector('[data-testid=live-record]:has-text("Stop")');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-record-info]')?.getAttribute('data-frames')) >= 6, undefined, { timeout: 20_000 });
    await page.click('tr[data-peer="node-2"] button:has-text("kill -9")');
    // the kill is seen (the row says dead), then a few frames more
    await page.waitForSelector('tr[data-peer="node-2"].dead', { timeout: 20_000 });
    const atKill = await frames();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=live-record-info]')?.getAttribute('data-frames')) >= n + 8, atKill, { timeout: 20_000 });
    await page.click('[data-testid=live-record]');
    await page.waitForSelector('[data-testid=live-record-info][data-active="0"]'); // stopped (has-text would match "Stop recording")
    const held = await frames();

    const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('[data-testid=live-save-recording]')]);
    expect(d.suggestedFilename()).toMatch(/^live-lab-.*\.peerlab\.jsonl\.gz$/);
    file = await d.path();
    const text = gunzipSync(readFileSync(file)).toString('utf8');
    recording = parseRecording(text, d.suggestedFilename());
    expect(recording.header.live?.room).toBe('lab');
    expect(recording.header.everyMs).toBe(250);
    expect(recording.frames).toHaveLength(held);
    // what the recording holds: the four peers (three Node peers and this window) linked, then node-2 offline
    const replay = new Replay(recording);
    const last = replay.snapshot(replay.frameCount - 1, 0);
    expect(last.peers.map((p) => p.label).sort()).toEqual(expect.arrayContaining(['node-1', 'node-2', 'node-3']));
    expect(last.peers.find((p) => p.label === 'node-2')?.alive).toBe(false);
    // four peers each with a link: at least two links
    expect(replay.snapshot(0, 0).links.length).toBeGreaterThanOrEqual(2);
  });

  it('reopened through the Lab, every frame scrubbed to (back and forth) is drawn with the recorded peers and links', async () => {
    await page.goto(`${served.url}&debug=graph#/lab`);
    await page.setInputFiles('[data-testid=recording-file]', file);
    await page.waitForSelector('[data-testid=replaying]');
    const replay = new Replay(recording);
    const n = replay.frameCount;
    const min = replay.frame(0).timeMs;
    const max = replay.frame(n - 1).timeMs;
    const step = Math.max(1, Math.round((max - min) / 2000)); // the slider's (TimelineBar)
    // every frame, first backwards from the end, then forwards through a shuffled half
    const order = [...Array.from({ length: n }, (_, i) => n - 1 - i), ...Array.from({ length: n }, (_, i) => (i * 7) % n).filter((_, i) => i % 2 === 0)];
    const seen = new Set<number>();
    for (const i of order) {
      const t = replay.frame(i).timeMs;
      // the clock shows the time of the frame the slider's value falls in
      const k = replay.indexAt(await scrubTo(page, Math.min(max, min + Math.ceil((t - min) / step) * step), (at) => replay.frame(replay.indexAt(at)).timeMs));
      seen.add(k);
      const want = replay.snapshot(k, 0);
      const got = await drawn();
      expect(sortLinks(got.links), `frame ${k}`).toEqual(sortLinks(want.links as number[][]));
      expect(sortPeers(got.peers), `frame ${k}`).toEqual(sortPeers(want.peers.map((p) => [p.id, p.alive, p.state] as const)));
    }
    expect(seen.size).toBe(n);
    // the live legend in the Lab: the replay speaks of the room's states and link kinds
    const states = await page.$$eval('[data-testid=node-legend] li[data-state]', (l) => l.map((e) => e.getAttribute('data-state')));
    expect(states).toEqual(expect.arrayContaining(['online', 'distrusted', 'cut', 'error']));
    await page.click('[data-testid=close-replay]');
    await page.waitForSelector('[data-testid=replaying]', { state: 'detached' });
  });

  it('"Replay in Lab" opens the room\'s recording in the Lab tab', async () => {
    await page.goto(`${served.url}&debug=graph#/live`);
    await page.waitForSelector('[data-testid=live-replay-recording]:not([disabled])');
    await page.click('[data-testid=live-replay-recording]');
    await page.waitForSelector('[data-testid=replaying]', { timeout: 20_000 });
    expect(await page.evaluate(() => location.hash)).toBe('#/lab');
    expect(await page.textContent('[data-testid=replaying]')).toContain(`${recording.frames.length} frames`);
    expect(pageErrors).toEqual([]);
  });
});
