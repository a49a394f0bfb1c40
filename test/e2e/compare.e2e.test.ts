// Two runs' charts side by side, in Debian's Chromium against a real `peerlab serve`: a person plays
// gossip-small to its end, pins it, loads infect-and-die gossip (2,000 peers) and plays it. Every chart
// then shows the pinned run on the left, frozen, and the new run on the right, on one y scale that
// holds both (the online-peers chart reaches 2,000, so the left's 200 are drawn low); the pinned
// run's lines are really drawn (its line colour in the chart's left half); unpinning goes back to one
// run per chart.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { playToEnd as playPage, servedPageHooks } from './browser.js';

let page: Page;
const pageErrors = servedPageHooks({ open: true }, (s) => ({ page } = s));

const playToEnd = (name: string) => playPage(page, name, 1000);

interface ChartInfo {
  id: string;
  pinned: number;
  now: number;
  yTop: string;
}
const charts = (): Promise<ChartInfo[]> =>
  page.$$eval('[data-chart]', (els) =>
    els.map((e) => ({
      id: e.getAttribute('data-chart') ?? '',
      pinned: Number(e.getAttribute('data-pinned-points')),
      now: Number(e.getAttribute('data-now-points')),
      yTop: e.getAttribute('data-y-top') ?? '',
    })),
  );

/** Pixels of one colour in the left and right halves of a chart's canvas. */
const inkByHalf = (id: string, rgb: [number, number, number]): Promise<{ left: number; right: number }> =>
  page.evaluate(
    ([id, rgb]) => {
      const c = document.querySelector(`[data-chart="${id}"] canvas`) as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let left = 0;
      let right = 0;
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i]! - rgb[0]) + Math.abs(d[i + 1]! - rgb[1]) + Math.abs(d[i + 2]! - rgb[2]) > 24) continue;
        if ((i / 4) % c.width < c.width / 2) left++;
        else right++;
      }
      return { left, right };
    },
    [id, rgb] as const,
  );

describe('two runs side by side', () => {
  it('pins a run, shows it beside the next on shared axes, frozen, and unpins', async () => {
    await playToEnd('gossip-small');
    expect(Number(await page.getAttribute('[data-testid=clock]', 'data-ms'))).toBeGreaterThan(0);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=charts]')?.getAttribute('data-points')) > 0);
    await page.click('[data-testid=pin-run]');
    await page.waitForSelector('[data-testid=pinned-run]');
    expect(await page.getAttribute('[data-testid=pinned-run]', 'data-caption')).toMatch(/^gossip, 200 peers.* · gossip · seed 1 · t = /);
    expect(await page.getAttribute('[data-testid=charts]', 'data-pinned')).toBe('true');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((e) => Number(e.getAttribute('data-pinned-points')) > 0));
    const atPin = await charts();
    expect(atPin.map((c) => c.id)).toEqual(expect.arrayContaining(['net-rate', 'net-online']));

    await playToEnd('gossip-infect-and-die');
    // the right half follows the new run; the left half still holds exactly what was pinned
    await page.waitForTimeout(500); // one throttled chart redraw (200 ms) after the last series event
    const after = await charts();
    for (const c of atPin) {
      const now = after.find((x) => x.id === c.id);
      expect(now, c.id).toBeDefined();
      expect(now!.pinned, `${c.id}: pinned points`).toBe(c.pinned);
      expect(now!.now, `${c.id}: the new run's points`).toBeGreaterThan(0);
    }
    // one y scale for both: peers online reach 2,000 in the new run, so the shared top is 2,000
    expect(Number(after.find((c) => c.id === 'net-online')!.yTop)).toBe(2000);
    // the pinned run's peers-online line (#475569) is drawn in the left half, the new run's in the right
    const ink = await inkByHalf('net-online', [0x47, 0x55, 0x69]);
    expect(ink.left).toBeGreaterThan(50);
    expect(ink.right).toBeGreaterThan(50);
    expect(await page.textContent('[data-testid=pinned-run]')).toContain('gossip, 200 peers');

    await page.click('[data-testid=unpin-run]');
    await page.waitForSelector('[data-testid=pin-run]');
    await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((e) => e.getAttribute('data-pinned-points') === '0'));
    expect(await page.getAttribute('[data-testid=charts]', 'data-pinned')).toBe('false');
    expect(pageErrors).toEqual([]);
  });
});
