/**
 * How fast the dashboard's peer graph redraws in Chromium (resources/bench/dashboard-graph.yaml): the
 * real app, served by a real host in this process, drawing a scenario's peers (2,000 by default) in
 * Debian's headless Chromium (software rendering: no GPU here). Three figures, each over `seconds` of
 * wall time:
 * - redrawFps: full redraws per second, every link, peer and overlay layer drawn again from scratch
 *   on every animation frame (the page's `?debug=graph` hook asks for it);
 * - restyleFps: frames per second when every peer changes colour each frame (what a run where every
 *   peer changes state at once costs: the peer layer is drawn again, the links are not);
 * - zoomFps: the page's animation frames per second while a wheel zooms in and out on every frame;
 * - playFps: animation frames per second of the page while the run plays and snapshots of all drawn
 *   peers arrive and are applied, with the median and 90th percentile of one snapshot's apply time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, quantileSorted } from '../../core/index.js';
import { createHost, type LabState } from '../../host/index.js';
import { recordedText } from '../../host/record-run.js';
import { serveHost } from '../../host/ws-server.js';
import { launchChromium } from '../chromium.js';
import type { BenchCase, Figures, OptionsOf, OptionTypes } from '../runner.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const OPTIONS = {
  scenario: 'string',
  set: 'string',
  'max-peers': 'int',
  seconds: 'number',
  speed: 'number',
  width: 'int',
  height: 'int',
  query: 'string',
} as const satisfies OptionTypes;

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;
// Page code is passed as source text: tsx compiles functions with a naming helper the page does not have.

async function run(o: OptionsOf<typeof OPTIONS>, ctx: { log(line: string): void }): Promise<Figures> {
  const staticDir = join(ROOT, 'out', 'renderer');
  if (!existsSync(join(staticDir, 'index.html'))) throw new Error(`no built dashboard in ${staticDir}: run \`npm run build\` first`);
  const scenariosDir = join(ROOT, 'resources', 'scenarios');
  const file = existsSync(o.scenario) ? o.scenario : join(scenariosDir, `${o.scenario}.yaml`);
  const text = recordedText({ file, text: readFileSync(file, 'utf8'), set: o.set.split(';').filter(Boolean) });
  // no live network here: its group stays unmounted on purpose, so the host's note about it is not news
  const host = createHost({ scenariosDir, defaultScenario: null, maxPeers: o.maxPeers, plugins: [], log: () => undefined });
  await host.ready;
  const state = async (): Promise<LabState> => (await host.lab.call('lab.state')) as LabState;
  await host.lab.call('lab.load', { text });
  await host.lab.call('lab.speed', { speed: o.speed });
  const expected = Math.min((await state()).peers, o.maxPeers);
  const served = await serveHost({ host, port: 0, staticDir });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: o.width, height: o.height } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const t0 = performance.now();
    await page.goto(`${served.url}&debug=graph${o.query ? `&${o.query}` : ''}`);
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid=graph]')?.getAttribute('data-nodes')) === n, expected, { timeout: 120_000 });
    const drawnMs = performance.now() - t0;
    await page.waitForTimeout(1000); // the first frames after the picture
    const links = Number(await page.getAttribute('[data-testid=graph]', 'data-links'));
    ctx.log(`drawn ${expected} peers, ${links} links in ${Math.round(drawnMs)} ms; measuring`);

    /** Frames the graph drew (and the page's animation frames) over `ms` while `mode` happens on every frame. */
    const measure = (mode: 'redraw' | 'restyle' | 'wheel', ms: number) =>
      page.evaluate<{ drawn: number; frames: number; ms: number }>(`new Promise((resolve) => {
        const g = window.peerlabGraph;
        const box = document.querySelector('[data-testid=graph]');
        const r = box.getBoundingClientRect();
        const colours = ['#f97316', '#2563eb'];
        const drawn0 = g.frames();
        let frames = 0;
        const start = performance.now();
        const frame = () => {
          frames++;
          if (${JSON.stringify(mode)} === 'restyle') g.restyleAll(colours[frames % 2]);
          else if (${JSON.stringify(mode)} === 'redraw') g.redrawAll();
          else box.dispatchEvent(new WheelEvent('wheel', { deltaY: frames % 40 < 20 ? -20 : 20, clientX: r.left + r.width / 2, clientY: r.top + r.height / 2, bubbles: true, cancelable: true }));
          if (performance.now() - start < ${ms}) requestAnimationFrame(frame);
          else setTimeout(() => resolve({ drawn: g.frames() - drawn0, frames, ms: performance.now() - start }), 0);
        };
        requestAnimationFrame(frame);
      })`);
    const ms = o.seconds * 1000;
    const redraw = await measure('redraw', ms);
    const restyle = await measure('restyle', ms);
    const wheel = await measure('wheel', ms);

    // playing: the page's frame rate while snapshots arrive, and what applying one costs
    await page.evaluate(`(() => {
      window.__frames = 0;
      window.__draws = [];
      const el = document.querySelector('[data-testid=graph]');
      new MutationObserver(() => window.__draws.push(Number(el.getAttribute('data-draw-ms')))).observe(el, { attributes: true, attributeFilter: ['data-draw-ms'] });
      const tick = () => { window.__frames++; requestAnimationFrame(tick); };
      requestAnimationFrame(tick);
    })()`);
    const f0 = await page.evaluate<number>('window.__frames');
    const p0 = performance.now();
    await host.lab.call('lab.play');
    await page.waitForTimeout(ms);
    const play = await page.evaluate<{ frames: number; draws: number[] }>('({ frames: window.__frames, draws: window.__draws })');
    const playMs = performance.now() - p0;
    await host.lab.call('lab.pause');
    const draws = [...play.draws].sort((a, b) => a - b);
    if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
    return {
      scenario: o.scenario,
      peersDrawn: expected,
      linksDrawn: links,
      viewport: `${o.width}x${o.height}`,
      loadToDrawnMs: Math.round(drawnMs),
      redrawFps: round((redraw.drawn * 1000) / redraw.ms),
      restyleFps: round((restyle.drawn * 1000) / restyle.ms),
      zoomFps: round((wheel.frames * 1000) / wheel.ms),
      playFps: round(((play.frames - f0) * 1000) / playMs),
      snapshotsApplied: draws.length,
      snapshotApplyMsMedian: draws.length ? round(median(draws)) : null,
      snapshotApplyMsP90: draws.length ? round(quantileSorted(draws, 0.9)) : null,
      virtualMsPlayed: Math.round((await state()).timeMs),
    };
  } finally {
    await browser.close();
    await served.close();
    await host.close();
  }
}

export const benchCase: BenchCase<typeof OPTIONS> = { options: OPTIONS, run };
