// The Live overlay view in Debian's Chromium against a real `peerlab serve` with real Node peers
// (their own processes, WebRTC over loopback): a lone peer is drawn at its normal size, peers keep their
// places as others come and go, and the graph and the table count the same links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerContext } from './browser.js';
import { startServe, type Served } from './serve.js';

let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium({ webrtc: true });
  const ctx = await newPeerContext(browser, served.origin);
  page = await ctx.newPage();
  await page.setViewportSize({ width: 1300, height: 800 });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

const attr = async (sel: string, name: string): Promise<number> => Number(await page.getAttribute(sel, name));
/** Positions and zoom of the view's Cytoscape instance (Cytoscape keeps it on its container). */
const view = () =>
  page.evaluate(() => {
    const cy = (document.querySelector('[data-testid=live-graph]') as unknown as { _cyreg: { cy: import('cytoscape').Core } })._cyreg.cy;
    return {
      zoom: cy.zoom(),
      nodes: Object.fromEntries(cy.nodes().map((n) => [n.id(), { ...n.position(), w: n.renderedWidth() }])),
    };
  });
/** Links as the table counts them: open and stale, summed over rows (each link has two ends). */
const tableLinks = () =>
  page.$$eval('tr[data-peer]', (rows) =>
    rows.reduce((a, r) => ({ open: a.open + Number(r.getAttribute('data-links')), stale: a.stale + Number(r.getAttribute('data-stale')) }), { open: 0, stale: 0 }),
  );

describe('Live overlay view', () => {
  it('draws a lone peer at its normal size', async () => {
    await page.goto(`${served.url}#/live`);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=live-graph]')?.getAttribute('data-nodes')) >= 1, undefined, { timeout: 30_000 });
    await page.waitForTimeout(300);
    const v = await view();
    const widths = Object.values(v.nodes).map((n) => n.w);
    expect(widths.length).toBe(1);
    expect(v.zoom).toBeLessThanOrEqual(1.3);
    expect(widths[0]).toBeLessThanOrEqual(22 * 1.3 + 0.5);
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
    for (const [id, p] of Object.entries(before.nodes)) expect({ x: after.nodes[id]!.x, y: after.nodes[id]!.y }, `peer ${id} moved`).toEqual({ x: p.x, y: p.y });
    const t = await tableLinks();
    expect(t.open / 2).toBe(await attr('[data-testid=live-graph]', 'data-edges'));
    expect(t.stale).toBe(0);
    expect(pageErrors).toEqual([]);
  });
});
