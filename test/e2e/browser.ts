/**
 * Launches Debian's Chromium through playwright-core with the flags of PLATFORM.md (never
 * `playwright install`). `launchChromium({ webrtc: true })` adds what WebRTC over loopback needs;
 * then give each peer its own context with `newPeerContext(browser)`.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumPath(): string {
  const candidates = [process.env.PEERLAB_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium not found: run `apt-get update && apt-get install -y chromium` (or set PEERLAB_CHROMIUM)');
  return found;
}

export interface LaunchOptions {
  /** Adds --allow-loopback-in-peer-connection for WebRTC between pages on 127.0.0.1. */
  webrtc?: boolean;
  extraArgs?: string[];
}

export async function launchChromium(opts: LaunchOptions = {}): Promise<Browser> {
  const args = [...CHROMIUM_FLAGS, ...(opts.webrtc ? ['--allow-loopback-in-peer-connection'] : []), ...(opts.extraArgs ?? [])];
  return chromium.launch({ executablePath: chromiumPath(), args, headless: true });
}

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
