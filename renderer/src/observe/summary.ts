/**
 * The summary panel's rows: each of the protocol's summary keys with the contract's label, its value
 * in its unit (one number format: observe/units.ts), and a tooltip saying what it measures, which way
 * is better and what theory predicts. Keys the contract does not declare still show, readably named
 * and unitless, after the declared ones. Pure: unit-tested directly.
 */
import { humanize } from './words.js';
import type { ObservationData } from './spec.js';
import { formatQuantity, type Unit } from '../../../src/core/format.js';

export interface SummaryRow {
  key: string;
  label: string;
  value: string;
  unit: Unit;
  /** `theory 7.6 (log2 N + ln N)`, or '' */
  theory: string;
  /** The tooltip: description, better direction, theory, and the key as `peerlab run` writes it. */
  title: string;
}

type SummaryValue = number | string | boolean | null;

export function summaryRows(summary: Record<string, SummaryValue> | null | undefined, obs: ObservationData | null): SummaryRow[] {
  if (!summary) return [];
  const rows: SummaryRow[] = [];
  const seen = new Set<string>();
  for (const m of obs?.metrics ?? []) {
    if (!(m.key in summary)) continue;
    seen.add(m.key);
    const v = summary[m.key] ?? null;
    const theory = m.theory ? `theory ${formatQuantity(m.theory.value, m.unit)}` : '';
    const better = m.better === 'higher' ? 'Higher is better.' : m.better === 'lower' ? 'Lower is better.' : '';
    rows.push({
      key: m.key,
      label: m.label,
      value: formatQuantity(v, m.unit),
      unit: m.unit,
      theory,
      title: [m.description, better, m.theory ? `Theory: ${formatQuantity(m.theory.value, m.unit)} (${m.theory.label}).` : '', `summary key: ${m.key}`]
        .filter(Boolean)
        .join('\n'),
    });
  }
  for (const [k, v] of Object.entries(summary)) {
    if (seen.has(k)) continue;
    rows.push({ key: k, label: humanize(k), value: formatQuantity(v, 'none'), unit: 'none', theory: '', title: `summary key: ${k}` });
  }
  return rows;
}
