/**
 * One way to write a measured quantity, for every view and report: the dashboard's summary panel,
 * chart axes and tooltips, the peer inspector, and `run`/`sweep`/`compare` reports. A quantity is a
 * number and a unit from the observation contract's closed set; nothing here guesses a unit from a
 * key's name. Numbers never use exponent notation: thousands are grouped with a thin space
 * (`1 343 488`), fractions keep 3 significant digits, and bytes and times pick a readable scale
 * (`26.5 kB`, `3.45 s`). Pure and import-free, so the renderer (the one module of src/core it may
 * import) and the reports share it.
 */

/** The units a metric or series may declare (the observation contract's set). */
export type Unit = 'ms' | 's' | 'bytes' | 'bytes/s' | 'fraction' | 'count' | 'messages' | 'messages/s' | 'peers' | 'hops' | 'ratio' | 'none';

/** A narrow no-break space groups thousands: it never wraps and reads in every locale. */
const GROUP = '\u202f';

/** `1 343 488`, `30.3`, `0.0123`: grouped integers, at most `digits` significant digits otherwise. */
export function formatNumber(v: number, digits = 3): string {
  if (Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  const a = Math.abs(v);
  const sign = v < 0 ? '−' : '';
  // at or above 10^digits a value is shown whole (rounding 26 523.4 to 26 500 would hide digits for nothing)
  if (a >= 10 ** digits || Number.isInteger(v)) return sign + group(Math.round(a));
  if (a === 0) return '0';
  const decimals = Math.min(12, Math.max(0, digits - 1 - Math.floor(Math.log10(a))));
  let s = a.toFixed(decimals);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  const [int, frac] = s.split('.') as [string, string | undefined];
  return sign + group(Number(int)) + (frac ? `.${frac}` : '');
}

function group(n: number): string {
  const s = String(n);
  if (s.length <= 4) return s; // 1000..9999 stay together, as style guides advise
  return s.replace(/\B(?=(\d{3})+(?!\d))/g, GROUP);
}

/** `87.3%`, `100%`, `0.4%`: a share never rounds to 100% or 0% unless it is exactly that. */
export function formatPercent(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const p = x * 100;
  if (p === 100 || p === 0) return `${p}%`;
  if (p > 99.9 && p < 100) return '99.9%';
  if (p > 0 && p < 0.1) return '0.1%';
  if (p < -0.1 || p > 100.1) return `${formatNumber(p, 3)}%`;
  return `${(Math.round(p * 10) / 10).toFixed(1).replace(/\.0$/, '')}%`;
}

/** `850 ms`, `3.45 s`, `2 min 5 s`, `1 h 2 min`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return Number.isNaN(ms) ? '—' : '∞';
  const a = Math.abs(ms);
  const sign = ms < 0 ? '−' : '';
  if (a < 1000) return `${sign}${formatNumber(a, 3)} ms`;
  if (a < 60_000) return `${sign}${formatNumber(a / 1000, 3)} s`;
  if (a < 3_600_000) {
    const min = Math.floor(a / 60_000);
    const s = Math.round((a - min * 60_000) / 1000);
    return s === 60 ? `${sign}${min + 1} min` : `${sign}${min} min${s ? ` ${s} s` : ''}`;
  }
  const h = Math.floor(a / 3_600_000);
  const min = Math.round((a - h * 3_600_000) / 60_000);
  return min === 60 ? `${sign}${h + 1} h` : `${sign}${h} h${min ? ` ${min} min` : ''}`;
}

/** `512 B`, `26.5 kB`, `3.3 MB`, `1.21 GB` (decimal, as network rates are). */
export function formatBytes(b: number): string {
  if (!Number.isFinite(b)) return Number.isNaN(b) ? '—' : '∞';
  const a = Math.abs(b);
  const sign = b < 0 ? '−' : '';
  if (a < 1000) return `${sign}${formatNumber(a, 3)} B`;
  if (a < 1e6) return `${sign}${formatNumber(a / 1e3, 3)} kB`;
  if (a < 1e9) return `${sign}${formatNumber(a / 1e6, 3)} MB`;
  if (a < 1e12) return `${sign}${formatNumber(a / 1e9, 3)} GB`;
  return `${sign}${formatNumber(a / 1e12, 3)} TB`;
}

/** Words after a number, for the units that have some (`30.3 messages`); others carry their own. */
const WORD: Partial<Record<Unit, [one: string, many: string]>> = {
  messages: ['message', 'messages'],
  'messages/s': ['message/s', 'messages/s'],
  peers: ['peer', 'peers'],
  hops: ['hop', 'hops'],
};

/** A value in its unit, as every view writes it. Strings, booleans and null pass through as text. */
export function formatQuantity(v: number | string | boolean | null | undefined, unit: Unit = 'none'): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (Number.isNaN(v)) return '—';
  switch (unit) {
    case 'ms':
      return formatDuration(v);
    case 's':
      return formatDuration(v * 1000);
    case 'bytes':
      return formatBytes(v);
    case 'bytes/s':
      return `${formatBytes(v)}/s`;
    case 'fraction':
      return formatPercent(v);
    case 'ratio':
      return `${formatNumber(v, 3)}×`;
    case 'count':
    case 'none':
      return formatNumber(v, 3);
    default: {
      const w = WORD[unit];
      return w ? `${formatNumber(v, 3)} ${v === 1 ? w[0] : w[1]}` : formatNumber(v, 3);
    }
  }
}

/** What an axis title says of its unit: `Time to reach all (s)`; nothing for plain counts. */
export function unitSuffix(unit: Unit): string {
  switch (unit) {
    case 'count':
    case 'none':
      return '';
    case 'fraction':
      return ' (%)';
    case 'ratio':
      return ' (×)';
    default:
      return ` (${unit})`;
  }
}

/** Short tick labels for an axis in `unit` (no unit words: the axis title has them). */
export function formatTick(v: number, unit: Unit): string {
  if (unit === 'fraction') return `${Math.round(v * 1000) / 10}%`;
  const a = Math.abs(v);
  if (unit === 'bytes' || unit === 'bytes/s') {
    if (a >= 1e9) return `${trim(v / 1e9)} G`;
    if (a >= 1e6) return `${trim(v / 1e6)} M`;
    if (a >= 1e3) return `${trim(v / 1e3)} k`;
    return trim(v);
  }
  if (a >= 1e9) return `${trim(v / 1e9)} G`;
  if (a >= 1e6) return `${trim(v / 1e6)} M`;
  if (a >= 1e4) return `${trim(v / 1e3)} k`;
  return trim(v);
}

function trim(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  // enough digits to tell neighbouring ticks apart, never an exponent
  const s = a >= 100 ? Math.round(v).toString() : a >= 1 ? String(Math.round(v * 100) / 100) : formatNumber(v, 2);
  return s.replace('-', '−');
}

/** The virtual clock, to the millisecond: `12.345 s`, `3 min 05.2 s` (fixed width while it runs). */
export function formatClock(ms: number): string {
  if (!Number.isFinite(ms)) return '∞';
  if (ms < 60_000) return `${(ms / 1000).toFixed(3)} s`;
  const min = Math.floor(ms / 60_000);
  const s = (ms - min * 60_000) / 1000;
  return `${min} min ${s.toFixed(1).padStart(4, '0')} s`;
}
