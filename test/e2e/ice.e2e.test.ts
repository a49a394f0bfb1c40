// Room settings for peers on several networks, in Debian's Chromium against a real `peerlab serve`: the
// Live overlay view's settings take a TURN server (credentials, relay only), a bad URL is refused with
// its path and changes nothing, and with a TURN server that is not there both the window's row and a
// Node peer's row say so instead of sitting unlinked. Leaves test-results/live-turn-error.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, newPeerContext } from './browser.js';
import { startServe, type Served } from './serve.js';

let served: Served;
let browser: Browser;

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium({ webrtc: true });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

async function liveView(): Promise<Page> {
  const ctx = await newPeerContext(browser, served.url.replace(/\/$/, ''));
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1400, height: 800 });
  await page.goto(`${served.url}#/live`);
  await page.locator('[data-testid="add-peer"]').waitFor();
  return page;
}

async function settings(page: Page, urls: string, user: string, credential: string, relayOnly: boolean): Promise<void> {
  const box = page.locator('details', { hasText: 'Room settings' });
  if (!(await box.evaluate((d) => (d as HTMLDetailsElement).open))) await box.locator('summary').click();
  await page.locator('[data-testid="ice-urls"]').fill(urls);
  await box.getByPlaceholder('TURN username').fill(user);
  await box.getByPlaceholder('TURN credential').fill(credential);
  const relay = box.getByLabel('relay only');
  if ((await relay.isChecked()) !== relayOnly) await relay.click();
  await box.getByRole('button', { name: 'Apply' }).click();
}

describe('live room settings: ICE servers', () => {
  it('a bad URL is refused; an unreachable TURN server shows on the window and Node peer rows', async () => {
    const page = await liveView();
    await settings(page, 'turn://nowhere', 'u', 'p', true);
    await expect.poll(() => page.locator('.error').innerText(), { timeout: 10_000 }).toMatch(/ice\.servers\[0\]\.urls\[0\]: expected stun:HOST/);

    // nothing listens on UDP port 9 of loopback: the TURN allocation gets no answer
    await settings(page, 'turn:127.0.0.1:9', 'user', 'secret-credential', true);
    await page.locator('[data-testid="add-peer"]').click();
    const rows = page.locator('tr[data-peer] [data-testid="peer-error"]');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    for (const text of await rows.allInnerTexts()) expect(text).toMatch(/TURN turn:127\.0\.0\.1:9: no relay address/);
    // the window's own row is among them (the browser's relay check), and the Node peer's
    await expect.poll(() => page.locator('tr[data-peer^="node-"] [data-testid="peer-error"]').count(), { timeout: 5_000 }).toBe(1);
    await expect.poll(() => page.locator('tr[data-peer^="tab-"] [data-testid="peer-error"]').count(), { timeout: 5_000 }).toBeGreaterThanOrEqual(1);
    // credentials stay out of what every client of the host sees; the room's ICE shows in the header
    expect(await page.locator('.controls').innerText()).not.toContain('secret-credential');
    const header = await page.locator('[data-testid="live-header"]').innerText();
    expect(header).toContain('ICE turn:127.0.0.1:9 (relay only)');
    expect(header).not.toContain('every interface');
    await page.screenshot({ path: artifactPath('live-turn-error.png') });

    // peers on other machines: Node peers bind ICE to every interface
    await page.locator('details', { hasText: 'Room settings' }).getByLabel('Node peers on every interface').check();
    await settings(page, '', '', '', false);
    await expect.poll(() => page.locator('[data-testid="live-header"]').innerText(), { timeout: 10_000 }).toContain('Node peers on every interface');
  }, 120_000);
});
