/** The compare report's cell formats, one for every section: a missing value reads as a dash. */
import type { CaseAggregate, Metrics } from '../compare-study.js';
import { formatDuration, round } from '../units.js';

/** A case's mean of one metric, or undefined when the case or the metric is missing. */
export function mean(g: CaseAggregate | undefined, k: keyof Metrics): number | undefined {
  return g?.metrics[k]?.mean;
}
export function pct(x: number | undefined | null): string {
  return x === undefined || x === null ? '—' : `${round(x * 100, 4)}%`;
}
export function ms(x: number | undefined | null): string {
  return x === undefined || x === null ? '—' : formatDuration(x);
}
export function num(x: number | undefined | null, d = 3): string {
  return x === undefined || x === null ? '—' : round(x, d).toLocaleString('en-US');
}
