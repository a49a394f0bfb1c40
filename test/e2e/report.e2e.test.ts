// The lab's reports in Debian's Chromium: `peerlab run` on the dashboard's default scenario and
// `peerlab compare --quick` write report.html files that open from disk with no console errors, no
// network requests, and every chart drawn as inline SVG. Leaves full-page screenshots in test-results/.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as compare } from '../../src/cli/compare.js';
import { main as run } from '../../src/cli/run.js';
import { artifactPath, launchChromium } from './browser.js';

const ROOT = resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'peerlab-report-e2e-'));
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** Opens a report from disk and collects console errors, page errors and any request it makes. */
async function open(file: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith('file:')) requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, problems, requests };
}

describe('report.html in Chromium', () => {
  it('peerlab run: the gossip-small report renders its charts, map and scenario', async () => {
    const out = join(tmp, 'run');
    expect(await run([join(ROOT, 'resources/scenarios/gossip-small.yaml'), '--out', out, '--quiet'])).toBe(0);
    const { page, problems, requests } = await open(join(out, 'report.html'));
    expect(await page.title()).toBe('gossip, 200 peers');
    const sections = await page.$$eval('section h2', (hs) => hs.map((h) => h.textContent));
    expect(sections).toEqual(['Summary', 'Over time', 'Distributions', 'Network and traffic', 'Connectivity map', 'Scenario']);
    // every chart is an SVG with drawn content and a size
    const charts = await page.$$eval('.chart svg', (svgs) =>
      svgs.map((s) => ({ w: s.getBoundingClientRect().width, h: s.getBoundingClientRect().height, shapes: s.querySelectorAll('path, line, circle, rect').length })),
    );
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const c of charts) {
      expect(c.w).toBeGreaterThan(300);
      expect(c.h).toBeGreaterThan(200);
      expect(c.shapes).toBeGreaterThan(5);
    }
    // the connectivity map at the end: all 200 peers drawn, all infected
    const lastMap = await page.$$eval('section:nth-of-type(5) svg', (svgs) => {
      const s = svgs[svgs.length - 1] as SVGSVGElement;
      return { peers: s.querySelectorAll('g circle').length, legend: s.textContent ?? '' };
    });
    expect(lastMap.peers).toBe(200);
    expect(lastMap.legend).toContain('infected (200)');
    expect(await page.textContent('pre')).toContain('variant: push-pull');
    await page.screenshot({ path: artifactPath('lab-run-report.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('peerlab compare --quick: the headline report holds every chart it promises', async () => {
    const out = join(tmp, 'compare');
    expect(await compare(['--out', out, '--quick'])).toBe(0);
    // compare.csv carries the swarm discovery columns, filled for the trackerless study's rows
    const csv = readFileSync(join(out, 'compare.csv'), 'utf8').trim().split('\n');
    const head = csv[0]!.split(',');
    expect(head).toEqual(expect.arrayContaining(['firstPeerMs', 'discoveryBytesPerPeer']));
    const firstPeer = head.indexOf('firstPeerMs');
    const swarmRows = csv.slice(1).filter((l) => l.split(',')[head.indexOf('study')] === 'trackerless');
    expect(swarmRows.length).toBeGreaterThan(0);
    for (const l of swarmRows) expect(Number(l.split(',')[firstPeer])).toBeGreaterThan(0);
    // the adaptive study: reputation on cuts malicious peers off and costs traffic; off does neither
    const col = (l: string, k: string) => Number(l.split(',')[head.indexOf(k)]);
    const adaptiveRow = (p: string) => csv.slice(1).find((l) => l.split(',')[head.indexOf('protocol')] === p);
    const on = adaptiveRow('adaptive'), off = adaptiveRow('adaptive-off');
    expect(on && off).toBeTruthy();
    expect(col(on!, 'cutOff')).toBeGreaterThan(0.5);
    expect(col(on!, 'reputationBytesPerPeer')).toBeGreaterThan(0);
    expect(col(off!, 'cutOff')).toBe(0);
    expect(col(off!, 'reputationBytesPerPeer')).toBe(0);
    const { page, problems, requests } = await open(join(out, 'report.html'));
    const html = await page.content();
    for (const title of [
      'Dissemination curve: fraction of peers reached',
      'CDF of completion time per peer',
      'CDF of Kademlia lookup latency by network size',
      'Time to complete vs peers',
      'Gossip: rounds to reach all vs theory',
      'Kademlia: lookup hops vs the bound',
      'BitTorrent: last completion vs Kumar-Ross bound',
      'Messages per peer served',
      'Bytes per peer served',
      'Reliability under churn',
      'Time to deliver the file vs its size',
      'Kumar-Ross lower bound T*',
      'Adaptive overlay under attack: reputation on and off',
      'Time to isolate a malicious peer (median)',
      'Collaborative sync: overlay vs y-webrtc vs flooding',
      'Sync: edit convergence p99 vs peers',
      'Sync: CDF of edit convergence at 30 peers',
      'Sync: join cost',
    ])
      expect(html, title).toContain(title);
    const maps = await page.$$eval('section svg[role="img"]', (svgs) => svgs.length);
    expect(maps).toBeGreaterThanOrEqual(4); // connectivity maps of every protocol
    const analysis = await page.textContent('section:first-of-type');
    expect(analysis).toMatch(/needed \d+(\.\d+)? rounds at [\d,]+ peers against [\d.]+ from theory/);
    await page.screenshot({ path: artifactPath('lab-compare-report.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
