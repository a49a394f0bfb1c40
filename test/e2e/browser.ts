/**
 * Launches Debian's Chromium through playwright-core with the flags of PLATFORM.md (never
 * `playwright install`; the launcher is src/bench/chromium.ts, which the dashboard's benches share).
 * `launchChromium({ webrtc: true })` adds what WebRTC over loopback needs; then give each peer its own
 * context with `newPeerContext(browser)`. `openServedPage` is the usual start of a dashboard test (a
 * `peerlab serve`, Chromium, one page), `scrubTo` moves the dashboard's timeline as a person would.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from '../../src/bench/chromium.js';
import { startServe, type Served } from './serve.js';

export { CHROMIUM_FLAGS, chromiumPath, launchChromium, type LaunchOptions } from '../../src/bench/chromium.js';

/**
 * A fresh context for one WebRTC peer: camera/microphone granted so Chromium offers plain host
 * addresses (127.0.0.1) instead of mDNS names.
 */
export async function newPeerContext(browser: Browser, origin?: string, viewport?: Viewport): Promise<BrowserContext> {
  const ctx = await browser.newContext(viewport ? { viewport } : {});
  await ctx.grantPermissions(['camera', 'microphone'], origin ? { origin } : undefined);
  return ctx;
}

/** test-results/<name>, created. */
export function artifactPath(name: string): string {
  const dir = join(process.cwd(), 'test-results');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Collects the page's uncaught errors and console errors into `into` (a test then expects it empty). */
export function collectPageErrors(page: Page, into: string[]): void {
  page.on('pageerror', (e) => into.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') into.push(m.text());
  });
}

export interface Viewport {
  width: number;
  height: number;
}

/** A real `peerlab serve`, Chromium, and one page for it. */
export interface ServedPage {
  served: Served;
  browser: Browser;
  page: Page;
  /** The page's uncaught errors and console errors (collectPageErrors); a test expects them empty. */
  errors: string[];
  /** Prints the page's errors, if any, closes Chromium and stops the server (for afterAll). */
  close(): Promise<void>;
}

export interface ServedPageOptions {
  /** Arguments of `peerlab serve` (after `--port 0`). Default none. */
  serveArgs?: string[];
  /** The page is a WebRTC peer: Chromium's WebRTC flags and a peer context (newPeerContext). */
  webrtc?: boolean;
  /** Default 1400 x 900. */
  viewport?: Viewport;
  /** Opens the dashboard and waits until its connection to the host is open. Default false. */
  open?: boolean;
}

/** Starts `peerlab serve` and Chromium and makes the page (its errors into `errors`); see ServedPageOptions. */
export async function openServedPage(o: ServedPageOptions = {}, errors: string[] = []): Promise<ServedPage> {
  const served = await startServe(o.serveArgs ?? []);
  const browser = await launchChromium(o.webrtc ? { webrtc: true } : {});
  const viewport = o.viewport ?? { width: 1400, height: 900 };
  const ctx = o.webrtc ? await newPeerContext(browser, served.origin, viewport) : await browser.newContext({ viewport });
  const page = await ctx.newPage();
  collectPageErrors(page, errors);
  if (o.open) {
    await page.goto(served.url);
    await page.waitForSelector('[data-testid=connection]:has-text("open")');
  }
  return {
    served,
    browser,
    page,
    errors,
    async close() {
      if (errors.length) console.error(`page errors:\n${errors.join('\n')}`);
      await browser.close();
      await served.stop();
    },
  };
}

/**
 * The usual set-up of a dashboard test file: beforeAll opens a served page (openServedPage) and hands it
 * to `use`, afterAll closes it. Returns the page's errors, collected as it runs (a test expects none).
 */
export function servedPageHooks(o: ServedPageOptions, use: (s: ServedPage) => void): string[] {
  const errors: string[] = [];
  let s: ServedPage | undefined;
  beforeAll(async () => {
    s = await openServedPage(o, errors);
    use(s);
  }, 120_000);
  afterAll(() => s?.close());
  return errors;
}

/**
 * Moves the dashboard's timeline to t as a drag and release would, and waits until the clock shows
 * `shows(value)` (default: the value itself), where value is the time the slider took: its steps may
 * stop short of the end, and then the last step means the very end (TimelineBar). Returns the value.
 */
export async function scrubTo(page: Page, t: number, shows: (value: number) => number = (v) => v): Promise<number> {
  const value = await page.$eval(
    '[data-testid=timeline]',
    (el, v) => {
      const input = el as HTMLInputElement;
      input.value = String(v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return Number(input.value) + Number(input.step) > Number(input.max) ? Number(input.max) : Number(input.value);
    },
    t,
  );
  await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === x, shows(value), { timeout: 15_000 });
  await page.waitForTimeout(150); // the snapshot and legend of the same publish
  return value;
}

/** Picks a shipped scenario (unless it is the current one), resets it, sets the speed and plays it to its end. */
export async function playToEnd(page: Page, scenario: string, speed = 1000, timeoutMs = 90_000): Promise<void> {
  if ((await page.inputValue('[data-testid=scenario]')) !== scenario) {
    await page.selectOption('[data-testid=scenario]', scenario);
    await page.waitForFunction((n) => (document.querySelector('[data-testid=scenario]') as HTMLSelectElement | null)?.value === n, scenario);
  }
  await page.click('[data-testid=reset]');
  await page.waitForFunction(() => document.querySelector('[data-testid=clock]')?.getAttribute('data-ms') === '0');
  await page.selectOption('[data-testid=speed]', String(speed));
  await page.waitForFunction((s) => (document.querySelector('[data-testid=speed]') as HTMLSelectElement | null)?.value === s, String(speed));
  await page.click('[data-testid=play]');
  await page.waitForSelector('[data-testid=done]', { timeout: timeoutMs });
}
