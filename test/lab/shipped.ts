/**
 * Runs `peerlab run` (the real command's main, in this process) on a shipped scenario and checks the
 * three outputs. Big scenarios are shrunk with --set so the whole set stays inside the test budget.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'vitest';
import { main as run } from '../../src/cli/run.js';

export const SCENARIOS = resolve(import.meta.dirname, '../../resources/scenarios');

/** Keys each protocol's issue promises in summary.json. */
const PROTOCOL_KEYS: Record<string, string[]> = {
  gossip: ['reached', 'roundsToAll', 'timeToAllMs', 'messagesPerPeer', 'duplicatesPerPeer'],
  kademlia: ['lookups', 'successRate', 'meanHops', 'p50LatencyMs', 'p99LatencyMs', 'messagesPerLookup'],
  bittorrent: ['meanCompletionMs', 'lastCompletionMs', 'lowerBoundMs', 'boundRatio', 'completed'],
  hybrid: ['meanCompletionMs', 'lastCompletionMs', 'lowerBoundMs', 'boundRatio', 'completed', 'timeToFirstPeerMs', 'dhtMessagesPerPeer', 'dhtBytesPerPeer', 'lookupsDone', 'lookupHops', 'pieceLookups'],
  sync: ['converged', 'distinctDigests', 'convergenceP50Ms', 'convergenceP99Ms', 'bytesPerEditPerPeer', 'antiEntropyBytesPerPeer', 'maxUploadBytesPerEdit', 'joinBytesPerDocByte', 'signalingMessagesPerPeer', 'linksPerPeer', 'lookupHopsMean'],
  adaptive: ['deliveryRatio', 'deliveryRatioLate', 'maliciousCutOff', 'falsePositives', 'timeToIsolateMs', 'meanLinkLatencyMsStart', 'meanLinkLatencyMsEnd', 'p50DeliveryMs', 'p99DeliveryMs', 'rewiresPerPeer', 'largestComponent', 'reputationBytesPerPeer'],
};

/** Overrides that keep the big shipped scenarios small in tests. */
export const TEST_OVERRIDES: Record<string, string[]> = {
  'gossip-push-100k.yaml': ['peers=3000'],
  'gossip-push-theory.yaml': ['peers=2000'],
  'gossip-plumtree-failures.yaml': ['peers=300'],
  'kademlia-lookups.yaml': ['peers=500', 'workload.lookups=100'],
  'kademlia-churn.yaml': ['peers=100', 'workload.lookups=40', 'workload.stores=5'],
  // peers stay at 100: the trace file names peers up to 99
  'kademlia-trace.yaml': ['workload.lookups=60'],
  'bittorrent-flash-crowd.yaml': ['peers=41', 'protocol.fileSize=1MiB'],
  'bittorrent-churn.yaml': ['peers=40', 'until=2m', 'workload.arrivalMs=20s'],
  'hybrid-trackerless.yaml': ['peers=61'],
  'hybrid-tracker-outage.yaml': ['peers=41', 'workload.arrivalMs=20s', 'protocol.trackerDownAtMs=5s', 'protocol.fileSize=1MiB'],
  'adaptive-reputation.yaml': ['peers=150', 'workload.broadcasts=50'],
  'adaptive-rewiring.yaml': ['peers=150', 'workload.broadcasts=40'],
  'sync-overlay.yaml': ['peers=80', 'workload.editors=6', 'workload.edits=100', 'workload.joiners=5'],
  'sync-churn-partition.yaml': ['peers=80', 'workload.editors=5', 'workload.edits=150'],
};

export function shipped(prefix?: string): string[] {
  return readdirSync(SCENARIOS)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && (prefix === undefined || f.startsWith(prefix)))
    .sort();
}

export async function runShipped(file: string): Promise<Record<string, unknown>> {
  const out = join(mkdtempSync(join(tmpdir(), 'peerlab-shipped-')), 'out');
  const sets = (TEST_OVERRIDES[file] ?? []).flatMap((s) => ['--set', s]);
  const code = await run([join(SCENARIOS, file), '--out', out, '--quiet', ...sets]);
  expect(code).toBe(0);
  for (const f of ['summary.json', 'series.csv', 'samples.csv', 'report.html']) expect(existsSync(join(out, f)), f).toBe(true);
  const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
  for (const k of ['scenario', 'seed', 'peers', 'virtualTimeMs', 'wallMs']) expect(summary, k).toHaveProperty(k);
  for (const k of PROTOCOL_KEYS[summary.protocol as string] ?? []) expect(summary, `${file}: ${k}`).toHaveProperty(k);
  const csv = readFileSync(join(out, 'series.csv'), 'utf8');
  expect(csv.startsWith('series,t_ms,value\n')).toBe(true);
  expect(csv.split('\n').length).toBeGreaterThan(10);
  const html = readFileSync(join(out, 'report.html'), 'utf8');
  expect(html).toContain(`<title>${String(summary.scenario).replace(/&/g, '&amp;')}</title>`);
  expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(4);
  expect(html).toContain('Overlay at');
  return summary;
}
