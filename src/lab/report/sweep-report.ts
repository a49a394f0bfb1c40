/** The report of a sweep: every metric charted against the first varied key (one line per value of the others), and a table. */
import type { PointResult, SweepResult, Vary } from '../sweep.js';
import { formatDuration } from '../units.js';
import { barChart, lineChart, type LineSeries } from './charts.js';
import { describeMetric, formatValue } from './format.js';
import { page, pre, table, type Section } from './html.js';

/** Which metrics get a chart: the driver's keys first, then the lab's traffic keys. */
function chartKeys(s: SweepResult): string[] {
  const lab = ['virtualTimeMs', 'messages', 'bytes'];
  return [...s.metricKeys.filter((k) => !lab.includes(k) && k !== 'endReason'), ...lab.filter((k) => s.metricKeys.includes(k))];
}

export function sweepReport(s: SweepResult): string {
  const [xVary, ...rest] = s.plan.vary as [Vary, ...Vary[]];
  const numericX = xVary.values.every((v) => typeof v === 'number');
  // one line per combination of the other varied keys
  const groups = new Map<string, PointResult[]>();
  for (const p of s.points) {
    const key = rest.map((v) => `${v.path}=${JSON.stringify(p.point.values[v.path])}`).join(', ') || 'mean over seeds';
    const g = groups.get(key) ?? [];
    g.push(p);
    groups.set(key, g);
  }
  const charts: string[] = [];
  for (const k of chartKeys(s)) {
    if (!s.points.some((p) => p.metrics[k])) continue;
    const title = describeMetric(k);
    const fraction = s.points.every((p) => !p.metrics[k] || (p.metrics[k].min >= 0 && p.metrics[k].max <= 1));
    const subtitle = `mean of ${s.plan.seeds.length} seed${s.plan.seeds.length > 1 ? 's' : ''}${s.plan.seeds.length > 1 ? ' with 95% CI' : ''}`;
    if (numericX) {
      const series: LineSeries[] = [...groups].map(([name, pts]) => ({
        name,
        markers: true,
        data: pts.map((p): [number, number | null] => [p.point.values[xVary.path] as number, p.metrics[k]?.mean ?? null]),
        band: pts
          .filter((p) => p.metrics[k])
          .map((p): [number, number, number] => {
            const a = p.metrics[k]!;
            return [p.point.values[xVary.path] as number, a.mean - a.ci95, a.mean + a.ci95];
          }),
      }));
      charts.push(lineChart({ title, subtitle, xName: xVary.path, yName: k, ...(fraction ? { yMax: 1 } : {}) }, series));
    } else {
      charts.push(
        barChart(
          { title, subtitle, yName: k, categories: xVary.texts },
          [...groups].map(([name, pts]) => ({ name, values: pts.map((p) => p.metrics[k]?.mean ?? null) })),
        ),
      );
    }
  }
  const varyKeys = s.plan.vary.map((v) => v.path);
  const tableKeys = chartKeys(s);
  const head = [...varyKeys, ...tableKeys];
  const rows = s.points.map((p) => [
    ...varyKeys.map((k) => JSON.stringify(p.point.values[k])),
    ...tableKeys.map((k) => {
      const a = p.metrics[k];
      if (!a) return `— (${p.nulls[k] ?? 0} null)`;
      const nulls = p.nulls[k] ? ` [${p.nulls[k]} null]` : '';
      return `${formatValue(k, a.mean, 4)}${a.n > 1 ? ` ± ${formatValue(k, a.ci95, 2)}` : ''}${nulls}`;
    }),
  ]);
  const sections: Section[] = [
    {
      title: `Results against ${xVary.path}`,
      intro: `<p>Each point is the mean over seeds ${s.plan.seeds.join(', ')}; shaded bands and ± are 95% confidence intervals of the mean (Student t).</p>`,
      charts,
    },
    { title: 'Table', html: table(head, rows) },
    { title: 'Scenario', intro: `<p class="note">${s.plan.source}; varied: ${s.plan.vary.map((v) => `${v.path} = ${v.texts.join(', ')}`).join('; ')}</p>`, html: pre(s.plan.text) },
  ];
  return page({
    title: `Sweep: ${s.plan.scenario.name}`,
    subtitle: `peerlab sweep · ${s.plan.scenario.protocol.type} · ${s.points.length} grid points × ${s.plan.seeds.length} seeds`,
    facts: [
      ['runs', String(s.points.length * s.plan.seeds.length)],
      ['varied', varyKeys.join(', ')],
      ['wall', formatDuration(s.wallMs)],
    ],
    sections,
  });
}
