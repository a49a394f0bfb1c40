/**
 * Debian's Chromium driven through playwright-core (never `playwright install`), with the flags of
 * PLATFORM.md. The dashboard's benches and the end-to-end tests launch it the same way. playwright-core
 * is a development dependency: it is loaded only when a browser is launched.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

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
  const { chromium } = await import('playwright-core');
  const args = [...CHROMIUM_FLAGS, ...(opts.webrtc ? ['--allow-loopback-in-peer-connection'] : []), ...(opts.extraArgs ?? [])];
  return chromium.launch({ executablePath: chromiumPath(), args, headless: true });
}
