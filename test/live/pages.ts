/**
 * Chromium pages as live peers for the tests: serves a page that bundles test/live/fixtures/browser-entry.ts
 * (the BrowserPeer the Editor view uses, driven through `window.peerlab`) on 127.0.0.1, and opens pages in
 * separate browser contexts (one peer each).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPeerContext } from '../e2e/browser.js';

export interface PeerPages {
  browser: Browser;
  origin: string;
  /** A fresh page in its own browser context. */
  open(): Promise<Page>;
  close(): Promise<void>;
}

export async function servePeerPages(): Promise<PeerPages> {
  const out = await build({
    entryPoints: [path.join(import.meta.dirname, 'fixtures', 'browser-entry.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const js = out.outputFiles[0]!.text;
  const server = http.createServer((req, res) => {
    if (req.url === '/peer.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(js);
    } else {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><meta charset="utf-8"><title>peer</title><script type="module" src="/peer.js"></script>');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium({ webrtc: true });
  return {
    browser,
    origin,
    async open() {
      const ctx = await newPeerContext(browser, origin);
      const page = await ctx.newPage();
      page.on('pageerror', (e) => console.error('[page]', e.message));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Loads the peer page and starts its BrowserPeer with `opts`; returns the peer id. */
export async function startPage(page: Page, origin: string, opts: Record<string, unknown>): Promise<number> {
  await page.goto(origin);
  await page.waitForFunction(() => (window as unknown as { peerlabReady?: boolean }).peerlabReady === true);
  return page.evaluate((o) => (window as never as { peerlab: { start(o: unknown): Promise<number> } }).peerlab.start(o), opts);
}
