// The lab view in Debian's Chromium against a real `peerlab serve`: the page loads, the graph shows the
// scenario's peers, play advances the clock, pause stops it, and a bad command over the WebSocket gets
// an error reply while the server keeps serving. Leaves test-results/lab.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { HostFrame } from '../../src/host/contract.js';
import { artifactPath, collectPageErrors, launchChromium } from './browser.js';
import { startServe, type Served } from './serve.js';

let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  served = await startServe(['--max-peers', '1000']);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  collectPageErrors(page, pageErrors);
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

/** One WebSocket call from outside the page, as any client would make it. */
function wsExchange(send: string[]): Promise<HostFrame[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(served.wsUrl);
    const answers: HostFrame[] = [];
    ws.on('message', (d) => {
      const f = JSON.parse(String(d)) as HostFrame;
      if (f.type === 'event') return;
      answers.push(f);
      if (answers.length === send.length) {
        ws.close();
        resolve(answers);
      }
    });
    ws.on('open', () => {
      for (const s of send) ws.send(s);
    });
    ws.on('error', reject);
    setTimeout(() => reject(new Error(`no answer; got ${JSON.stringify(answers)}`)), 10_000);
  });
}

const clockMs = async (): Promise<number> => Number(await page.getAttribute('[data-testid=clock]', 'data-ms'));

describe('lab view in Chromium', () => {
  let peers = 0;

  it('loads and draws every peer of the opened scenario', async () => {
    const [state] = await wsExchange([JSON.stringify({ type: 'call', id: 1, cmd: 'lab.state' })]);
    expect(state).toMatchObject({ type: 'result' });
    const st = (state as { result: { peers: number; scenario: string | null } }).result;
    expect(st.scenario).not.toBeNull();
    peers = Math.min(st.peers, 1000);
    expect(peers).toBeGreaterThan(10);

    await page.goto(served.url);
    await page.waitForSelector('[data-testid=connection]:has-text("open")');
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === n, peers, { timeout: 30_000 });
    // Cytoscape drew them on its canvas (not just counted them): pixels of the legend's state colours,
    // read back from the graph's canvases, cover at least 10 pixels per peer (a dot is ~50 to 150).
    await page.waitForTimeout(500); // Cytoscape paints on the next animation frames
    const painted = await page.evaluate(() => {
      const rgb = (css: string): number[] => (css.match(/\d+/g) ?? []).slice(0, 3).map(Number);
      const colours = [...document.querySelectorAll<HTMLElement>('[data-testid=node-legend] i')].map((i) => rgb(getComputedStyle(i).backgroundColor));
      let coloured = 0;
      let nonBlank = 0;
      for (const c of document.querySelectorAll<HTMLCanvasElement>('[data-testid=graph] canvas')) {
        const ctx = c.getContext('2d');
        if (!ctx || c.width === 0 || c.height === 0) continue;
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] === 0) continue;
          nonBlank++;
          if (colours.some(([r, g, b]) => d[i] === r && d[i + 1] === g && d[i + 2] === b)) coloured++;
        }
      }
      return { coloured, nonBlank, colours: colours.length };
    });
    expect(painted.colours).toBeGreaterThan(0);
    expect(painted.coloured).toBeGreaterThan(peers * 10);
    expect(painted.nonBlank).toBeGreaterThan(painted.coloured);
    expect(await page.textContent('[data-testid=peers]')).toBe(String(st.peers).replace(/\B(?=(\d{3})+(?!\d))/g, ' '));
  });

  it('play advances the clock and pause stops it', async () => {
    // Half speed keeps the run (three broadcasts a second apart, until complete) from ending mid-test.
    await page.selectOption('[data-testid=speed]', '0.5');
    await page.waitForFunction(() => (document.querySelector('[data-testid=speed]') as HTMLSelectElement | null)?.value === '0.5');
    const t0 = await clockMs();
    await page.click('[data-testid=play]');
    await page.waitForFunction((t) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > t + 200, t0, { timeout: 15_000 });
    expect(await page.textContent('[data-testid=sent]')).not.toBe('0');
    await page.waitForTimeout(1200);
    await page.click('[data-testid=pause]');
    await page.waitForSelector('[data-testid=play]');
    await page.waitForTimeout(300); // let the last counters arrive
    const t1 = await clockMs();
    expect(t1).toBeGreaterThan(t0);
    await page.waitForTimeout(1000);
    expect(await clockMs()).toBe(t1);
  });

  it('shortcuts work whatever control has focus: Space after the slider or the speed box, Shift+→ is 1 s', async () => {
    const waitClock = (x: number) => page.waitForFunction((v) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === v, x, { timeout: 10_000 });
    const speed = await page.inputValue('[data-testid=speed]');
    await page.focus('[data-testid=timeline]');
    const t0 = await clockMs();
    await page.keyboard.press('Shift+ArrowRight');
    await waitClock(t0 + 1000);
    await page.focus('[data-testid=speed]');
    await page.keyboard.press('ArrowLeft');
    await waitClock(t0 + 900);
    expect(await page.inputValue('[data-testid=speed]')).toBe(speed); // the speed box did not take the arrow
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid=pause]');
    await page.focus('[data-testid=timeline]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid=play]');
    // a focused button does not click on Space either: Space still means play/pause
    await page.focus('[data-testid=reset]');
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid=pause]');
    expect(await clockMs()).toBeGreaterThan(t0); // not reset to 0
    await page.keyboard.press('Space');
    await page.waitForSelector('[data-testid=play]');
    // a text field keeps its keys
    await page.focus('[data-testid=peer-search]');
    await page.keyboard.press('Space');
    await page.waitForTimeout(300);
    expect(await page.isVisible('[data-testid=play]')).toBe(true);
  });

  it('hover names a peer, a click selects it for the inspector, search finds one, the legend filters by state', async () => {
    const p = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    p.on('pageerror', (e) => pageErrors.push(String(e)));
    await p.goto(`${served.url}&debug=graph`);
    await p.waitForFunction((n) => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === n, peers, { timeout: 30_000 });
    await p.waitForTimeout(300);
    const box = (await p.locator('[data-testid=graph]').boundingBox())!;
    const where = (peer: number) => p.evaluate((x) => (window as unknown as { peerlabGraph: { screenOf(p: number): { x: number; y: number } | null } }).peerlabGraph.screenOf(x), peer);
    const s = (await where(7))!;
    await p.mouse.move(box.x + s.x, box.y + s.y);
    await p.waitForSelector('[data-testid=peer-tip]');
    expect(await p.textContent('[data-testid=peer-tip]')).toMatch(/^peer 7 · .+ · \d+ links? drawn$/);
    await p.mouse.click(box.x + s.x, box.y + s.y);
    await p.waitForSelector('[data-testid=inspector][data-peer="7"]');
    expect(await p.textContent('[data-testid=inspector] h3')).toBe('Peer 7');
    // a click on empty space clears the selection; Esc too
    await p.mouse.click(box.x + 3, box.y + box.height - 3);
    await p.waitForSelector('[data-testid=tab-run]');
    await p.fill('[data-testid=peer-search]', '12');
    await p.press('[data-testid=peer-search]', 'Enter');
    await p.waitForSelector('[data-testid=inspector][data-peer="12"]');
    await p.locator('[data-testid=graph]').click({ position: { x: 3, y: box.height - 3 } }); // back to the page (not the field)
    await p.keyboard.press('Escape');
    await p.waitForSelector('[data-testid=inspector]', { state: 'detached' });
    await p.fill('[data-testid=peer-search]', '99999');
    await p.press('[data-testid=peer-search]', 'Enter');
    expect(await p.textContent('[data-testid=peer-search-note]')).toMatch(/^no peer 99999 \(ids 0 to \d+\)$/);
    // the legend's first state with peers: a click shows only those peers (the others are dimmed)
    const state = await p.$eval('[data-testid=node-legend] li[data-state]:not(.zero)', (li) => li.getAttribute('data-state'));
    await p.click(`[data-testid=node-legend] li[data-state="${state}"]`);
    await p.waitForSelector(`[data-testid=node-legend] li[data-state="${state}"].on`);
    await p.keyboard.press('Escape');
    await p.waitForSelector(`[data-testid=node-legend] li.on`, { state: 'detached' });
    await p.close();
  });

  it('answers a bad command over the WebSocket with an error naming it, and keeps serving', async () => {
    const [badJson, unknown, badArgs, ok] = await wsExchange([
      '{"type":"call","id":',
      JSON.stringify({ type: 'call', id: 2, cmd: 'lab.explode' }),
      JSON.stringify({ type: 'call', id: 3, cmd: 'lab.speed', args: { speed: -4 } }),
      JSON.stringify({ type: 'call', id: 4, cmd: 'lab.state' }),
    ]);
    expect(badJson).toMatchObject({ type: 'error', id: null, error: { code: 'bad_json' } });
    expect(unknown).toMatchObject({ type: 'error', id: 2, error: { code: 'unknown_command' } });
    expect((unknown as { error: { message: string } }).error.message).toContain("'lab.explode'");
    expect(badArgs).toMatchObject({ type: 'error', id: 3, error: { code: 'bad_args', issues: [{ path: 'args.speed' }] } });
    expect(ok).toMatchObject({ type: 'result', id: 4 });
    // The page's own connection lives on: stepping still moves its clock.
    const t = await clockMs();
    await page.click('[data-testid=step]');
    await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > x, t, { timeout: 10_000 });
    expect(served.proc.exitCode).toBeNull();
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });

  it('step moves the spread forward; the picture is saved mid-spread', async () => {
    // Step (100 virtual ms each) until the rumour has reached a good part of the swarm, then keep the picture.
    const count = async (state: string): Promise<number> => {
      const n = await page.$$eval(`[data-testid=node-legend] li[data-state="${state}"] b`, (bs) => bs[0]?.textContent ?? '0');
      return Number(n.replace(/\s/g, ''));
    };
    // Earlier tests played the lab for a while of wall time: go back to time 0 so there is a spread to watch.
    await page.click('[data-testid=reset]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === 0, undefined, { timeout: 10_000 });
    let infected = await count('infected');
    const first = infected;
    for (let i = 0; i < 40 && infected < peers * 0.4; i++) {
      if (!(await page.isEnabled('[data-testid=step]'))) break;
      const t = await clockMs();
      await page.click('[data-testid=step]');
      await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > x, t, { timeout: 10_000 });
      infected = await count('infected');
    }
    expect(infected).toBeGreaterThan(first);
    await page.screenshot({ path: artifactPath('lab.png') });
  });
});
