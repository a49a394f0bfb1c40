// The dashboard's timeline, charts, recording, replay and exports in Debian's Chromium against a real
// `peerlab serve` (the default gossip among 200 peers, loaded over the WebSocket with a 30 s horizon
// so the run never ends mid-test). Scrubbing back must show what a fresh
// run to that time gives; a saved recording, opened again, must show its recorded frames; a corrupt
// file must give a located error and leave the lab running. Leaves test-results/dashboard.png.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import WebSocket from 'ws';
import { parseRecording, Replay, type Recording } from '../../src/host/recording.js';
import { parseScenario } from '../../src/lab/scenario.js';
import { createSession } from '../../src/lab/session.js';
import { stateCounts } from '../../renderer/src/graph/mapping.js';
import { artifactPath, scrubTo as scrubPage, servedPageHooks } from './browser.js';
import type { Served } from './serve.js';

let served: Served;
let page: Page;
const pageErrors = servedPageHooks({}, (s) => ({ served, page } = s));
const scenarioFile = join(process.cwd(), 'resources/scenarios/gossip-small.yaml');
const SCENARIO = readFileSync(scenarioFile, 'utf8')
  .replace('name: gossip, 200 peers', 'name: gossip, 200 peers, 30 s')
  .replace('broadcasts: 3', 'broadcasts: 30')
  .replace('until: complete', 'until: 30s');

/** Loads a scenario text from another client, as any client may; the page follows the new run. */
function loadOverWs(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(served.wsUrl);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 1, cmd: 'lab.load', args: { text } })));
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as { type: string; id?: number; error?: unknown };
      if (f.type === 'event') return;
      ws.close();
      if (f.type === 'result') resolve();
      else reject(new Error(JSON.stringify(f)));
    });
    ws.on('error', reject);
  });
}


const num = (s: string | null): number => Number((s ?? '').replace(/\s/g, ''));
const clockMs = async (): Promise<number> => Number(await page.getAttribute('[data-testid=clock]', 'data-ms'));
const shown = async () => ({
  timeMs: await clockMs(),
  sent: num(await page.textContent('[data-testid=sent]')),
  events: num(await page.textContent('[data-testid=events]')),
  online: num(await page.textContent('[data-testid=online]')),
  // peers by state as the graph's legend counts them (states with none left out, as stateCounts does)
  legend: Object.fromEntries(
    (await page.$$eval('[data-testid=node-legend] li[data-state]', (lis) => lis.map((li) => [li.getAttribute('data-state') ?? '', li.querySelector('b')?.textContent ?? ''])))
      .map(([k, v]) => [k, num(v!)] as const)
      .filter(([, n]) => n > 0),
  ),
});

const scrubTo = (t: number) => scrubPage(page, t);

async function download(testid: string): Promise<{ d: Download; bytes: Buffer }> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click(`[data-testid=${testid}]`)]);
  const path = await d.path();
  return { d, bytes: readFileSync(path) };
}

describe('dashboard in Chromium', () => {
  let recording: Recording;
  let recordingFile = '';
  /** What the live run showed when the replay was opened over it. */
  let liveBefore: Awaited<ReturnType<typeof shown>>;

  it('plays with recording on, and the charts fill as it plays', async () => {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=connection]:has-text("open")');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === 200, undefined, { timeout: 30_000 });
    await loadOverWs(SCENARIO);
    await page.waitForSelector('[data-testid=counters] dd:has-text("gossip, 200 peers, 30 s")');
    await page.click('[data-testid=record]');
    await page.waitForSelector('[data-testid=record-info]');
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=charts]')?.getAttribute('data-points')) > 20, undefined, { timeout: 15_000 });
    const p1 = Number(await page.getAttribute('[data-testid=charts]', 'data-points'));
    await page.waitForFunction((p) => Number(document.querySelector('[data-testid=charts]')?.getAttribute('data-points')) > p + 10, p1, { timeout: 15_000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > 1300, undefined, { timeout: 20_000 });
    await page.click('[data-testid=pause]');
    await page.click('[data-testid=record]'); // stop
    await page.waitForSelector('[data-testid=record]:not(.recording)'); // stopped (has-text would match "Stop recording")
    expect(Number(await page.getAttribute('[data-testid=record-info]', 'data-frames'))).toBeGreaterThan(4);
  });

  it('scrubbing back shows exactly what a fresh run to that time shows', async () => {
    const t = await scrubTo(600);
    const got = await shown();
    const session = createSession(parseScenario(SCENARIO, '<dashboard>'));
    session.advance(t);
    const fresh = session.world.stats;
    expect(got.timeMs).toBe(t);
    expect({ sent: got.sent, events: got.events, online: got.online }).toEqual({ sent: fresh.sent, events: session.sim.eventsProcessed, online: session.world.online });
    const snap = session.run.snapshot(1000);
    expect(got.legend).toEqual(Object.fromEntries(stateCounts({ run: 0, timeMs: t, totalPeers: 200, peers: snap.peers, links: [] })));
    // and forward again past where it was
    const t2 = await scrubTo(1500);
    session.advance(t2 - t);
    expect((await shown()).sent).toBe(session.world.stats.sent);
  });

  it('saves the recording (gzip JSON lines) with the scenario text and seed', async () => {
    const { d, bytes } = await download('save-recording');
    expect(d.suggestedFilename()).toBe('gossip-200-peers-30-s-seed1.peerlab.jsonl.gz');
    expect(bytes[0]).toBe(0x1f);
    recording = parseRecording(gunzipSync(bytes).toString('utf8'), d.suggestedFilename());
    expect(recording.header.scenario.text).toBe(SCENARIO);
    expect(recording.header.seed).toBe(1);
    expect(recording.frames.length).toBeGreaterThan(4);
    recordingFile = artifactPath('dashboard.peerlab.jsonl.gz');
    (await import('node:fs')).writeFileSync(recordingFile, bytes);
  });

  it('a corrupt recording gives a located error and the lab goes on playing', async () => {
    const good = gunzipSync(readFileSync(recordingFile)).toString('utf8');
    await page.click('[data-testid=play]');
    await page.setInputFiles('[data-testid=recording-file]', { name: 'cut.peerlab.jsonl', mimeType: 'application/json', buffer: Buffer.from(good.slice(0, Math.floor(good.length * 0.7))) });
    await page.waitForSelector('[data-testid=error]');
    expect(await page.textContent('[data-testid=error]')).toMatch(/cut\.peerlab\.jsonl: line \d+: cut off mid-record \(the file is truncated\)/);
    const gz = readFileSync(recordingFile);
    await page.setInputFiles('[data-testid=recording-file]', { name: 'half.gz', mimeType: 'application/gzip', buffer: gz.subarray(0, gz.length >> 1) });
    await page.waitForSelector('[data-testid=error]:has-text("half.gz")');
    expect(await page.textContent('[data-testid=error]')).toMatch(/half\.gz: (not a complete gzip file|line \d+: cut off)/);
    expect(await page.isVisible('[data-testid=replaying]')).toBe(false);
    const t = await clockMs();
    await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > x, t, { timeout: 10_000 });
    await page.click('[data-testid=pause]');
    await page.waitForSelector('[data-testid=play]');
    await page.waitForTimeout(300); // the pause's own publish
    liveBefore = await shown();
  });

  it('replays the saved file without the simulator: its frames, with the same controls', async () => {
    await page.setInputFiles('[data-testid=recording-file]', recordingFile);
    await page.waitForSelector('[data-testid=replaying]');
    const replay = new Replay(recording);
    for (const i of [1, Math.floor(recording.frames.length / 2), recording.frames.length - 1]) {
      const f = recording.frames[i]!;
      await scrubTo(f.timeMs);
      const got = await shown();
      expect(got.sent, `frame ${i}`).toBe(f.counters.sent);
      expect(got.events, `frame ${i}`).toBe(f.counters.events);
      expect(got.legend, `frame ${i}`).toEqual(Object.fromEntries(stateCounts(replay.snapshot(i, 0))));
    }
    // play from the start runs the replay clock
    await page.click('[data-testid=reset]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === 0);
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) >= 250, undefined, { timeout: 10_000 });
    await page.click('[data-testid=pause]').catch(() => undefined);
    await page.screenshot({ path: artifactPath('dashboard.png') });
  });

  it('exports the graph and charts as PNG, the graph as SVG, series and peers as CSV', async () => {
    const png = await download('export-png');
    expect(png.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.bytes.length).toBeGreaterThan(5000);
    const charts = await download('export-charts');
    expect(charts.bytes.subarray(0, 4)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    expect(charts.bytes.length).toBeGreaterThan(5000);
    const svg = (await download('export-svg')).bytes.toString('utf8');
    const [graphPart, legendPart] = svg.split('<g class="legend"') as [string, string];
    expect(graphPart.match(/<circle /g)?.length).toBe(200);
    // the caption says what and when; the legend below says what the colours mean, with the counts shown
    const legend = (await shown()).legend;
    expect(graphPart).toMatch(/>gossip, 200 peers, 30 s · gossip · seed 1 · t = [\d.]+ (ms|s) \(replay\)<\/text>/);
    for (const n of Object.values(legend)) expect(legendPart).toMatch(new RegExp(`>[^<]* \\(${n}\\)</text>`));
    expect(legendPart.match(/<circle /g)?.length).toBeGreaterThanOrEqual(Object.keys(legend).length);
    // the PNG has the same caption on top (dark text pixels) and the legend's dots at the bottom
    const bands = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const ctx = c.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const rgb = (css: string): number[] => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const colours = [...document.querySelectorAll<HTMLElement>('[data-testid=node-legend] li[data-state] i')].map((i) => rgb(getComputedStyle(i).backgroundColor));
      const count = (y0: number, y1: number, match: (r: number, g: number, b: number) => boolean): number => {
        const d = ctx.getImageData(0, y0, c.width, y1 - y0).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (match(d[i]!, d[i + 1]!, d[i + 2]!)) n++;
        return n;
      };
      const bottom = Math.floor(c.height * 0.85);
      return {
        captionInk: count(0, 52, (r, g, b) => r + g + b < 200),
        legendDots: colours.map((col) => count(bottom, c.height, (r, g, b) => r === col[0] && g === col[1] && b === col[2])),
      };
    }, png.bytes.toString('base64'));
    expect(bands.captionInk).toBeGreaterThan(100);
    expect(bands.legendDots.length).toBeGreaterThan(0);
    for (const n of bands.legendDots) expect(n).toBeGreaterThan(20);
    const csv = (await download('export-csv')).bytes.toString('utf8').trim().split('\n');
    expect(csv[0]).toBe('series,t_ms,value');
    expect(csv.length).toBeGreaterThan(20);
    expect(csv.slice(1).every((r) => /^[\w.]+,\d+(\.\d+)?,-?[\d.e+-]+$/.test(r))).toBe(true);
    const peers = (await download('export-peers')).bytes.toString('utf8').split('\n');
    expect(peers[0]).toBe('id,alive,state,value,x,y');
    expect(peers.filter((r) => /^\d+,(true|false),/.test(r))).toHaveLength(200);
  });

  it('back to live returns to the live run where it was', async () => {
    await page.click('[data-testid=close-replay]');
    await page.waitForSelector('[data-testid=replaying]', { state: 'detached' });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === 200);
    await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === x, liveBefore.timeMs, { timeout: 10_000 });
    await page.waitForTimeout(150); // the snapshot and legend of the same publish
    // the very state it had: same time, same counters, same peers by state, and paused
    const back = await shown();
    expect(back).toEqual(liveBefore);
    expect(liveBefore.sent).toBeGreaterThan(0);
    expect(await page.isVisible('[data-testid=play]')).toBe(true);
    expect(await page.isVisible('[data-testid=record]')).toBe(true);
  });

  it('simulate again: the replayed recording becomes the live run at the time shown, with its numbers', async () => {
    await page.setInputFiles('[data-testid=recording-file]', recordingFile);
    await page.waitForSelector('[data-testid=replaying]');
    const f = recording.frames[3]!;
    await scrubTo(f.timeMs);
    await page.click('[data-testid=resimulate]');
    await page.waitForSelector('[data-testid=replaying]', { state: 'detached' });
    await page.waitForSelector('[data-testid=record]'); // live controls again
    const got = await shown();
    expect(got.timeMs).toBe(f.timeMs);
    expect(got.sent).toBe(f.counters.sent);
    expect(got.events).toBe(f.counters.events);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
