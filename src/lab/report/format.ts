/** Words and number formats shared by reports and the terminal (no chart code, so it loads fast). */
import type { Series } from '../../protocols/driver.js';
import { formatBytes, formatDuration, round } from '../units.js';

/** Words for the series and samples the drivers are known to report (others keep their key). */
const NAMES: Record<string, string> = {
  reached: 'Dissemination curve: fraction of peers reached',
  completed: 'Fraction of peers complete',
  availability: 'Piece availability',
  infected: 'Peers infected',
  lookupLatencyMs: 'Lookup latency',
  latencyMs: 'Latency',
  completionMs: 'Completion time',
  deliveryMs: 'Delivery time',
  hops: 'Lookup hops',
};

/** Words for summary keys (a sweep charts these against the varied key). */
const METRIC_NAMES: Record<string, string> = {
  reached: 'Fraction of peers reached',
  roundsToAll: 'Rounds to reach all',
  timeToAllMs: 'Time to reach all',
  messagesPerPeer: 'Messages per peer',
  duplicatesPerPeer: 'Duplicates per peer',
  successRate: 'Lookup success rate',
  meanHops: 'Mean lookup hops',
  p50LatencyMs: 'Median lookup latency',
  p99LatencyMs: '99th percentile lookup latency',
  messagesPerLookup: 'Messages per lookup',
  meanCompletionMs: 'Mean completion time',
  lastCompletionMs: 'Last completion time',
  lowerBoundMs: 'Kumar-Ross lower bound',
  boundRatio: 'Last completion / lower bound',
  completed: 'Fraction of peers complete',
  virtualTimeMs: 'Virtual time at the end',
  messages: 'Messages sent',
  bytes: 'Bytes sent',
};

function humanize(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/Ms$/, '(ms)').replace(/^./, (c) => c.toUpperCase());
}

export function describeKey(key: string): string {
  return NAMES[key] ?? humanize(key);
}

export function describeMetric(key: string): string {
  return METRIC_NAMES[key] ?? humanize(key);
}

export function isFraction(s: Series): boolean {
  return s.v.length > 0 && s.v.every((v) => v >= 0 && v <= 1);
}

export function formatValue(key: string, v: unknown, digits = 5): string {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (/Ms$/.test(key)) return formatDuration(v, Math.min(digits, 4));
  if (/bytes/i.test(key)) return formatBytes(v, Math.min(digits, 4));
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  return round(v, digits).toLocaleString('en-US', { maximumSignificantDigits: digits });
}
