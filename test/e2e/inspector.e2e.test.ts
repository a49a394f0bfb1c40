// The peer inspector in Debian's Chromium against a real `peerlab serve`, for every shipped protocol:
// open a scenario, move the timeline, find a peer by id, and the panel shows exactly the sections the
// host's lab.inspect gives for that peer at that moment (facts with their labels, tables with their
// columns and rows, the piece map's count, a lookup's path also drawn on the graph, sets of peers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import type { InspectData, InspectSection } from '../../src/host/lab-group.js';
import { launchChromium } from './browser.js';
import { startServe, type Served } from './serve.js';

let served: Served;
let browser: Browser;
let page: Page;
let ws: WebSocket;
const pageErrors: string[] = [];
let nextId = 1;
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

/** One call from another client, as any client may make it. */
function call<T>(cmd: string, args?: unknown): Promise<T> {
  const id = nextId++;
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    ws.send(JSON.stringify({ type: 'call', id, cmd, ...(args === undefined ? {} : { args }) }));
  });
}

beforeAll(async () => {
  served = await startServe([]);
  ws = new WebSocket(served.wsUrl);
  ws.on('message', (d) => {
    const f = JSON.parse(String(d)) as { type: string; id?: number; result?: unknown; error?: { message: string } };
    const w = f.id === undefined ? undefined : waiting.get(f.id);
    if (!w || f.type === 'event') return;
    waiting.delete(f.id!);
    if (f.type === 'result') w.resolve(f.result);
    else w.reject(new Error(f.error?.message ?? JSON.stringify(f)));
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(served.url);
  await page.waitForSelector('[data-testid=connection]:has-text("open")');
});

afterAll(async () => {
  ws?.close();
  await browser?.close();
  await served?.stop();
});

/** What the panel should show of a section, read the same way from the DOM and from lab.inspect. */
function expected(s: InspectSection): unknown {
  switch (s.kind) {
    case 'facts':
      return { kind: s.kind, title: s.title, labels: s.rows.map((r) => r.label) };
    case 'table':
      return { kind: s.kind, title: s.title, labels: s.columns.map((c) => c.label), rows: s.rows.length };
    case 'bits':
      return { kind: s.kind, title: s.title, note: `${s.label}: ${[...s.bits].filter((b) => b === '1').length} of ${s.bits.length}` };
    case 'path':
      return { kind: s.kind, title: s.title, peers: s.peers.map(String) };
    case 'peers':
      return { kind: s.kind, title: s.title, peers: s.peers.slice(0, 80).map(String) };
  }
}

async function shownSections(): Promise<unknown[]> {
  return page.$$eval('[data-testid=inspector] section.section', (els) =>
    els.map((el) => {
      const kind = el.getAttribute('data-kind');
      const title = el.getAttribute('data-title');
      const texts = (sel: string) => [...el.querySelectorAll(sel)].map((x) => (x.textContent ?? '').trim());
      if (kind === 'facts') return { kind, title, labels: texts('dt') };
      if (kind === 'table') return { kind, title, labels: texts('th'), rows: el.querySelectorAll('tbody tr').length };
      if (kind === 'bits') return { kind, title, note: texts('p.note')[0] };
      return { kind, title, peers: texts('button.peer-link') };
    }),
  );
}

const CASES: [scenario: string, atMs: number, kinds: InspectSection['kind'][]][] = [
  ['gossip-small', 1500, ['facts', 'table']],
  ['adaptive-reputation', 3000, ['table']],
  ['bittorrent-flash-crowd', 3000, ['bits', 'table', 'peers']],
  ['kademlia-lookups', 3000, ['table', 'path']],
  ['hybrid-trackerless', 3000, ['bits', 'table']],
];

describe('peer inspector in Chromium', () => {
  for (const [scenario, atMs, kinds] of CASES) {
    it(`${scenario}: the panel shows the host's sections for a peer found by id`, async () => {
      await page.selectOption('[data-testid=scenario]', scenario);
      await page.waitForFunction((n) => (document.querySelector('[data-testid=scenario]') as HTMLSelectElement | null)?.value === n, scenario);
      await page.waitForSelector('[data-testid=play]');
      await call('lab.seek', { timeMs: atMs }); // another window moves the run: this one follows
      await page.waitForFunction((x) => Number(document.querySelector('[data-testid=clock]')?.getAttribute('data-ms')) === x, atMs, { timeout: 60_000 });
      // a peer whose inspection has every kind this protocol is expected to show (a peer that has looked something up, ...)
      let peer = -1;
      let want: InspectData | null = null;
      for (let p = 1; p < 400 && peer < 0; p++) {
        const d = await call<InspectData>('lab.inspect', { peer: p });
        if (kinds.every((k) => d.sections.some((s) => s.kind === k && (s.kind !== 'path' || s.peers.length > 1)))) [peer, want] = [p, d];
      }
      expect(peer, `a peer with ${kinds.join(', ')} among the first 400`).toBeGreaterThan(0);
      await page.fill('[data-testid=peer-search]', String(peer));
      await page.press('[data-testid=peer-search]', 'Enter');
      await page.waitForSelector(`[data-testid=inspector][data-peer="${peer}"][data-loaded=yes]`);
      expect(await page.textContent('[data-testid=inspector] h3')).toBe(`Peer ${peer}`);
      expect(Number(await page.textContent('[data-testid=inspector-degree]'))).toBe(want!.neighbours.length);
      expect(await shownSections()).toEqual(want!.sections.map(expected));
      const path = want!.sections.find((s) => s.kind === 'path');
      if (path?.kind === 'path') expect(await page.getAttribute('[data-testid=graph]', 'data-path')).toBe(path.peers.join(' '));
      // a peer named in a table is a link to it
      const table = want!.sections.find((s) => s.kind === 'table' && s.peerColumn !== undefined && s.rows.length > 0);
      if (table?.kind === 'table') {
        const other = table.rows[0]![table.peerColumn!] as number;
        await page.click(`[data-testid=inspector] section[data-title="${table.title}"] tbody tr:first-child button.peer-link`);
        await page.waitForSelector(`[data-testid=inspector][data-peer="${other}"][data-loaded=yes]`);
      }
      await page.keyboard.press('Escape');
      await page.keyboard.press('Escape');
    }, 90_000);
  }

  it('left no page errors', () => {
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });
});
