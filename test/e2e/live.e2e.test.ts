// The live views in Debian's Chromium against a real `peerlab serve`: two windows (separate browser
// contexts, each a peer with the browser's WebRTC) open the Editor and see each other's typing and
// names; the Live overlay view adds a Node peer, which shows in the table and whose typing reaches
// the editors. Leaves test-results/live-editor.png and test-results/live-overlay.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, newPeerContext } from './browser.js';
import { startServe, type Served } from './serve.js';

let served: Served;
let browser: Browser;
const pageErrors: string[] = [];

beforeAll(async () => {
  served = await startServe();
  browser = await launchChromium({ webrtc: true });
});

afterAll(async () => {
  await browser?.close();
  await served?.stop();
});

async function window(hash: string): Promise<Page> {
  const ctx = await newPeerContext(browser, served.origin);
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1300, height: 800 });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(`${served.url}${hash}`);
  return page;
}

const editorText = (p: Page) => p.locator('[data-testid="editor"] .cm-content').innerText();

describe('live views', () => {
  it('two windows co-edit in the Editor; a Node peer added from the Live overlay joins in', async () => {
    const a = await window('#/editor');
    const b = await window('#/editor');
    await a.locator('[data-testid="editor"] .cm-content').waitFor();
    await b.locator('[data-testid="editor"] .cm-content').waitFor();
    await a.locator('[data-testid="editor"] .cm-content').click();
    await a.keyboard.type('hello from A ');
    await expect.poll(() => editorText(b), { timeout: 30_000 }).toContain('hello from A');
    await b.locator('[data-testid="editor"] .cm-content').click();
    await b.keyboard.press('End');
    await b.keyboard.type('and B');
    await expect.poll(() => editorText(a), { timeout: 30_000 }).toContain('and B');
    // both names are present through awareness
    await expect.poll(() => a.locator('.who .user').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
    await a.screenshot({ path: artifactPath('live-editor.png') });

    await a.goto(`${served.url}#/live`);
    await a.locator('[data-testid="add-peer"]').click();
    const nodeRow = a.locator('tr[data-peer^="node-"]');
    await nodeRow.first().waitFor({ timeout: 60_000 });
    const before = (await editorText(b)).length;
    await nodeRow.first().getByRole('button', { name: 'type' }).click();
    await expect.poll(async () => (await editorText(b)).length, { timeout: 60_000 }).toBeGreaterThan(before + 10);
    await expect.poll(() => a.locator('tr[data-peer]').count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(3);
    await a.screenshot({ path: artifactPath('live-overlay.png') });
    expect(pageErrors).toEqual([]);
  }, 170_000);
});
