// The Live overlay view in Debian's Chromium against a real `peerlab serve` with real Node peers
// (their own processes, WebRTC over loopback), drawn by the Lab's graph component: a lone peer is drawn at
// its normal size, peers keep their places as others come and go, the graph and the table count the same
// links, and the live legend is there.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { servedPageHooks } from './browser.js';
import type { Served } from './serve.js';

let served: Served;
let page: Page;
const pageErrors = servedPageHooks({ webrtc: true, viewport: { width: 1300, height: 800 } }, (s) => ({ served, page } = s));

const attr = async (sel: string, name: string): Promise<number> => Number(await page.getAttribute(sel, name));
/** Places (model units) of the drawn peers, by their number in the picture, and the zoom (the page runs with ?debug=graph). */
const view = () =>
  page.evaluate(() => {
    const g = (window as unknown as { peerlabGraph: { placeOf(p: number): { x: number; y: number } | null; zoom(): number } }).peerlabGraph;
    const nodes: Record<number, { x: number; y: number }> = {};
    for (const r of document.querySelectorAll('tr[data-peer] .number')) {
      const n = Number(r.textContent?.replace('#', ''));
      const p = g.placeOf(n);
      if (p) nodes[n] = p;
    }
    return { zoom: g.zoom(), nodes };
  });
/** Links as the table counts them: open and stale, summed over rows (each link has two ends). */
const tableLinks = () =>
  page.$$eval('tr[data-peer]', (rows) =>
    rows.reduce((a, r) => ({ open: a.open + Number(r.getAttribute('data-links')), stale: a.stale + Number(r.getAttribute('data-stale')) }), { open: 0, stale: 0 }),
  );

describe('Live overlay view', () => {
  it('draws a lone peer at its normal size', async () => {
    await page.goto(`${served.url}&debug=graph#/live`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-graph] [data-testid=graph]')?.getAttribute('data-nodes')) >= 1, undefined, {
      timeout: 30_000,
    });
    await page.waitForTimeout(300);
    const v = await view();
    expect(Object.keys(v.nodes)).toHaveLength(1);
    // fitted, but zoomed in no further than 1.5: one peer is not blown up to fill the view
    expect(v.zoom).toBeLessThanOrEqual(1.5);
    // the live legend: trust states and link kinds, from the contract live recordings replay with
    const states = await page.$$eval('[data-testid=live-graph] [data-testid=node-legend] li[data-state]', (l) => l.map((e) => e.getAttribute('data-state')));
    expect(states).toEqual(expect.arrayContaining(['online', 'distrusted', 'cut', 'error']));
    const kinds = await page.$$eval('[data-testid=live-graph] [data-testid=link-legend] li', (l) => l.map((e) => e.textContent?.trim() ?? ''));
    expect(kinds.join('|')).toMatch(/Link.*Random link.*Rewired link.*Stale link.*link just made \(rewiring\).*link just cut/);
  });

  it('keeps every peer in its place as Node peers join; graph and table agree', async () => {
    const before = await view();
    for (let i = 0; i < 3; i++) await page.click('[data-testid=add-peer]');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-peer^="node-"]').length === 3, undefined, { timeout: 60_000 });
    // every Node peer linked to someone
    await page.waitForFunction(() => [...document.querySelectorAll('tr[data-peer^="node-"]')].every((r) => Number(r.getAttribute('data-links')) >= 1), undefined, {
      timeout: 60_000,
    });
    const after = await view();
    expect(Object.keys(after.nodes).length).toBe(Object.keys(before.nodes).length + 3);
    for (const [id, p] of Object.entries(before.nodes)) expect(after.nodes[Number(id)], `peer ${id} moved`).toEqual(p);
    const t = await tableLinks();
    expect(t.open / 2).toBe(await attr('[data-testid=live-graph]', 'data-edges'));
    expect(t.stale).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('adds a simulated population: its peers and bridge are drawn with their own legend entries, and it can be removed', async () => {
    const legendCount = (state: string) =>
      page.$eval(`[data-testid=live-graph] [data-testid=node-legend] li[data-state=${state}] b`, (b) => Number((b.textContent ?? '').replace(/\s/g, '')));
    await page.click('[data-testid=live-simulated] summary');
    await page.fill('[data-testid=sim-count]', '30');
    await page.click('[data-testid=sim-add]');
    await page.waitForSelector('[data-testid=live-simulated] li[data-population]', { timeout: 30_000 });
    await expect.poll(() => legendCount('bridge'), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => legendCount('simulated'), { timeout: 20_000 }).toBeGreaterThanOrEqual(20);
    // the table lists the bridge, not the simulated peers one by one
    expect(await page.locator('tr[data-peer]').count()).toBeLessThan(10);
    await page.click('[data-testid=live-simulated] li[data-population] button');
    await page.waitForSelector('[data-testid=live-simulated] li[data-population]', { state: 'detached', timeout: 20_000 });
    await expect.poll(() => legendCount('simulated'), { timeout: 20_000 }).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
