/** The report of one run: summary, the driver's series and CDFs, traffic, connectivity maps, scenario. */
import type { Series } from '../../protocols/driver.js';
import type { RunResult } from '../runner.js';
import type { Scenario } from '../scenario.js';
import { formatBytes, formatDuration, round } from '../units.js';
import { describeKey, formatValue, isFraction } from './format.js';
import { cdfChart, lineChart } from './charts.js';
import { connectivityMap } from './graph.js';
import { kvTable, page, pre, type Section } from './html.js';

/** Picks ms or s for a time axis. */
export function timeUnit(maxMs: number): { div: number; label: string } {
  return maxMs >= 5000 ? { div: 1000, label: 's' } : { div: 1, label: 'ms' };
}

export function runReport(r: RunResult, scenario: Scenario, summary: Record<string, unknown>): string {
  const maxT = r.virtualTimeMs;
  const tu = timeUnit(maxT);
  const xName = `virtual time (${tu.label})`;
  const toPoints = (s: Series): [number, number][] => s.t.map((t, i) => [t / tu.div, s.v[i]!]);

  const sections: Section[] = [];
  const driverKeys = Object.keys(r.summary);
  sections.push({
    title: 'Summary',
    intro: scenario.description ? `<p>${escapeText(scenario.description)}</p>` : '',
    html: `<div style="display:flex;gap:48px;flex-wrap:wrap"><div><h3>${escapeText(r.protocol)}</h3>${kvTable(
      driverKeys.map((k) => [k, formatValue(k, summary[k])]),
    )}</div><div><h3>Run</h3>${kvTable([
      ['peers', r.peers.toLocaleString('en-US')],
      ['seed', String(r.seed)],
      ['virtual time', formatDuration(r.virtualTimeMs)],
      ['ended by', r.endReason === 'complete' ? 'workload complete' : r.endReason === 'idle' ? 'no events left' : 'time limit'],
      ['events', r.events.toLocaleString('en-US')],
      ['messages', r.messages.toLocaleString('en-US')],
      ['bytes sent', formatBytes(r.bytes)],
      ['messages per peer', String(round(r.messages / r.peers, 4))],
      ['wall time', formatDuration(r.wallMs)],
    ])}</div></div>`,
  });

  const driverSeries = Object.entries(r.series).filter(([k]) => !k.startsWith('net.'));
  if (driverSeries.length > 0) {
    sections.push({
      title: 'Over time',
      intro: '<p>The protocol\'s own time series, sampled in virtual time.</p>',
      charts: driverSeries.map(([k, s]) =>
        lineChart(
          { title: describeKey(k), xName, yName: k, ...(isFraction(s) ? { yMin: 0, yMax: 1 } : {}), xMin: 0 },
          [{ name: k, data: toPoints(s) }],
        ),
      ),
    });
  }

  const sampleSets = Object.entries(r.samples).filter(([, v]) => v.length > 0);
  if (sampleSets.length > 0) {
    sections.push({
      title: 'Distributions',
      intro: '<p>Empirical CDFs of the raw samples (fraction of samples at or below x).</p>',
      charts: sampleSets.map(([k, v]) =>
        cdfChart({ title: `CDF: ${describeKey(k)}`, xName: k, yName: 'fraction ≤ x' }, [{ name: k, values: v }]),
      ),
    });
  }

  const net = (k: string) => r.series[`net.${k}`];
  const traffic: string[] = [];
  const online = net('online');
  if (online) traffic.push(lineChart({ title: 'Peers online', xName, yName: 'peers', yMin: 0, xMin: 0 }, [{ name: 'online', data: toPoints(online), step: true }]));
  const msgs = net('messages');
  if (msgs) traffic.push(lineChart({ title: 'Messages sent (cumulative)', xName, yName: 'messages', xMin: 0 }, [{ name: 'messages', data: toPoints(msgs) }]));
  const bytes = net('bytes');
  if (bytes) traffic.push(lineChart({ title: 'Bytes sent (cumulative)', xName, yName: 'bytes', xMin: 0 }, [{ name: 'bytes', data: toPoints(bytes) }]));
  const dropped = net('dropped');
  if (dropped && dropped.v.some((v) => v > 0))
    traffic.push(lineChart({ title: 'Messages dropped (cumulative)', xName, yName: 'messages', xMin: 0 }, [{ name: 'dropped', data: toPoints(dropped) }]));
  sections.push({ title: 'Network and traffic', charts: traffic });

  if (r.snapshots.length > 0) {
    sections.push({
      title: 'Connectivity map',
      intro: `<p>The overlay at ${r.snapshots.map((s) => formatDuration(s.timeMs)).join(', ')} (at most ${scenario.observe.snapshotPeers} peers drawn, the first by id).</p>`,
      charts: r.snapshots.map((s) => connectivityMap(s, { title: `Overlay at ${formatDuration(s.timeMs)}`, positions: r.positions })),
    });
  }

  sections.push({ title: 'Scenario', intro: `<p class="note">${escapeText(scenario.source)}</p>`, html: pre(scenario.text) });

  return page({
    title: `${scenario.name}`,
    subtitle: `peerlab run · ${r.protocol} · ${r.peers.toLocaleString('en-US')} peers · seed ${r.seed}`,
    facts: [
      ['virtual time', formatDuration(r.virtualTimeMs)],
      ['ended by', r.endReason],
      ['events', r.events.toLocaleString('en-US')],
      ['wall', formatDuration(r.wallMs)],
    ],
    sections,
  });
}

function escapeText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
