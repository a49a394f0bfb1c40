/**
 * Launches Debian's Chromium through playwright-core with the flags of PLATFORM.md (never
 * `playwright install`; the launcher is src/bench/chromium.ts, which the dashboard's benches share).
 * `launchChromium({ webrtc: true })` adds what WebRTC over loopback needs; then give each peer its own
 * context with `newPeerContext(browser)`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

export { CHROMIUM_FLAGS, chromiumPath, launchChromium, type LaunchOptions } from '../../src/bench/chromium.js';

/**
 * A fresh context for one WebRTC peer: camera/microphone granted so Chromium offers plain host
 * addresses (127.0.0.1) instead of mDNS names.
 */
export async function newPeerContext(browser: Browser, origin?: string): Promise<BrowserContext> {
  const ctx = await browser.newContext();
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
