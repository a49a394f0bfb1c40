// The dashboard in Debian's Chromium against a real `peerlab serve`, used as a person would: pick a
// shipped scenario, pick a speed, press play, wait for the end, export the data. Whatever the speed
// (1x, 10x, the fastest offered), the run ends at the same virtual time and event as `peerlab run`
// gives for the same scenario and seed, with the same summary, and the charts hold the last sample.
// Then the scenario editor: a bad value is shown at its line with the validator's message and cannot
// be loaded; the fixed text loads and runs. And `[` / `]` change the speed whatever control has focus.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { nextSpeed, SPEEDS } from '../../renderer/src/keys.js';
import { jsonNumber } from '../../src/lab/output.js';
import { playToEnd, servedPageHooks } from './browser.js';

let page: Page;
const tmp = mkdtempSync(join(tmpdir(), 'peerlab-run-end-'));
const SCENARIOS = ['gossip-small', 'kademlia-lookups', 'bittorrent-flash-crowd'] as const;
const cli = new Map<string, Record<string, unknown>>();
/** Keys of the CLI's summary that are not the run's outcome (wall time) or are shown elsewhere. */
const NOT_OUTCOME = new Set(['wallMs', 'scenario', 'protocol', 'seed', 'peers', 'virtualTimeMs', 'endReason', 'events', 'messages', 'bytes']);

beforeAll(() => {
  for (const name of SCENARIOS) {
    const out = join(tmp, name);
    const r = spawnSync(process.execPath, ['bin/peerlab.mjs', 'run', `resources/scenarios/${name}.yaml`, '--out', out, '--quiet'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`peerlab run ${name} failed: ${r.stderr}`);
    cli.set(name, JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>);
  }
}, 120_000);
const pageErrors = servedPageHooks({ open: true }, (s) => ({ page } = s));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Exported {
  state: { timeMs: number; done: boolean; endReason: string | null; seed: number; speed: number };
  counters: { timeMs: number; events: number; sent: number; bytesSent: number; summary: Record<string, unknown> };
  series: Record<string, { t: number[]; v: number[] }>;
}

async function exportJson(): Promise<Exported> {
  const [d] = await Promise.all([page.waitForEvent('download', { timeout: 15_000 }), page.click('[data-testid=export-json]')]);
  return JSON.parse(readFileSync(await d.path(), 'utf8')) as Exported;
}

const maxSpeed = SPEEDS[SPEEDS.length - 1]!;

describe('a run ends as `peerlab run` ends, at any speed', () => {
  for (const name of SCENARIOS) {
    for (const speed of [1, 10, maxSpeed]) {
      it(`${name} at ${speed}x`, async () => {
        await playToEnd(page, name, speed);
        const got = await exportJson();
        const want = cli.get(name)!;
        expect(got.state.done).toBe(true);
        expect(got.state.endReason).toBe(want.endReason);
        expect(got.state.timeMs).toBe(want.virtualTimeMs);
        expect(got.counters.timeMs).toBe(want.virtualTimeMs);
        expect(got.counters.events).toBe(want.events);
        expect(got.counters.sent).toBe(want.messages);
        expect(got.counters.bytesSent).toBe(want.bytes);
        const outcome = Object.keys(want).filter((k) => !NOT_OUTCOME.has(k));
        expect(outcome.length).toBeGreaterThan(3);
        // summary.json writes numbers with 12 significant digits
        for (const k of outcome) {
          const v = got.counters.summary[k];
          expect(typeof v === 'number' ? jsonNumber(v) : v, `${name} ${k}`).toEqual(want[k]);
        }
        // every chart's series reaches the run's last moment
        const ends = Object.values(got.series).map((s) => s.t[s.t.length - 1]);
        expect(ends.length).toBeGreaterThan(0);
        expect(Math.max(...(ends as number[]))).toBe(want.virtualTimeMs);
      }, 120_000);
    }
  }
});

describe('scenario editor', () => {
  it('shows a bad value at its line with the validator’s message, refuses to load it, loads the fixed text', async () => {
    await page.selectOption('[data-testid=scenario]', 'gossip-small');
    await page.waitForSelector('[data-testid=counters] dd:has-text("gossip, 200 peers")');
    await page.click('[data-testid=tab-scenario]');
    await page.waitForFunction(() => (document.querySelector('[data-testid=editor-text]') as HTMLTextAreaElement | null)?.value.includes('fanout: 1'));
    const original = await page.inputValue('[data-testid=editor-text]');
    expect(original).toBe(readFileSync('resources/scenarios/gossip-small.yaml', 'utf8'));
    await page.waitForSelector('[data-testid=editor-ok]');

    const bad = original.replace('fanout: 1', 'fanout: -2').replace('peers: 200', 'peers: many');
    await page.fill('[data-testid=editor-text]', bad);
    const fanoutLine = bad.split('\n').findIndex((l) => l.includes('fanout: -2')) + 1;
    const peersLine = bad.split('\n').findIndex((l) => l.startsWith('peers:')) + 1;
    await page.waitForSelector('[data-testid=editor-issue][data-path="protocol.fanout"]');
    const issues = await page.$$eval('[data-testid=editor-issue]', (lis) => lis.map((li) => ({ path: li.getAttribute('data-path'), line: Number(li.getAttribute('data-line')), text: li.textContent ?? '' })));
    expect(issues.find((i) => i.path === 'protocol.fanout')?.line).toBe(fanoutLine);
    expect(issues.find((i) => i.path === 'peers')?.line).toBe(peersLine);
    expect(await page.getAttribute(`[data-testid=scenario-editor] .gutter [data-line="${fanoutLine}"]`, 'class')).toContain('bad');
    expect(await page.isDisabled('[data-testid=editor-load]')).toBe(true);
    expect(await page.getAttribute('[data-testid=scenario-editor]', 'data-valid')).toBe('no');

    // a click on a problem puts the caret on its line
    await page.click('[data-testid=editor-issue][data-path="protocol.fanout"]');
    const caretLine = await page.$eval('[data-testid=editor-text]', (a) => {
      const t = a as HTMLTextAreaElement;
      return t.value.slice(0, t.selectionStart).split('\n').length;
    });
    expect(caretLine).toBe(fanoutLine);

    const fixed = original.replace('fanout: 1', 'fanout: 2').replace('peers: 200', 'peers: 120').replace('name: gossip, 200 peers', 'name: gossip, 120 peers, fanout 2');
    await page.fill('[data-testid=editor-text]', fixed);
    await page.waitForSelector('[data-testid=editor-ok]');
    await page.click('[data-testid=editor-load]');
    await page.waitForSelector('[data-testid=counters] dd:has-text("gossip, 120 peers, fanout 2")', { state: 'attached' }); // the Run tab is behind the editor
    expect(await page.textContent('[data-testid=peers]')).toBe('120');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === 120, undefined, { timeout: 30_000 });
    await page.click('[data-testid=play]');
    await page.waitForSelector('[data-testid=done]', { timeout: 60_000 });
    expect((await exportJson()).counters.summary.reached).toBe(1);
  }, 120_000);

  it('[ and ] change the speed after the speed box or the slider had focus', async () => {
    await page.click('[data-testid=tab-run]');
    const before = Number(await page.inputValue('[data-testid=speed]'));
    await page.focus('[data-testid=speed]');
    await page.keyboard.press(']');
    await page.waitForFunction((s) => Number((document.querySelector('[data-testid=speed]') as HTMLSelectElement).value) === s, nextSpeed(before, 1));
    await page.focus('[data-testid=timeline]');
    await page.keyboard.press('[');
    await page.keyboard.press('[');
    await page.waitForFunction((s) => Number((document.querySelector('[data-testid=speed]') as HTMLSelectElement).value) === s, nextSpeed(before, -1));
    expect(await page.getAttribute('[data-testid=shortcut-help]', 'title')).toContain('slower / faster');
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});

describe('back to the latest time after scrubbing back', () => {
  it('a button returns the live run to the furthest time it reached, with the same counters', async () => {
    await page.selectOption('[data-testid=scenario]', 'gossip-small');
    await page.waitForSelector('[data-testid=counters] dd:has-text("gossip, 200 peers")', { state: 'attached' });
    await page.selectOption('[data-testid=speed]', '1');
    await page.click('[data-testid=play]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) > 1500, undefined, { timeout: 30_000 });
    await page.click('[data-testid=pause]');
    await page.waitForSelector('[data-testid=play]');
    await page.waitForTimeout(300); // the last publish after the pause
    const shown = async () => ({ t: await page.getAttribute('[data-testid=clock]', 'data-ms'), events: await page.textContent('[data-testid=events]'), sent: await page.textContent('[data-testid=sent]') });
    const before = await shown();
    expect(await page.isVisible('[data-testid=to-latest]')).toBe(false);
    await page.$eval('[data-testid=timeline]', (el) => {
      const input = el as HTMLInputElement;
      input.value = '500';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      input.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) < 1000);
    await page.click('[data-testid=to-latest]');
    await page.waitForFunction((t) => document.querySelector('[data-testid=clock]')?.getAttribute('data-ms') === t, before.t);
    await page.waitForTimeout(300);
    expect(await shown()).toEqual(before);
    await page.waitForSelector('[data-testid=to-latest]', { state: 'detached' });
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
