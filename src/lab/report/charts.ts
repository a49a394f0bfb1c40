/**
 * Charts as inline SVG strings, rendered on the server by ECharts' SSR renderer (no DOM, no scripts
 * in the page). Every chart a report draws goes through these few helpers so they share one look:
 * line charts (time series, dissemination curves, scaling curves with theory lines and CI bands),
 * CDFs, and grouped bars.
 */
import * as echarts from 'echarts';

export const PALETTE = ['#2f6fdf', '#e4572e', '#29a35a', '#8e44ad', '#f0a202', '#17a2b8', '#c2185b', '#6d4c41', '#455a64', '#7cb342'];

export interface LineSeries {
  name: string;
  /** [x, y] points; y null leaves a gap. */
  data: [number, number | null][];
  /** A theory or bound line: dashed, no markers. */
  dashed?: boolean;
  /** Draw markers at the points (measurements in scaling charts). */
  markers?: boolean;
  step?: boolean;
  color?: string;
  /** A band around the line (e.g. a 95% CI): [x, low, high] per point. */
  band?: [number, number, number][];
}

export interface ChartOptions {
  title: string;
  subtitle?: string;
  xName: string;
  yName: string;
  width?: number;
  height?: number;
  xLog?: boolean;
  yLog?: boolean;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xMax?: number;
}

const BASE = {
  animation: false,
  backgroundColor: 'transparent',
  textStyle: { fontFamily: 'system-ui, -apple-system, Segoe UI, Roboto, sans-serif', color: '#333' },
  color: PALETTE,
};

function render(option: Record<string, unknown>, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ ...BASE, ...option });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Legend rows ECharts will need for these names at this width (10px font, ~6px per character). */
function legendRows(names: string[], width: number): number {
  if (names.length <= 1) return 0;
  let rows = 1;
  let x = 0;
  const avail = width - 40;
  for (const name of names) {
    const w = 25 + name.length * 5.8 + 10;
    if (x + w > avail && x > 0) {
      rows++;
      x = 0;
    }
    x += w;
  }
  return rows;
}

function legendAndGrid(names: string[], width: number, subtitle: boolean): { legend: Record<string, unknown>; grid: Record<string, unknown> } {
  const rows = legendRows(names, width);
  return {
    legend: rows > 0 ? { data: names, bottom: 2, left: 'center', width: width - 40, textStyle: { fontSize: 10 }, itemHeight: 8, itemGap: 10 } : { show: false },
    grid: { left: 62, right: 20, top: subtitle ? 62 : 48, bottom: 44 + rows * 18 },
  };
}

function titleOf(o: ChartOptions): Record<string, unknown> {
  return {
    text: o.title,
    subtext: o.subtitle ?? '',
    left: 8,
    top: 4,
    textStyle: { fontSize: 14, fontWeight: 600 },
    subtextStyle: { fontSize: 11, color: '#666' },
  };
}

function axis(name: string, log: boolean | undefined, min?: number, max?: number, gap = 28): Record<string, unknown> {
  const a: Record<string, unknown> = {
    type: log ? 'log' : 'value',
    name,
    nameLocation: 'middle',
    nameGap: gap,
    nameTextStyle: { fontSize: 11, color: '#555' },
    axisLabel: { fontSize: 10, color: '#555', formatter: compact },
    splitLine: { lineStyle: { color: '#eee' } },
    axisLine: { lineStyle: { color: '#999' } },
    scale: !log && min === undefined,
  };
  if (min !== undefined) a.min = min;
  if (max !== undefined) a.max = max;
  if (log) a.logBase = 10;
  return a;
}

/** 1200 -> 1.2k, 0.000123 -> 1.23e-4: short tick labels. */
export function compact(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9)}G`;
  if (a >= 1e6) return `${trim(v / 1e6)}M`;
  if (a >= 1e4) return `${trim(v / 1e3)}k`;
  if (a < 1e-3) return v.toExponential(1);
  return trim(v);
}

function trim(v: number): string {
  return String(Number(v.toPrecision(3)));
}

/** Keeps at most `max` points of a series (evenly spaced, first and last kept). */
export function thin<T>(points: T[], max = 400): T[] {
  if (points.length <= max) return points;
  const out: T[] = [];
  const step = (points.length - 1) / (max - 1);
  for (let i = 0; i < max; i++) out.push(points[Math.round(i * step)]!);
  return out;
}

export function lineChart(o: ChartOptions, series: LineSeries[]): string {
  const width = o.width ?? 520;
  const rows = legendRows(series.map((s) => s.name), width);
  const height = (o.height ?? 300) + Math.max(0, rows - 1) * 18;
  const out: Record<string, unknown>[] = [];
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length];
    if (s.band && s.band.length > 0) {
      // A CI band as a stacked area: an invisible lower edge plus the band's height on top of it.
      const band = thin(s.band);
      out.push({
        type: 'line',
        name: `${s.name} (95% CI low)`,
        data: band.map(([x, lo]) => [x, lo]),
        stack: `band${i}`,
        lineStyle: { opacity: 0 },
        symbol: 'none',
        silent: true,
        legendHoverLink: false,
        tooltip: { show: false },
      });
      out.push({
        type: 'line',
        name: `${s.name} (95% CI)`,
        data: band.map(([x, lo, hi]) => [x, hi - lo]),
        stack: `band${i}`,
        lineStyle: { opacity: 0 },
        areaStyle: { color, opacity: 0.15 },
        symbol: 'none',
        silent: true,
      });
    }
    out.push({
      type: 'line',
      name: s.name,
      data: thin(s.data),
      step: s.step ? 'end' : false,
      showSymbol: s.markers ?? false,
      symbol: s.dashed ? 'none' : 'circle',
      symbolSize: 6,
      connectNulls: false,
      lineStyle: { width: s.dashed ? 1.5 : 2, type: s.dashed ? 'dashed' : 'solid', color },
      itemStyle: { color },
      z: s.dashed ? 1 : 3,
    });
  });
  const legendNames = series.map((s) => s.name);
  return render(
    {
      title: titleOf(o),
      ...legendAndGrid(legendNames, width, o.subtitle !== undefined),
      xAxis: axis(o.xName, o.xLog, o.xMin, o.xMax),
      yAxis: axis(o.yName, o.yLog, o.yMin, o.yMax, 46),
      series: out,
    },
    width,
    height,
  );
}

/** Empirical CDFs of one or more sample sets. */
export function cdfChart(o: ChartOptions, sets: { name: string; values: number[]; color?: string }[]): string {
  return lineChart(
    { ...o, yMin: 0, yMax: 1 },
    sets.map((s) => ({ name: `${s.name} (n=${s.values.length})`, data: cdfPoints(s.values), step: true, ...(s.color ? { color: s.color } : {}) })),
  );
}

/** Points of an empirical CDF, thinned to at most 400 steps. */
export function cdfPoints(values: number[]): [number, number][] {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  const n = v.length;
  if (n === 0) return [];
  const pts: [number, number][] = [[v[0]!, 0]];
  for (let i = 0; i < n; i++) if (i === n - 1 || v[i + 1] !== v[i]) pts.push([v[i]!, (i + 1) / n]);
  return thin(pts);
}

export interface BarOptions {
  title: string;
  subtitle?: string;
  yName: string;
  categories: string[];
  width?: number;
  height?: number;
  yLog?: boolean;
}

/** Grouped bars: one group per category, one bar per series. */
export function barChart(o: BarOptions, series: { name: string; values: (number | null)[]; color?: string }[]): string {
  const width = o.width ?? 520;
  const height = (o.height ?? 300) + Math.max(0, legendRows(series.map((s) => s.name), width) - 1) * 18;
  return render(
    {
      title: titleOf({ title: o.title, xName: '', yName: o.yName, ...(o.subtitle ? { subtitle: o.subtitle } : {}) }),
      ...legendAndGrid(series.map((s) => s.name), width, o.subtitle !== undefined),
      xAxis: { type: 'category', data: o.categories, axisLabel: { fontSize: 10, color: '#555', interval: 0 }, axisLine: { lineStyle: { color: '#999' } } },
      yAxis: axis(o.yName, o.yLog, o.yLog ? undefined : 0, undefined, 46),
      series: series.map((s, i) => ({
        type: 'bar',
        name: s.name,
        data: s.values.map((v) => (v === null || !Number.isFinite(v) ? null : v)),
        itemStyle: { color: s.color ?? PALETTE[i % PALETTE.length] },
        barMaxWidth: 28,
        label: { show: o.categories.length * series.length <= 12, position: 'top', fontSize: 9, color: '#444', formatter: (p: { value: number }) => compact(p.value) },
      })),
    },
    width,
    height,
  );
}
